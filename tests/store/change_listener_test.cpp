// Change notifications (migration 0008, store/change_notifications.hpp) and ChangeListener against
// a real PostgreSQL: writes made with plain SQL (as the old backend or a person would) reach the
// listener as the right tenant, rolled-back ones do not, TRUNCATE and a lost connection ask for a
// resync. Waits are generous (5 s) and never assert timing; the latency test only prints figures.
//
// Exactness technique: notifications reach a listener in commit order, so after the writes under
// test the test commits a "marker" write on a tenant of its own and waits for it; everything
// received before the marker is exactly what the writes under test announced.
#include "store/change_listener.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/change_notifications.hpp"
#include "store/migrations.hpp"
#include "support/temp_database.hpp"
#include "support/test_env.hpp"

namespace iam::store {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWait = seconds(5);  // generous: only a failure waits this long

// What the callbacks saw, for the test thread to wait on.
class Recorder {
 public:
  void Change(std::int64_t empresa) {
    std::lock_guard lock(mu_);
    changes_.push_back(empresa);
    times_.push_back(Clock::now());
    cv_.notify_all();
  }
  void Resync() {
    std::lock_guard lock(mu_);
    ++resyncs_;
    cv_.notify_all();
  }
  // Waits until pred(changes, resyncs) holds or kWait passes; returns whether it holds.
  bool WaitFor(const std::function<bool(const std::vector<std::int64_t>&, int)>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return pred(changes_, resyncs_); });
  }
  bool WaitForChange(std::int64_t empresa) {
    return WaitFor([&](const auto& c, int) { return std::find(c.begin(), c.end(), empresa) != c.end(); });
  }
  bool WaitForResyncs(int n) {
    return WaitFor([&](const auto&, int r) { return r >= n; });
  }
  std::vector<std::int64_t> changes() const {
    std::lock_guard lock(mu_);
    return changes_;
  }
  std::vector<Clock::time_point> times() const {
    std::lock_guard lock(mu_);
    return times_;
  }
  int resyncs() const {
    std::lock_guard lock(mu_);
    return resyncs_;
  }
  void ClearChanges() {
    std::lock_guard lock(mu_);
    changes_.clear();
    times_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::int64_t> changes_;
  std::vector<Clock::time_point> times_;
  int resyncs_ = 0;
};

// Captures everything logged through spdlog's default logger while alive.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

// A loopback port nothing listens on: bound then released by us.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Polls `pred` until it holds or kWait passes.
bool Eventually(const std::function<bool()>& pred) {
  const auto deadline = Clock::now() + kWait;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

std::vector<std::int64_t> Sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class ChangeListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IAM_REQUIRE_POSTGRES(url);
    server_url_ = url;
    temp_ = test::TempDatabase::Create("postgres", url);
    db_ = temp_->Open();
    ASSERT_NE(db_, nullptr);
    auto migrated = Migrate(*db_);
    ASSERT_TRUE(migrated.has_value()) << migrated.error().message;
    marker_ = Empresa("marker");
  }
  void TearDown() override {
    listener_.reset();  // before the database goes away, and before the log capture ends
    logs_.reset();
    db_.reset();
    temp_.reset();
  }

  ResultSet Exec(const std::string& sql, std::vector<Param> params = {}) {
    auto lease = db_->Acquire();
    EXPECT_TRUE(lease.has_value());
    auto r = (*lease)->Query(sql, params);
    EXPECT_TRUE(r.has_value()) << r.error().message << " in " << sql;
    return r ? std::move(*r) : ResultSet();
  }
  std::int64_t Insert(const std::string& sql, std::vector<Param> params = {}) {
    auto rs = Exec(sql + " RETURNING \"id\"", std::move(params));
    return rs.empty() ? 0 : rs[0].Int(0);
  }
  std::int64_t Empresa(const std::string& nombre) {
    return Insert(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, '2026-01-01T00:00:00.000Z'))",
                  {Param(nombre)});
  }
  std::int64_t Product(std::int64_t empresa) {
    return Insert(R"(INSERT INTO "Producto" ("nombre", "precioCompra", "precioVenta", "empresaId", "actualizadoEn")
                     VALUES ('p', 4, 9, $1, '2026-01-01T00:00:00.000Z'))",
                  {Param(empresa)});
  }
  static constexpr const char* kInsertMovement =
      R"(INSERT INTO "MovimientoInventario" ("empresaId", "productoId", "tipo", "cantidad", "precioUnitario")
         VALUES ($1, $2, 'ENTRADA', 3, 2.5))";
  std::int64_t Movement(std::int64_t empresa, std::int64_t producto) {
    return Insert(kInsertMovement, {Param(empresa), Param(producto)});
  }

  // Captures the log from now until TearDown; call before StartListener (the listener thread logs
  // through the default logger, which must not be swapped while it runs).
  LogCapture& CaptureLogs() {
    logs_ = std::make_unique<LogCapture>();
    return *logs_;
  }
  void StartListener(const std::string& url) {
    listener_ = std::make_unique<ChangeListener>(
        url, [this](std::int64_t empresa) { rec_.Change(empresa); }, [this] { rec_.Resync(); });
  }
  void StartListener() {
    StartListener(temp_->url());
    ASSERT_TRUE(listener_->WaitConnected(kWait));
  }

  // Commits a write on the marker tenant, waits for its notification and returns (and forgets)
  // everything received before it: exactly what was committed since the last Settle().
  std::vector<std::int64_t> Settle() {
    Exec(R"(UPDATE "Empresa" SET "updatedAt" = "updatedAt" WHERE "id" = $1)", {Param(marker_)});
    EXPECT_TRUE(rec_.WaitForChange(marker_)) << "the marker's notification did not arrive";
    auto changes = rec_.changes();
    rec_.ClearChanges();
    auto last = std::find(changes.begin(), changes.end(), marker_);
    EXPECT_EQ(last + 1, changes.end()) << "something arrived after the marker";
    changes.erase(last, changes.end());
    return changes;
  }

  std::string server_url_;
  std::unique_ptr<test::TempDatabase> temp_;
  std::unique_ptr<Database> db_;
  std::int64_t marker_ = 0;
  Recorder rec_;
  std::unique_ptr<LogCapture> logs_;
  std::unique_ptr<ChangeListener> listener_;
};

TEST_F(ChangeListenerTest, PlainSqlMovementNotifiesItsTenant) {
  const auto a = Empresa("A");
  const auto p = Product(a);
  StartListener();
  Movement(a, p);
  ASSERT_TRUE(rec_.WaitForChange(a));
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a});
  EXPECT_EQ(rec_.resyncs(), 0) << "no resync on the first connect";
  auto stats = listener_->Stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_EQ(stats.failed_attempts, 0u);
  EXPECT_EQ(stats.notifications, 2u);  // the movement and the marker
  EXPECT_EQ(stats.changes, 2u);
}

TEST_F(ChangeListenerTest, EachKindOfWriteNotifiesTheRightTenant) {
  const auto a = Empresa("A");
  const auto b = Empresa("B");
  const auto pa = Product(a);
  const auto ma = Movement(a, pa);
  StartListener();

  Exec(R"(UPDATE "Producto" SET "precioVenta" = 11 WHERE "id" = $1)", {Param(pa)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a}) << "product update";

  Exec(R"(DELETE FROM "MovimientoInventario" WHERE "id" = $1)", {Param(ma)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a}) << "movement delete";

  Insert(R"(INSERT INTO "Proveedor" ("nombre", "empresaId") VALUES ('prov', $1))", {Param(b)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{b}) << "supplier insert";

  Exec(R"(UPDATE "Empresa" SET "nombre" = 'A2' WHERE "id" = $1)", {Param(a)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a}) << "tenant update";

  Insert(R"(INSERT INTO "Usuario" ("nombre", "email", "rol", "empresaId") VALUES ('u', 'u@b.test', 'ADMIN', $1))",
         {Param(b)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{b}) << "user of a tenant";

  Insert(R"(INSERT INTO "Usuario" ("nombre", "email", "rol") VALUES ('root', 'root@iam.test', 'SUPERADMIN'))");
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{}) << "a user without a tenant notifies nothing";

  Exec(R"(UPDATE "Producto" SET "empresaId" = $1 WHERE "id" = $2)", {Param(b), Param(pa)});
  EXPECT_EQ(Sorted(Settle()), Sorted({a, b})) << "a row moved to another tenant notifies both";

  Exec(R"(DELETE FROM "Producto" WHERE "id" = $1)", {Param(pa)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{b}) << "product delete";
}

TEST_F(ChangeListenerTest, RolledBackTransactionNotifiesNothing) {
  const auto a = Empresa("A");
  const auto p = Product(a);
  StartListener();
  {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->Begin());
    ASSERT_TRUE((*lease)->Query(kInsertMovement, {Param(a), Param(p)}));
    ASSERT_TRUE((*lease)->Query(R"(UPDATE "Producto" SET "stock" = 99 WHERE "id" = $1)", {Param(p)}));
    ASSERT_TRUE((*lease)->Rollback());
  }
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{});
}

TEST_F(ChangeListenerTest, BulkWriteSendsOneNotificationPerTenantAndTenantsAreToldApart) {
  const auto a = Empresa("A");
  const auto b = Empresa("B");
  const auto pa = Product(a);
  const auto pb = Product(b);
  StartListener();

  // 200 movements of one tenant in one statement: one notification.
  Exec(R"(INSERT INTO "MovimientoInventario" ("empresaId", "productoId", "tipo", "cantidad")
          SELECT $1, $2, 'ENTRADA', g FROM generate_series(1, 200) g)",
       {Param(a), Param(pa)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a});

  // One transaction touching both tenants many times: one notification each.
  {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->Begin());
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE((*lease)->Query(kInsertMovement, {Param(a), Param(pa)}));
      ASSERT_TRUE((*lease)->Query(kInsertMovement, {Param(b), Param(pb)}));
    }
    ASSERT_TRUE((*lease)->Commit());
  }
  EXPECT_EQ(Sorted(Settle()), Sorted({a, b}));

  // Separate transactions: each tenant in commit order.
  Movement(b, pb);
  Movement(a, pa);
  EXPECT_EQ(Settle(), (std::vector<std::int64_t>{b, a}));
}

TEST_F(ChangeListenerTest, TruncateAsksForAResync) {
  const auto a = Empresa("A");
  Movement(a, Product(a));
  StartListener();
  Exec(R"(TRUNCATE "MovimientoInventario")");
  ASSERT_TRUE(rec_.WaitForResyncs(1));
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{});
  EXPECT_EQ(rec_.resyncs(), 1);
  EXPECT_EQ(listener_->Stats().resyncs, 1u);
}

TEST_F(ChangeListenerTest, MalformedPayloadsAreIgnored) {
  LogCapture& logs = CaptureLogs();
  StartListener();
  for (const char* payload : {"", "abc", "12x", " 7", "99999999999999999999999"}) {
    Exec("SELECT pg_notify($1, $2)", {Param(std::string(kChangeChannel)), Param(std::string(payload))});
  }
  Exec("SELECT pg_notify('some_other_channel', '5')");
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{});
  EXPECT_EQ(rec_.resyncs(), 0);
  auto stats = listener_->Stats();
  EXPECT_EQ(stats.malformed, 5u);
  EXPECT_EQ(stats.notifications, 6u);  // + the marker; the other channel is not listened to
  EXPECT_NE(logs.text().find("malformed payload"), std::string::npos) << logs.text();
}

TEST_F(ChangeListenerTest, ReconnectsAfterItsBackendIsKilledAndAsksForAResync) {
  const auto a = Empresa("A");
  const auto p = Product(a);
  LogCapture& logs = CaptureLogs();
  StartListener();
  auto killed = Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'iam-change-listener' AND datname = current_database()");
  ASSERT_EQ(killed.size(), 1u) << "exactly one listener session";
  ASSERT_TRUE(killed[0].Bool(0));

  ASSERT_TRUE(rec_.WaitForResyncs(1)) << logs.text();
  ASSERT_TRUE(listener_->WaitConnected(kWait));
  auto stats = listener_->Stats();
  EXPECT_EQ(stats.reconnects, 1u);
  EXPECT_EQ(stats.resyncs, 1u);

  Movement(a, p);
  ASSERT_TRUE(rec_.WaitForChange(a)) << "notifications arrive again after the reconnect";
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a});
  const std::string text = logs.text();
  EXPECT_NE(text.find("connection to"), std::string::npos) << text;
  EXPECT_NE(text.find("lost"), std::string::npos) << text;
  EXPECT_NE(text.find("again"), std::string::npos) << text;
}

TEST_F(ChangeListenerTest, FirstConnectThatSucceedsOnlyLaterAsksForAResync) {
  // A database that does not exist yet: attempts fail until it is created.
  const std::string name = "iam_t_late_" + std::to_string(::getpid());
  std::string url = temp_->url();
  const auto slash = url.rfind('/');
  const auto query = url.find('?', slash);
  url = url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
  auto admin = OpenDatabase({.url = server_url_, .pool_size = 1});
  ASSERT_TRUE(admin.has_value());
  auto admin_exec = [&](const std::string& sql) {
    auto lease = (*admin)->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->ExecScript(sql)) << sql;
  };
  admin_exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");

  StartListener(url);
  EXPECT_FALSE(listener_->WaitConnected(milliseconds(300)));
  ASSERT_TRUE(Eventually([&] { return listener_->Stats().failed_attempts >= 1; }));
  admin_exec("CREATE DATABASE " + name);
  EXPECT_TRUE(listener_->WaitConnected(seconds(10)));  // back-off may have reached a few seconds
  EXPECT_TRUE(rec_.WaitForResyncs(1)) << "attempts failed before the first connect: must resync";
  listener_.reset();
  admin_exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

// No server needed: a port nothing listens on.
// Writes to the rows a token check reads are announced as "auth": a logout (BlacklistedToken), a
// revocation (iam_user_revocations), any change to a user (which also announces its tenant).
TEST_F(ChangeListenerTest, TokenCheckRowsAnnounceAuth) {
  const auto a = Empresa("A");
  const auto user = Insert(R"(INSERT INTO "Usuario" ("email", "password", "nombre", "rol", "empresaId")
                              VALUES ('u@a.test', 'x', 'U', 'EMPLEADO', $1))",
                           {Param(a)});
  std::atomic<int> auth{0};
  listener_ = std::make_unique<ChangeListener>(
      temp_->url(),
      ChangeListener::Callbacks{.on_change = [this](std::int64_t e) { rec_.Change(e); },
                                .on_resync = [this] { rec_.Resync(); },
                                .on_caught_up = nullptr,
                                .on_auth_change = [&] { auth.fetch_add(1); }},
      ChangeListenerOptions{});
  ASSERT_TRUE(listener_->WaitConnected(kWait));

  Exec(R"(INSERT INTO "BlacklistedToken" ("jti", "userId", "expiresAt") VALUES ('j1', $1, '2030-01-01T00:00:00.000Z'))",
       {Param(user)});
  EXPECT_TRUE(Settle().empty()) << "a logout names no tenant";
  EXPECT_EQ(auth.load(), 1);
  Exec(R"(INSERT INTO "iam_user_revocations" ("user_id", "revoked_before_ms") VALUES ($1, 1))", {Param(user)});
  EXPECT_TRUE(Settle().empty());
  EXPECT_EQ(auth.load(), 2);
  Exec(R"(UPDATE "Usuario" SET "activo" = false WHERE "id" = $1)", {Param(user)});
  EXPECT_EQ(Settle(), std::vector<std::int64_t>{a}) << "a user change also announces its tenant";
  EXPECT_EQ(auth.load(), 3);
  Movement(a, Product(a));
  Settle();
  EXPECT_EQ(auth.load(), 3) << "inventory writes are not auth changes";
  EXPECT_EQ(listener_->Stats().auth_changes, 3u);
  EXPECT_EQ(rec_.resyncs(), 0);
}

TEST(ChangeListenerOfflineTest, StopIsPromptWhileTheServerIsUnreachableAndThePasswordIsNeverLogged) {
  LogCapture logs;
  const std::string password = "Sup3rS3cretPw";
  Recorder rec;
  ChangeListener listener(fmt::format("postgresql://iam:{}@127.0.0.1:{}/iam", password, UnusedPort()),
                          [&](std::int64_t e) { rec.Change(e); }, [&] { rec.Resync(); });
  EXPECT_FALSE(listener.WaitConnected(milliseconds(500)));
  EXPECT_FALSE(listener.Connected());
  EXPECT_GE(listener.Stats().failed_attempts, 1u);
  const auto start = Clock::now();
  listener.Stop();
  EXPECT_LT(Clock::now() - start, seconds(2));
  listener.Stop();  // idempotent
  EXPECT_EQ(rec.resyncs(), 0);
  const std::string text = logs.text();
  EXPECT_NE(text.find("cannot listen"), std::string::npos) << text;
  EXPECT_EQ(text.find(password), std::string::npos) << text;

  // A URL libpq cannot parse quotes the (badly escaped) password in its message.
  LogCapture logs2;
  {
    ChangeListener bad("postgresql://iam:Sup3r%zzS3cret@127.0.0.1:1/iam", nullptr, nullptr);
    EXPECT_FALSE(bad.WaitConnected(milliseconds(300)));
  }
  EXPECT_EQ(logs2.text().find("S3cret"), std::string::npos) << logs2.text();
}

// Migration 0008 installs its triggers once however often it runs; SQLite gets nothing.
TEST(ChangeListenerMigrationTest, ChangeNotificationsInstallIdempotently) {
  IAM_REQUIRE_POSTGRES(url);
  auto temp = test::TempDatabase::Create("postgres", url);
  auto db = temp->Open();
  ASSERT_NE(db, nullptr);
  auto first = Migrate(*db);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_NE(std::find(first->applied.begin(), first->applied.end(), "0008_change_notifications"),
            first->applied.end());
  auto second = Migrate(*db);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->mode, MigrationMode::kUpToDate);

  auto lease = db->Acquire();
  ASSERT_TRUE(lease.has_value());
  for (int i = 0; i < 2; ++i) {  // re-install on top of an installed one, as a re-run would
    ASSERT_TRUE((*lease)->Begin());
    auto r = InstallChangeNotifications(**lease);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_TRUE((*lease)->Commit());
  }
  auto triggers = (*lease)->Query(
      R"(SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND t.tgname LIKE 'iam_notify_change%' ORDER BY 1, 2)");
  ASSERT_TRUE(triggers.has_value()) << triggers.error().message;
  std::vector<std::string> got;
  for (std::size_t i = 0; i < triggers->size(); ++i) got.push_back((*triggers)[i].Text(0) + "." + (*triggers)[i].Text(1));
  std::vector<std::string> want;
  for (const char* table : {"BlacklistedToken", "Empresa", "MovimientoInventario", "Producto", "Proveedor", "Usuario",
                            "iam_user_revocations"}) {
    want.push_back(std::string(table) + ".iam_notify_change");
    want.push_back(std::string(table) + ".iam_notify_change_truncate");
  }
  EXPECT_EQ(got, want);

  auto sqlite = test::TempDatabase::Create("sqlite");
  auto sdb = sqlite->Open();
  ASSERT_NE(sdb, nullptr);
  auto migrated = Migrate(*sdb);
  ASSERT_TRUE(migrated.has_value()) << migrated.error().message;
  auto slease = sdb->Acquire();
  ASSERT_TRUE(slease.has_value());
  auto none = (*slease)->Query("SELECT count(*) FROM sqlite_master WHERE name LIKE 'iam_notify%'");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ((*none)[0].Int(0), 0);
  EXPECT_TRUE(InstallChangeNotifications(**slease).has_value());
}

// Not a pass/fail test: prints commit-to-callback latency over 200 plain-SQL inserts, each its own
// transaction on a pool connection, waiting for each notification before the next commit.
// Heartbeats: each on_caught_up(t) comes after the on_change of every write committed before t,
// the guarantee that lets the cache trust L1 while they flow.
TEST_F(ChangeListenerTest, HeartbeatsConfirmEveryEarlierCommitInOrder) {
  const auto a = Empresa("A");
  const auto p = Product(a);
  struct Event {
    bool heartbeat;
    Clock::time_point at;  // change: when received; heartbeat: its `covered`
  };
  std::mutex mu;
  std::vector<Event> events;
  listener_ = std::make_unique<ChangeListener>(
      temp_->url(),
      ChangeListener::Callbacks{.on_change =
                                    [&](std::int64_t empresa) {
                                      if (empresa != a) return;
                                      std::lock_guard lock(mu);
                                      events.push_back({false, Clock::now()});
                                    },
                                .on_resync = [] {},
                                .on_caught_up =
                                    [&](Clock::time_point covered) {
                                      std::lock_guard lock(mu);
                                      events.push_back({true, covered});
                                    },
                                .on_auth_change = nullptr},
      ChangeListenerOptions{.heartbeat_interval = milliseconds(5)});
  ASSERT_TRUE(listener_->WaitConnected(kWait));
  constexpr int kWrites = 60;
  std::vector<Clock::time_point> committed;
  for (int i = 0; i < kWrites; ++i) {
    Movement(a, p);
    committed.push_back(Clock::now());
    if (i % 10 == 0) std::this_thread::sleep_for(milliseconds(7));  // let heartbeats interleave
  }
  const auto last = committed.back();
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return !events.empty() && events.back().heartbeat && events.back().at > last;
  })) << "no heartbeat covering the last write";
  listener_->Stop();

  std::lock_guard lock(mu);
  int changes_seen = 0, heartbeats = 0;
  Clock::time_point previous_cover = Clock::time_point::min();
  for (const Event& e : events) {
    if (!e.heartbeat) {
      ++changes_seen;
      continue;
    }
    ++heartbeats;
    EXPECT_GE(e.at, previous_cover) << "heartbeats come back in order";
    previous_cover = e.at;
    // Every write committed before this heartbeat was sent has been announced before it.
    const auto before = std::count_if(committed.begin(), committed.end(), [&](auto t) { return t < e.at; });
    EXPECT_GE(changes_seen, before) << "heartbeat " << heartbeats << " overtook a change";
  }
  EXPECT_EQ(changes_seen, kWrites);
  EXPECT_GT(heartbeats, 1);
  auto stats = listener_->Stats();
  EXPECT_GE(stats.heartbeats_sent, stats.heartbeats_received);
  EXPECT_EQ(stats.heartbeats_received, static_cast<std::uint64_t>(heartbeats));
  EXPECT_EQ(stats.changes, static_cast<std::uint64_t>(kWrites) + 0u) << "heartbeats are not changes";
}

TEST_F(ChangeListenerTest, LatencyFromCommitToCallbackIsPrinted) {
  const auto a = Empresa("A");
  const auto p = Product(a);
  StartListener();
  constexpr int kInserts = 200;
  std::vector<double> before_commit_ms, after_commit_ms;
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  for (int i = 0; i < kInserts; ++i) {
    ASSERT_TRUE((*lease)->Begin());
    ASSERT_TRUE((*lease)->Query(kInsertMovement, {Param(a), Param(p)}));
    const auto t0 = Clock::now();
    ASSERT_TRUE((*lease)->Commit());
    const auto t1 = Clock::now();
    const std::size_t want = static_cast<std::size_t>(i) + 1;
    ASSERT_TRUE(rec_.WaitFor([&](const auto& c, int) { return c.size() >= want; })) << "insert " << i;
    const auto at = rec_.times()[i];
    before_commit_ms.push_back(std::chrono::duration<double, std::milli>(at - t0).count());
    after_commit_ms.push_back(std::chrono::duration<double, std::milli>(at - t1).count());
  }
  EXPECT_EQ(rec_.changes(), std::vector<std::int64_t>(kInserts, a));
  auto summary = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
    return fmt::format("median {:.3f} ms, p90 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms", at(0.5), at(0.9), at(0.99),
                       v.back());
  };
  const std::string from_before = summary(before_commit_ms);
  const std::string from_after = summary(after_commit_ms);
  std::printf("[ latency  ] %d inserts, from just before COMMIT to on_change: %s\n", kInserts, from_before.c_str());
  std::printf("[ latency  ] %d inserts, from COMMIT returned to on_change:    %s\n", kInserts, from_after.c_str());
  RecordProperty("latency_from_before_commit", from_before);
  RecordProperty("latency_from_commit_returned", from_after);
}

}  // namespace
}  // namespace iam::store
