#include "store/postgres_database.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_env.hpp"

namespace iam::store {
namespace {

using std::chrono::milliseconds;

Result<std::unique_ptr<Database>> OpenPg(const std::string& url, int pool_size = 2) {
  return OpenPostgresDatabase(DatabaseOptions{.url = url, .pool_size = pool_size, .connect_timeout = milliseconds(3000)});
}

// Tables shared between connections need a name no concurrent test run uses.
std::string UniqueTable(std::string_view prefix) {
  std::random_device rd;
  return fmt::format("{}_{}_{:x}", prefix, ::getpid(), rd());
}

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
  std::string text() const { return out_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

std::int64_t BackendPid(Connection& conn) {
  auto rs = conn.Query("SELECT pg_backend_pid()");
  EXPECT_TRUE(rs.has_value());
  return rs ? (*rs)[0].Int(0) : 0;
}

// Terminates `pid` from another session and waits until the backend is really gone.
void KillBackend(const std::string& url, std::int64_t pid) {
  auto admin = OpenPg(url, 1);
  ASSERT_TRUE(admin.has_value()) << admin.error().message;
  auto lease = (*admin)->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto killed = (*lease)->Query("SELECT pg_terminate_backend($1)", {pid});
  ASSERT_TRUE(killed.has_value()) << killed.error().message;
  ASSERT_TRUE((*killed)[0].Bool(0));
  for (int i = 0; i < 100; ++i) {
    auto rs = (*lease)->Query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {pid});
    ASSERT_TRUE(rs.has_value());
    if ((*rs)[0].Int(0) == 0) return;
    std::this_thread::sleep_for(milliseconds(20));
  }
  FAIL() << "backend " << pid << " did not exit";
}

TEST(PostgresConnectTimeoutTest, AddsTheParameterOnlyWhenAbsent) {
  EXPECT_EQ(WithConnectTimeout("postgresql://h/db", milliseconds(5000)), "postgresql://h/db?connect_timeout=5");
  EXPECT_EQ(WithConnectTimeout("postgres://h/db?sslmode=disable", milliseconds(1500)),
            "postgres://h/db?sslmode=disable&connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("postgres://h/db?", milliseconds(1)), "postgres://h/db?connect_timeout=1");
  EXPECT_EQ(WithConnectTimeout("postgres://h/db?a=1&connect_timeout=9", milliseconds(5000)),
            "postgres://h/db?a=1&connect_timeout=9");
  EXPECT_EQ(WithConnectTimeout("postgres://h/db?my_connect_timeout=9", milliseconds(5000)),
            "postgres://h/db?my_connect_timeout=9&connect_timeout=5");
  EXPECT_EQ(WithConnectTimeout("postgres://h/db", milliseconds(0)), "postgres://h/db");
}

TEST(PostgresDatabaseTest, ConnectsAndPings) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 3);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ((*db)->dialect(), Dialect::kPostgres);
  EXPECT_TRUE((*db)->Ping().has_value());
  PoolStats stats = (*db)->Stats();
  EXPECT_EQ(stats.size, 1);  // one eager connection, reused
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.capacity, 3);

  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto rs = (*lease)->Query("SELECT current_setting('TimeZone'), current_setting('client_encoding')");
  ASSERT_TRUE(rs.has_value());
  EXPECT_EQ((*rs)[0].Text(0), "UTC");
  EXPECT_EQ((*rs)[0].Text(1), "UTF8");
}

TEST(PostgresDatabaseTest, OpensThroughOpenDatabase) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenDatabase(DatabaseOptions{.url = url, .pool_size = 1});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ((*db)->dialect(), Dialect::kPostgres);
  EXPECT_TRUE((*db)->Ping().has_value());
}

TEST(PostgresDatabaseTest, BoundParametersRoundTrip) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  Connection& conn = **lease;

  const std::string hostile = "'; DROP TABLE x; --";
  const std::string unicode = "ñandú \"quoted\" \\ back\nslash ✓";
  auto rs = conn.Query("SELECT $1::bigint, $2::bigint, $3::float8, $4::float8, $5::boolean, $6::boolean, $7, $8",
                       {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), 0.1,
                        1.0 / 3.0, true, false, hostile, unicode});
  ASSERT_TRUE(rs.has_value()) << rs.error().message;
  ASSERT_EQ(rs->size(), 1u);
  auto row = (*rs)[0];
  EXPECT_EQ(row.Int(0), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(row.Int(1), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(row.Double(2), 0.1);
  EXPECT_EQ(row.Double(3), 1.0 / 3.0);
  EXPECT_TRUE(row.Bool(4));
  EXPECT_FALSE(row.Bool(5));
  EXPECT_EQ(row.Text(6), hostile);
  EXPECT_EQ(row.Text(7), unicode);

  // Through a table: the types are inferred from the columns, and the hostile text is stored as data.
  ASSERT_TRUE(conn.ExecScript("CREATE TEMP TABLE x (id bigint); CREATE TEMP TABLE t (i bigint, d double precision, "
                              "b boolean, s text, ts timestamp(3))"));
  auto ins = conn.Query("INSERT INTO t (i, d, b, s, ts) VALUES ($1, $2, $3, $4, $5)",
                        {std::int64_t{-42}, -2.5e300, true, hostile, std::string("2026-11-27T10:15:00.123Z")});
  ASSERT_TRUE(ins.has_value()) << ins.error().message;
  EXPECT_EQ(ins->affected_rows(), 1);
  EXPECT_TRUE(ins->empty());
  auto back = conn.Query("SELECT i, d, b, s, ts FROM t WHERE s = $1", {hostile});
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].Int(0), -42);
  EXPECT_EQ((*back)[0].Double(1), -2.5e300);
  EXPECT_TRUE((*back)[0].Bool(2));
  EXPECT_EQ((*back)[0].Text(3), hostile);
  EXPECT_EQ((*back)[0].Text(4), "2026-11-27 10:15:00.123");
  EXPECT_TRUE(conn.Query("SELECT count(*) FROM x").has_value()) << "table x must still exist";

  auto upd = conn.Query("UPDATE t SET i = i + 1 WHERE b = $1", {true});
  ASSERT_TRUE(upd.has_value());
  EXPECT_EQ(upd->affected_rows(), 1);
}

TEST(PostgresDatabaseTest, NullsAndColumnNames) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto rs = (*lease)->Query("SELECT $1::text AS a, $2::bigint AS b, NULL::float8 AS c, '' AS d", {nullptr, nullptr});
  ASSERT_TRUE(rs.has_value()) << rs.error().message;
  EXPECT_EQ(rs->columns(), (std::vector<std::string>{"a", "b", "c", "d"}));
  auto row = (*rs)[0];
  EXPECT_TRUE(row.IsNull(0));
  EXPECT_TRUE(row.IsNull(1));
  EXPECT_TRUE(row.IsNull(2));
  EXPECT_FALSE(row.IsNull(3));  // empty text is not NULL
  EXPECT_EQ(row.OptText(0), std::nullopt);
  EXPECT_EQ(row.OptInt(1), std::nullopt);
  EXPECT_EQ(row.OptText(3), "");

  ASSERT_TRUE((*lease)->ExecScript("CREATE TEMP TABLE n (v text)"));
  ASSERT_TRUE((*lease)->Query("INSERT INTO n VALUES ($1), ($2)", {nullptr, std::string("x")}));
  auto count = (*lease)->Query("SELECT count(*) FROM n WHERE v IS NULL");
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ((*count)[0].Int(0), 1);
}

TEST(PostgresDatabaseTest, IntegrityViolationsAreConflicts) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE((*lease)->ExecScript(
      "CREATE TEMP TABLE u (email text NOT NULL CONSTRAINT u_email_key UNIQUE, qty int CONSTRAINT u_qty_check "
      "CHECK (qty >= 0))"));
  const std::string email = "secret-value@example.com";
  ASSERT_TRUE((*lease)->Query("INSERT INTO u VALUES ($1, 1)", {email}));

  LogCapture logs;
  auto dup = (*lease)->Query("INSERT INTO u VALUES ($1, 1)", {email});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(dup.error().code, "DUPLICATE");
  EXPECT_NE(dup.error().message.find("u_email_key"), std::string::npos) << dup.error().message;
  EXPECT_EQ(dup.error().message.find(email), std::string::npos);
  EXPECT_EQ(dup.error().message.find("INSERT"), std::string::npos);

  auto check = (*lease)->Query("INSERT INTO u VALUES ($1, $2)", {std::string("b@example.com"), std::int64_t{-1}});
  ASSERT_FALSE(check.has_value());
  EXPECT_EQ(check.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(check.error().code, "CONSTRAINT");
  EXPECT_NE(check.error().message.find("u_qty_check"), std::string::npos) << check.error().message;

  auto not_null = (*lease)->Query("INSERT INTO u VALUES ($1, 1)", {nullptr});
  ASSERT_FALSE(not_null.has_value());
  EXPECT_EQ(not_null.error().code, "CONSTRAINT");

  // The server's reason is logged (sqlstate + primary message), the values are not.
  EXPECT_NE(logs.text().find("23505"), std::string::npos) << logs.text();
  EXPECT_EQ(logs.text().find(email), std::string::npos) << logs.text();
}

TEST(PostgresDatabaseTest, SyntaxErrorIsInternalWithoutSql) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto rs = (*lease)->Query("SELEC oops_marker FROM nowhere WHERE a = $1", {std::string("v")});
  ASSERT_FALSE(rs.has_value());
  EXPECT_EQ(rs.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(rs.error().message.find("SELEC"), std::string::npos) << rs.error().message;
  EXPECT_EQ(rs.error().message.find("oops_marker"), std::string::npos) << rs.error().message;
  EXPECT_EQ(rs.error().message.find("syntax"), std::string::npos) << rs.error().message;
  // The failed prepare is not cached and the connection stays usable.
  EXPECT_FALSE((*lease)->Query("SELEC oops_marker FROM nowhere WHERE a = $1", {std::string("v")}).has_value());
  EXPECT_TRUE((*lease)->Query("SELECT 1").has_value());
}

TEST(PostgresDatabaseTest, DataExceptionIsNotLoggedWithTheValue) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  LogCapture logs;
  auto rs = (*lease)->Query("SELECT $1::bigint", {std::string("not-a-number-4711")});
  ASSERT_FALSE(rs.has_value());
  EXPECT_EQ(rs.error().kind, ErrorKind::kInternal);
  EXPECT_NE(logs.text().find("22P02"), std::string::npos) << logs.text();
  EXPECT_EQ(logs.text().find("4711"), std::string::npos) << logs.text();
}

TEST(PostgresDatabaseTest, ServerNoticesGoToTheLog) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 1);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  LogCapture logs;
  ASSERT_TRUE((*lease)->ExecScript("DROP TABLE IF EXISTS iam_no_such_table_for_notice"));
  EXPECT_NE(logs.text().find("does not exist, skipping"), std::string::npos) << logs.text();
}

class PgTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = test::EnvOrNull("IAM_TEST_PG_URL");
    if (!url) return;
    auto db = OpenPg(*url, 2);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    table_ = UniqueTable("iam_pg_test");
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->ExecScript(fmt::format("CREATE TABLE {} (id bigint PRIMARY KEY)", table_)));
  }
  void TearDown() override {
    if (!db_ || table_.empty()) return;
    if (auto lease = db_->Acquire(); lease) (void)(*lease)->ExecScript(fmt::format("DROP TABLE IF EXISTS {}", table_));
  }
  std::int64_t Count() {
    auto lease = db_->Acquire();
    EXPECT_TRUE(lease.has_value());
    auto rs = (*lease)->Query(fmt::format("SELECT count(*) FROM {}", table_));
    EXPECT_TRUE(rs.has_value());
    return rs ? (*rs)[0].Int(0) : -1;
  }
  Result<ResultSet> Insert(Connection& conn, std::int64_t id) {
    return conn.Query(fmt::format("INSERT INTO {} (id) VALUES ($1)", table_), {id});
  }

  std::unique_ptr<Database> db_;
  std::string table_;
};

TEST_F(PgTableTest, TransactionsCommitAndRollBack) {
  IAM_REQUIRE_POSTGRES(url);
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE((*lease)->Begin());
  ASSERT_TRUE(Insert(**lease, 1));
  ASSERT_TRUE((*lease)->Commit());
  ASSERT_TRUE((*lease)->Begin());
  ASSERT_TRUE(Insert(**lease, 2));
  EXPECT_EQ(Count(), 1);  // the other connection does not see the open transaction
  ASSERT_TRUE((*lease)->Rollback());
  EXPECT_EQ(Count(), 1);

  auto ok = InTransaction(*db_, [&](Connection& c) { return Insert(c, 3); });
  EXPECT_TRUE(ok.has_value());
  auto failed = InTransaction(*db_, [&](Connection& c) -> Result<ResultSet> {
    if (auto r = Insert(c, 4); !r) return r;
    return Insert(c, 1);  // duplicate: the whole transaction rolls back
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, "DUPLICATE");
  EXPECT_EQ(Count(), 2);
}

TEST_F(PgTableTest, CommitOfAFailedTransactionIsAnError) {
  IAM_REQUIRE_POSTGRES(url);
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE((*lease)->Begin());
  ASSERT_TRUE(Insert(**lease, 1));
  EXPECT_FALSE(Insert(**lease, 1).has_value());
  EXPECT_FALSE((*lease)->Commit().has_value());
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE((*lease)->Query("SELECT 1").has_value());  // back to normal after the failed commit
}

TEST_F(PgTableTest, AbandonedTransactionIsRolledBackOnReturn) {
  IAM_REQUIRE_POSTGRES(url);
  {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->Begin());
    ASSERT_TRUE(Insert(**lease, 7));
  }
  EXPECT_EQ(db_->Stats().in_use, 0);
  EXPECT_EQ(Count(), 0);
  // Every pooled connection is idle again: a new transaction starts cleanly on each.
  auto a = db_->Acquire();
  auto b = db_->Acquire();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE((*a)->Begin());
  EXPECT_TRUE((*b)->Begin());
  EXPECT_TRUE((*a)->Rollback());
  EXPECT_TRUE((*b)->Rollback());
}

TEST(PostgresDatabaseTest, PoolExhaustionTimesOut) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 2);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto a = (*db)->Acquire();
  auto b = (*db)->Acquire();
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*db)->Stats().in_use, 2);
  EXPECT_EQ((*db)->Stats().size, 2);

  const auto start = std::chrono::steady_clock::now();
  auto c = (*db)->Acquire(milliseconds(150));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(c.error().message.find("exhausted"), std::string::npos);
  EXPECT_GE(waited, milliseconds(150));
  EXPECT_LT(waited, milliseconds(2000));
  EXPECT_EQ((*db)->Stats().acquire_timeouts, 1u);

  // A waiter gets the connection as soon as one is returned.
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(100));
    a = Lease();
  });
  auto d = (*db)->Acquire(milliseconds(5000));
  releaser.join();
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE((*d)->Query("SELECT 1").has_value());
  EXPECT_EQ((*db)->Stats().size, 2);
}

TEST(PostgresDatabaseTest, ManyThreadsShareThePool) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 3);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto lease = (*db)->Acquire(milliseconds(10000));
        if (!lease) {
          ++failures;
          continue;
        }
        auto rs = (*lease)->Query("SELECT $1::bigint * 2", {std::int64_t{t * 100 + i}});
        if (!rs || (*rs)[0].Int(0) != (t * 100 + i) * 2) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  PoolStats stats = (*db)->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_LE(stats.size, 3);
}

TEST(PostgresDatabaseTest, ReconnectsAfterTheBackendIsKilled) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 1);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  std::int64_t pid = 0;
  {
    auto lease = (*db)->Acquire();
    ASSERT_TRUE(lease.has_value());
    pid = BackendPid(**lease);
  }
  KillBackend(url, pid);
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value()) << lease.error().message;
  const std::int64_t new_pid = BackendPid(**lease);
  EXPECT_NE(new_pid, pid);
  EXPECT_NE(new_pid, 0);
  EXPECT_GE((*db)->Stats().reconnects, 1u);
  auto tz = (*lease)->Query("SELECT current_setting('TimeZone')");
  ASSERT_TRUE(tz.has_value());
  EXPECT_EQ((*tz)[0].Text(0), "UTC");  // the session is set up again
}

TEST(PostgresDatabaseTest, RetriesAStatementOnceWhenTheConnectionDropsOutsideATransaction) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 1);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  const std::string sql = "SELECT $1::text || '!'";
  ASSERT_TRUE((*lease)->Query(sql, {std::string("a")}));  // prepared and cached on the old session
  KillBackend(url, BackendPid(**lease));
  auto rs = (*lease)->Query(sql, {std::string("b")});  // same lease: the retry path, re-prepared
  ASSERT_TRUE(rs.has_value()) << rs.error().message;
  EXPECT_EQ((*rs)[0].Text(0), "b!");
  EXPECT_EQ((*db)->Stats().reconnects, 1u);
}

TEST(PostgresDatabaseTest, ConnectionLostInsideATransactionIsUnavailable) {
  IAM_REQUIRE_POSTGRES(url);
  auto db = OpenPg(url, 1);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  {
    auto lease = (*db)->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->Begin());
    KillBackend(url, BackendPid(**lease));
    auto rs = (*lease)->Query("SELECT 1");
    ASSERT_FALSE(rs.has_value());
    EXPECT_EQ(rs.error().kind, ErrorKind::kUnavailable);
    EXPECT_FALSE((*lease)->Rollback().has_value());
  }
  EXPECT_EQ((*db)->Stats().size, 0);  // the broken connection was discarded
  EXPECT_TRUE((*db)->Ping().has_value());
  EXPECT_EQ((*db)->Stats().size, 1);
}

TEST(PostgresDatabaseTest, UnreachableServerIsUnavailableWithoutThePassword) {
  IAM_REQUIRE_POSTGRES(url);
  const int port = UnusedPort();
  const std::string password = "Sup3rS3cretPw";
  LogCapture logs;
  const auto start = std::chrono::steady_clock::now();
  auto db = OpenPg(fmt::format("postgresql://iam:{}@127.0.0.1:{}/iam", password, port));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(db.error().message.find(fmt::format("127.0.0.1:{}", port)), std::string::npos) << db.error().message;
  EXPECT_EQ(db.error().message.find(password), std::string::npos) << db.error().message;
  EXPECT_EQ(logs.text().find(password), std::string::npos) << logs.text();
}

TEST(PostgresDatabaseTest, MalformedUrlIsRejectedWithoutThePassword) {
  IAM_REQUIRE_POSTGRES(url);
  LogCapture logs;
  // An invalid percent-escape makes libpq quote the password in its error message.
  auto db = OpenPg("postgresql://iam:Sup3r%zzS3cret@127.0.0.1:1/iam");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(db.error().message.find("S3cret"), std::string::npos) << db.error().message;
  EXPECT_EQ(logs.text().find("S3cret"), std::string::npos) << logs.text();
  EXPECT_NE(logs.text().find("invalid"), std::string::npos) << logs.text();
}

}  // namespace
}  // namespace iam::store
