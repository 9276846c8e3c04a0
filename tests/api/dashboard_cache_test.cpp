// The cache's guarantees (spec/cache.md 1–7) through the HTTP API against real redis-servers,
// never mocks, over both backends:
//   * MISS then HIT L1; a second instance sharing Redis and prefix gets HIT L2 with its own L1 empty;
//   * read-your-writes for every KPI parameter variant after each kind of write, on the writing
//     instance and on a second one sharing Redis; a second instance with its own L1 learns a write
//     through the database's change notifications within milliseconds (PostgreSQL), and without
//     them serves the old value no longer than its L1 age cap;
//   * tenant isolation of keys, entries and the admin clear (foreign keys in the same Redis DB are
//     never touched); every key carries the prefix and a TTL;
//   * a movement inserted with plain SQL (PostgreSQL) reaching cached KPIs within a bound, measured;
//   * Redis killed, paused, or replaced by a listener that never answers: requests keep answering
//     from the database within a generous bound, the breaker opens, caching resumes by itself, and
//     nothing written meanwhile is later served stale;
//   * 100 concurrent misses run one computation; the L1 byte budget holds under churn; the
//     statistics and /metrics fields.
// Tests that kill or reconfigure Redis start a private redis-server (support/redis_server.hpp);
// the others use the shared one (IAM_TEST_REDIS_URL) under a prefix of their own. Timing bounds are
// generous on purpose (2 shared cores, ASan); measured figures are printed, not asserted.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/access_check_cache.hpp"
#include "api/api_context.hpp"
#include "api/harness/api_harness.hpp"
#include "api/memory_rate_limiter.hpp"
#include "api/routes.hpp"
#include "cache/redis_client.hpp"
#include "cache/redis_tier.hpp"
#include "domain/time_format.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/standard_handler.hpp"
#include "store/change_listener.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::api {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::ApiHarness;
using test::HarnessCache;
using test::HttpResult;
using test::TenantFixture;

std::string UniquePrefix() {
  std::mt19937_64 rng{std::random_device{}()};
  return "iam-dc-" + std::to_string(rng() % 1'000'000'000'000ULL);
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// ---- a blocking HTTP client for instances other than the harness ----

HttpResult HttpCall(unsigned short port, const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& token = {}) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  HttpResult out;
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace(name, std::string(f.value()));
  }
  boost::system::error_code ec;
  out.json = json::parse(out.body, ec);
  if (ec) out.json = nullptr;
  return out;
}

// The database URL of a postgres URL with another database name (as support/temp_database.cpp).
std::string WithDatabase(const std::string& url, const std::string& name) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme + 3);
  auto query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? (query == std::string::npos ? url.size() : query) : slash);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + tail;
}

// ---- a second instance of the service over the harness's database ----
// Built like the harness (and `iam serve`): its own io_context, blocking pool, Redis client and tier,
// Cache, optional change listener, router and server; shares only the database and JWT settings.
class Instance {
 public:
  Instance(ApiHarness& a, const HarnessCache& c, const std::string& listen_url) {
    if (!c.redis_url.empty()) {
      auto opts = cache::ParseRedisUrl(c.redis_url);
      if (!opts) throw std::runtime_error(opts.error().message);
      opts->command_timeout = c.redis_timeout;
      redis_ = std::make_unique<cache::RedisClient>(io_.get_executor(), *opts);
      redis_->Start();
      tier_ = std::make_unique<cache::RedisTier>(*redis_, c.prefix, std::chrono::seconds(14400), c.breaker);
    }
    cache_ = std::make_unique<cache::Cache>(
        cache::CacheOptions{.l1_max_bytes = c.l1_max_bytes, .ttls = {}, .l1_max_age = c.l1_max_age}, tier_.get());
    if (c.remember_access_checks) access_checks_ = std::make_unique<AccessCheckCache>(std::chrono::seconds(1800));
    feed_ = std::make_unique<cache::ChangeFeed>(io_.get_executor(), *cache_, [this] {
      if (access_checks_) access_checks_->BumpAll();
    });
    if (c.listen_changes) listener_ = test::ListenForChanges(listen_url, *feed_, c.heartbeat);
    api_ = std::make_unique<ApiContext>(
        ApiContext{a.db(), blocking_, a.api().auth, limiter_, *cache_, {}, {}, access_checks_.get()});
    RegisterApiRoutes(router_, *api_);
    server_ = std::make_unique<http::Server>(io_, http::ServerOptions{.host = "127.0.0.1", .port = 0},
                                             http::StandardHandler(router_, {.production = false, .cors_origins = {}}));
    auto port = server_->Listen();
    if (!port) throw std::runtime_error(port.error().message);
    port_ = *port;
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~Instance() {
    if (listener_) listener_->Stop();
    io_.stop();
    for (auto& t : threads_) t.join();
    tier_.reset();
    redis_.reset();
    blocking_.join();
    server_.reset();
  }

  HttpResult Get(const std::string& target, const std::string& token) { return HttpCall(port_, "GET", target, {}, token); }
  cache::Cache& cache() { return *cache_; }
  store::ChangeListener* listener() { return listener_.get(); }

 private:
  asio::thread_pool blocking_{4};
  InMemoryRateLimiter limiter_;
  std::unique_ptr<cache::RedisClient> redis_;
  std::unique_ptr<cache::RedisTier> tier_;
  std::unique_ptr<cache::Cache> cache_;
  std::unique_ptr<AccessCheckCache> access_checks_;
  std::unique_ptr<cache::ChangeFeed> feed_;
  std::unique_ptr<store::ChangeListener> listener_;
  std::unique_ptr<ApiContext> api_;
  http::Router router_;
  asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::thread> threads_;
  unsigned short port_ = 0;
};

// ---- the test's own view of a Redis server ----

class RedisAdmin {
 public:
  explicit RedisAdmin(const std::string& url) : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
    auto o = cache::ParseRedisUrl(url);
    if (!o) throw std::runtime_error(o.error().message);
    o->command_timeout = 2000ms;
    o->connect_timeout = 2000ms;
    o->reconnect_min = 20ms;
    o->reconnect_max = 200ms;
    client_ = std::make_unique<cache::RedisClient>(io_.get_executor(), *o);
    client_->Start();
    auto up = asio::co_spawn(io_, client_->WaitConnected(5s), asio::use_future).get();
    if (!up) throw std::runtime_error("redis admin: " + up.error().message);
  }
  ~RedisAdmin() {
    client_.reset();
    guard_.reset();
    io_.stop();
    thread_.join();
  }

  cache::RedisReply Exec(std::vector<std::string> args) {
    auto r = asio::co_spawn(io_, client_->Execute(std::move(args)), asio::use_future).get();
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : cache::RedisReply{};
  }
  std::vector<std::string> Keys(const std::string& pattern) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      auto r = Exec({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (r.elements.size() != 2) break;
      cursor = r.elements[0].str;
      for (const auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    std::sort(keys.begin(), keys.end());
    return keys;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::unique_ptr<cache::RedisClient> client_;
};

// A "Redis" that accepts connections and reads whatever it is sent, and never answers.
class SilentRedis {
 public:
  SilentRedis() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SilentRedis() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_.load(); }

 private:
  struct Conn {
    explicit Conn(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    std::array<char, 4096> buf{};
  };
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted_;
      conns_.push_back(std::make_shared<Conn>(std::move(s)));
      Drain(conns_.back());
      Accept();
    });
  }
  void Drain(std::shared_ptr<Conn> c) {
    c->socket.async_read_some(asio::buffer(c->buf), [this, c](boost::system::error_code ec, std::size_t) {
      if (!ec) Drain(c);
    });
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::list<std::shared_ptr<Conn>> conns_;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// ---- fixtures ----

using Getter = std::function<HttpResult(const std::string& target, const std::string& token)>;

class CacheApiBase : public ::testing::Test {
 protected:
  void TearDown() override {
    others_.clear();  // they use the harness's database
    h.reset();
  }

  // Shared Redis under this test's prefix; a generous command timeout for tests not about outages.
  HarnessCache Shared(std::size_t l1_max_bytes = 16u << 20) const {
    return HarnessCache{.redis_url = redis_url_, .prefix = prefix_, .redis_timeout = 1000ms, .l1_max_bytes = l1_max_bytes};
  }
  void StartHarness(const HarnessCache& c) { h = std::make_unique<ApiHarness>(backend_, pg_url_, nullptr, c); }
  Instance& StartInstance(const HarnessCache& c) {
    std::string listen_url;
    if (c.listen_changes) listen_url = WithDatabase(pg_url_, h->Sql("SELECT current_database()")[0].Text(0));
    others_.push_back(std::make_unique<Instance>(*h, c, listen_url));
    return *others_.back();
  }

  std::int64_t CreateProduct(const TenantFixture& t, const std::string& nombre, double compra, double venta,
                             std::int64_t stock) {
    auto r = h->Post("/productos",
                     json::object{{"nombre", nombre}, {"precioCompra", compra}, {"precioVenta", venta}, {"stock", stock},
                                  {"stockMinimo", 5}},
                     t.admin.token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.at("id").as_int64() : 0;
  }
  std::int64_t CreateMovement(const TenantFixture& t, std::int64_t producto, const std::string& tipo,
                              std::int64_t cantidad) {
    auto r = h->Post("/movimientos", json::object{{"tipo", tipo}, {"cantidad", cantidad}, {"productoId", producto}},
                     t.empleado.token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.at("movimiento").at("id").as_int64() : 0;
  }
  // A movement straight into the database (PostgreSQL announces it; SQLite cannot).
  void InsertMovementSql(const TenantFixture& t, std::int64_t producto) {
    h->Sql(R"(INSERT INTO "MovimientoInventario" ("cantidad", "productoId", "fecha", "tipo", "empresaId", "estado",
                                                  "precioUnitario", "precioTotal", "costoUnitario")
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9))",
           {store::Param(std::int64_t{1}), store::Param(producto), store::Param(FormatIsoMs(NowMs() - 1000)),
            store::Param("ENTRADA"), store::Param(t.empresa_id), store::Param("ACTIVO"), store::Param(10.0),
            store::Param(10.0), store::Param(10.0)});
  }

  json::object Stats(const TenantFixture& t) {
    auto r = h->Get("/auth/admin/cache-stats", t.admin.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.is_object() ? r.json.as_object() : json::object{};
  }

  // Reads `target` until it is served from L1 (a change notification of an earlier write may
  // still be on its way and invalidate once more); the HIT response, or the last one after 2 s.
  static HttpResult WarmUntilHit(const Getter& get, const std::string& target, const std::string& token) {
    HttpResult r;
    const auto deadline = Clock::now() + 2s;
    do {
      r = get(target, token);
      if (XCache(r) == "HIT L1") break;
      std::this_thread::sleep_for(5ms);
    } while (Clock::now() < deadline);
    return r;
  }

  static std::string XCache(const HttpResult& r) {
    std::string tier = r.Header("x-cache-tier");
    return r.Header("x-cache") + (tier.empty() ? "" : " " + tier);
  }
  static std::int64_t MovimientosUltimoMes(const HttpResult& r) {
    return r.json.is_object() ? r.json.at("movimientosUltimoMes").to_number<std::int64_t>() : -1;
  }

  std::string backend_ = "sqlite";
  std::string pg_url_, redis_url_;
  const std::string prefix_ = UniquePrefix();
  std::unique_ptr<ApiHarness> h;
  std::vector<std::unique_ptr<Instance>> others_;
};

class DashboardCacheTest : public CacheApiBase, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam();
    IAM_REQUIRE_REDIS(redis);
    redis_url_ = redis;
    if (backend_ == "postgres") {
      IAM_REQUIRE_POSTGRES(pg);
      pg_url_ = pg;
    }
  }
};

// PostgreSQL only: change notifications.
class DashboardCachePgTest : public CacheApiBase {
 protected:
  void SetUp() override {
    backend_ = "postgres";
    IAM_REQUIRE_REDIS(redis);
    redis_url_ = redis;
    IAM_REQUIRE_POSTGRES(pg);
    pg_url_ = pg;
  }
};

// ---- the KPI probes of read-your-writes ----

struct Probe {
  std::string target;
  std::string token;
  std::string key;  // identity of the cache entry: probes with the same key share it
};

std::vector<Probe> Probes(const TenantFixture& t, const std::vector<std::int64_t>& products) {
  const std::string& a = t.admin.token;
  const std::string& e = t.empleado.token;
  std::vector<Probe> p = {
      {"/dashboard-cqrs/kpis", a, "kpis"},
      {"/dashboard-cqrs/kpis", e, "kpis"},
      {"/dashboard-cqrs/financial-kpis", a, "fin:month"},
      {"/dashboard-cqrs/financial-kpis?period=week", a, "fin:week"},
      {"/dashboard-cqrs/financial-kpis?period=month", a, "fin:month"},
      {"/dashboard-cqrs/financial-kpis?period=quarter", a, "fin:quarter"},
      {"/dashboard-cqrs/financial-kpis?period=year", a, "fin:year"},
      {"/dashboard-cqrs/movement-kpis", e, "mov:7"},
      {"/dashboard-cqrs/movement-kpis?days=1", a, "mov:1"},
      {"/dashboard-cqrs/movement-kpis?days=7", a, "mov:7"},
      {"/dashboard-cqrs/movement-kpis?days=30", e, "mov:30"},
      {"/dashboard-cqrs/movement-kpis?days=365", a, "mov:365"},
      {"/dashboard-cqrs/daily-movements", a, "mov:7"},
      {"/dashboard-cqrs/daily-movements?days=14", e, "mov:14"},
      {"/dashboard-cqrs/predictive-kpis", a, "pred:30"},
      {"/dashboard-cqrs/predictive-kpis?days=7", e, "pred:7"},
      {"/dashboard-cqrs/predictive-kpis?days=30", a, "pred:30"},
      {"/dashboard-cqrs/predictive-kpis?days=90", a, "pred:90"},
      {"/dashboard-cqrs/all-kpis", a, "all:admin"},
      {"/dashboard-cqrs/all-kpis", e, "all:empleado"},
  };
  for (std::int64_t id : products) {
    p.push_back({"/dashboard-cqrs/product-kpis/" + std::to_string(id), a, "prod:" + std::to_string(id)});
    p.push_back({"/dashboard-cqrs/product-kpis/" + std::to_string(id), e, "prod:" + std::to_string(id)});
  }
  return p;
}

std::vector<HttpResult> ReadAll(const Getter& get, const std::vector<Probe>& probes) {
  std::vector<HttpResult> out;
  out.reserve(probes.size());
  for (const auto& p : probes) {
    out.push_back(get(p.target, p.token));
    EXPECT_EQ(out.back().status, 200) << p.target << ": " << out.back().body;
  }
  return out;
}

// ---- 1. MISS, HIT L1, and HIT L2 on another instance ----

TEST_P(DashboardCacheTest, MissThenHitL1ThenHitL2OnAnotherInstanceWithItsOwnL1Empty) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  Instance& b = StartInstance(Shared());
  const std::vector<std::string> targets = {"/dashboard-cqrs/kpis", "/dashboard-cqrs/financial-kpis?period=quarter",
                                            "/dashboard-cqrs/movement-kpis?days=30",
                                            "/dashboard-cqrs/predictive-kpis?days=90", "/dashboard-cqrs/all-kpis",
                                            "/dashboard-cqrs/product-kpis/" + std::to_string(p)};
  EXPECT_EQ(b.cache().l1().entries(), 0u);
  for (const auto& target : targets) {
    SCOPED_TRACE(target);
    auto miss = h->Get(target, t.admin.token);
    ASSERT_EQ(miss.status, 200) << miss.body;
    EXPECT_EQ(XCache(miss), "MISS");
    auto hit = h->Get(target, t.admin.token);
    EXPECT_EQ(XCache(hit), "HIT L1");
    EXPECT_EQ(hit.body, miss.body);

    const std::size_t b_entries = b.cache().l1().entries();
    auto l2 = b.Get(target, t.admin.token);
    ASSERT_EQ(l2.status, 200) << l2.body;
    EXPECT_EQ(XCache(l2), "HIT L2") << "B's L1 held " << b_entries << " entries before";
    EXPECT_EQ(l2.body, miss.body);
    auto l1 = b.Get(target, t.admin.token);
    EXPECT_EQ(XCache(l1), "HIT L1");
    EXPECT_EQ(l1.body, miss.body);
  }
  // B never computed anything: every value came from A through Redis.
  auto computations = b.cache().Snapshot().computations;
  std::uint64_t total = 0;
  for (auto n : computations) total += n;
  EXPECT_EQ(total, 0u);
  // forceRefresh bypasses and replaces.
  auto bypass = h->Get("/dashboard-cqrs/kpis?forceRefresh=true", t.admin.token);
  EXPECT_EQ(XCache(bypass), "BYPASS");
}

// ---- 2. read-your-writes, every variant, every kind of write, two instances ----

TEST_P(DashboardCacheTest, ReadYourWritesForEveryVariantAfterEveryKindOfWriteOnBothInstances) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  std::vector<std::int64_t> products = {CreateProduct(t, "P1", 10, 15, 40), CreateProduct(t, "P2", 20, 30, 12)};
  CreateMovement(t, products[0], "SALIDA", 3);
  CreateMovement(t, products[1], "ENTRADA", 4);
  Instance& b = StartInstance(Shared(/*l1_max_bytes=*/0));  // L2 only
  const Getter on_a = [&](const std::string& target, const std::string& token) { return h->Get(target, token); };
  const Getter on_b = [&](const std::string& target, const std::string& token) { return b.Get(target, token); };

  std::int64_t movement = 0, supplier = 0;
  struct Write {
    std::string name;
    std::function<int()> run;
    // Checks the kpis body after the write against the one before.
    std::function<void(const json::object& before, const json::object& after)> check;
  };
  auto num = [](const json::object& o, const char* f) { return o.at(f).to_number<double>(); };
  const std::vector<Write> writes = {
      {"movement created",
       [&] {
         auto r = h->Post("/movimientos", json::object{{"tipo", "ENTRADA"}, {"cantidad", 5}, {"productoId", products[0]}},
                          t.empleado.token);
         movement = r.json.is_object() ? r.json.at("movimiento").at("id").as_int64() : 0;
         return r.status;
       },
       [&](const json::object& x, const json::object& y) {
         EXPECT_EQ(num(y, "movimientosUltimoMes"), num(x, "movimientosUltimoMes") + 1);
       }},
      {"movement deleted", [&] { return h->Delete("/movimientos/" + std::to_string(movement), t.admin.token).status; },
       [&](const json::object& x, const json::object& y) {
         EXPECT_EQ(num(y, "movimientosUltimoMes"), num(x, "movimientosUltimoMes") - 1);
       }},
      {"movement restored",
       [&] {
         return h->Patch("/movimientos/" + std::to_string(movement) + "/restaurar", json::object{}, t.admin.token).status;
       },
       [&](const json::object& x, const json::object& y) {
         EXPECT_EQ(num(y, "movimientosUltimoMes"), num(x, "movimientosUltimoMes") + 1);
       }},
      {"product created",
       [&] {
         auto r = h->Post("/productos",
                          json::object{{"nombre", "P3"}, {"precioCompra", 7}, {"precioVenta", 9}, {"stock", 6}},
                          t.admin.token);
         if (r.json.is_object()) products.push_back(r.json.at("id").as_int64());
         return r.status;
       },
       [&](const json::object& x, const json::object& y) {
         EXPECT_EQ(num(y, "totalProductos"), num(x, "totalProductos") + 1);
       }},
      {"product price changed",
       [&] {
         return h->Patch("/productos/" + std::to_string(products[1]), json::object{{"precioCompra", 25}}, t.admin.token)
             .status;
       },
       [&](const json::object& x, const json::object& y) {
         EXPECT_NE(num(y, "valorTotalInventario"), num(x, "valorTotalInventario"));
       }},
      {"product deactivated",
       [&] {
         return h->Request("PATCH", "/productos/" + std::to_string(products[1]) + "/desactivar", {}, t.admin.token).status;
       },
       [&](const json::object& x, const json::object& y) {
         EXPECT_LT(num(y, "valorTotalInventario"), num(x, "valorTotalInventario"));
       }},
      {"product deleted (estado)",
       [&] { return h->Delete("/productos/" + std::to_string(products[1]), t.admin.token).status; },
       [&](const json::object& x, const json::object& y) {
         EXPECT_EQ(num(y, "totalProductos"), num(x, "totalProductos") - 1);
       }},
      {"supplier created",
       [&] {
         auto r = h->Post("/proveedores", json::object{{"nombre", "Lácteos"}}, t.admin.token);
         supplier = r.json.is_object() ? r.json.at("id").as_int64() : 0;
         return r.status;
       },
       nullptr},
      {"supplier updated",
       [&] {
         return h->Put("/proveedores/" + std::to_string(supplier), json::object{{"nombre", "Lácteos SA"}}, t.admin.token)
             .status;
       },
       nullptr},
  };

  // Round 0 warms A; a product created by a write is warmed before the next round.
  ReadAll(on_a, Probes(t, products));
  std::size_t warmed_products = products.size();
  for (const Write& w : writes) {
    SCOPED_TRACE(w.name);
    if (products.size() > warmed_products) {
      ReadAll(on_a, Probes(t, std::vector<std::int64_t>(products.begin() + warmed_products, products.end())));
      warmed_products = products.size();
    }
    const std::vector<Probe> probes = Probes(t, products);
    // (1) A serves every variant from L1, (2) B from L2 (A's values).
    auto a_before = ReadAll(on_a, probes);
    auto b_before = ReadAll(on_b, probes);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(XCache(a_before[i]), "HIT L1") << probes[i].target;
      EXPECT_EQ(XCache(b_before[i]), "HIT L2") << probes[i].target;
      EXPECT_EQ(b_before[i].body, a_before[i].body) << probes[i].target;
    }
    // (3) The write, acknowledged by A.
    const int status = w.run();
    ASSERT_GE(status, 200);
    ASSERT_LT(status, 300);
    // (4) On A, the first read of each entry misses; a later probe of the same entry gets that
    // fresh value. Never the pre-write body.
    auto a_after = ReadAll(on_a, probes);
    std::map<std::string, std::string> fresh;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const Probe& p = probes[i];
      EXPECT_NE(a_after[i].body, a_before[i].body) << p.target << " served the pre-write body on A";
      if (auto it = fresh.find(p.key); it == fresh.end()) {
        EXPECT_EQ(XCache(a_after[i]), "MISS") << p.target;
        fresh[p.key] = a_after[i].body;
      } else {
        EXPECT_EQ(a_after[i].body, it->second) << p.target;
      }
    }
    if (w.check) w.check(a_before[0].json.as_object(), a_after[0].json.as_object());
    // (5) On B (L2 only), A's fresh values; never a pre-write body.
    auto b_after = ReadAll(on_b, probes);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      EXPECT_NE(b_after[i].body, b_before[i].body) << probes[i].target << " served the pre-write body on B";
      EXPECT_EQ(b_after[i].body, fresh[probes[i].key]) << probes[i].target << " " << XCache(b_after[i]);
    }
  }
}

// ---- 3 (cross-instance L1). B keeps its own L1; PostgreSQL tells it about A's write. ----

TEST_F(DashboardCachePgTest, AnotherInstancesL1LearnsAWriteThroughChangeNotifications) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  HarnessCache bc = Shared();
  bc.listen_changes = true;
  Instance& b = StartInstance(bc);
  const Getter on_b = [&](const std::string& target, const std::string& token) { return b.Get(target, token); };
  std::vector<double> took;
  for (int rep = 0; rep < 5; ++rep) {
    auto warm = WarmUntilHit(on_b, "/dashboard-cqrs/kpis", t.admin.token);
    ASSERT_EQ(XCache(warm), "HIT L1");
    const std::int64_t before = MovimientosUltimoMes(warm);
    CreateMovement(t, p, "ENTRADA", 1);  // acknowledged by A
    const auto acked = Clock::now();
    std::int64_t seen = before;
    while (Clock::now() - acked < 2s) {
      auto r = b.Get("/dashboard-cqrs/kpis", t.admin.token);
      ASSERT_EQ(r.status, 200);
      seen = MovimientosUltimoMes(r);
      if (seen != before) break;
      std::this_thread::sleep_for(5ms);
    }
    took.push_back(Ms(Clock::now() - acked));
    EXPECT_EQ(seen, before + 1) << "B's L1 still served the pre-write value 2 s after A acknowledged the write";
  }
  std::sort(took.begin(), took.end());
  std::printf("[cross-instance L1 via NOTIFY] write acknowledged on A -> visible on B: median %.1f ms, max %.1f ms (n=%zu)\n",
              took[took.size() / 2], took.back(), took.size());
}

// With the listener's heartbeats, B's L1 serves entries older than its age cap while B is provably
// caught up with the database's commits, still learns A's writes within milliseconds, and falls
// back to the age cap as soon as the heartbeats stop.
TEST_F(DashboardCachePgTest, HeartbeatsLetL1ServeEntriesOlderThanTheAgeCapWhileCaughtUp) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  HarnessCache bc = Shared();
  bc.listen_changes = true;
  bc.l1_max_age = 500ms;  // generous: the heartbeats' round trips must fit in it on a loaded CI machine
  bc.heartbeat = 20ms;
  Instance& b = StartInstance(bc);
  const Getter on_b = [&](const std::string& target, const std::string& token) { return b.Get(target, token); };
  const std::string kpis = "/dashboard-cqrs/kpis";

  for (int rep = 0; rep < 2; ++rep) {
    auto warm = WarmUntilHit(on_b, kpis, t.admin.token);
    ASSERT_EQ(XCache(warm), "HIT L1");
    const std::int64_t before = MovimientosUltimoMes(warm);
    std::this_thread::sleep_for(1200ms);  // the entry is now older than the 500 ms cap
    auto old = b.Get(kpis, t.admin.token);
    EXPECT_EQ(XCache(old), "HIT L1") << "caught up (lag " << b.cache().ChangeLag().value_or(-1ms).count()
                                     << " ms): an entry older than the cap is still exact";
    EXPECT_EQ(old.body, warm.body);

    CreateMovement(t, p, "ENTRADA", 1);
    const auto acked = Clock::now();
    std::int64_t seen = before;
    while (Clock::now() - acked < 3s && seen == before) {
      seen = MovimientosUltimoMes(b.Get(kpis, t.admin.token));
      if (seen == before) std::this_thread::sleep_for(2ms);
    }
    EXPECT_EQ(seen, before + 1) << "B's L1 still served the pre-write value 3 s after A acknowledged the write";
    for (int i = 0; i < 5; ++i) EXPECT_EQ(MovimientosUltimoMes(b.Get(kpis, t.admin.token)), before + 1);
  }
  EXPECT_GT(b.listener()->Stats().heartbeats_received, 0u);

  // Heartbeats stop (listener gone): once the last confirmation is older than the cap, entries
  // older than the cap are not served from L1 any more.
  auto warm = WarmUntilHit(on_b, kpis, t.admin.token);
  ASSERT_EQ(XCache(warm), "HIT L1");
  b.listener()->Stop();
  std::this_thread::sleep_for(1200ms);
  auto after = b.Get(kpis, t.admin.token);
  EXPECT_NE(XCache(after), "HIT L1") << "no heartbeat for 1.2 s: the 500 ms cap applies again";
  EXPECT_EQ(after.body, warm.body);
}

// Remembered token checks follow the same lease: B keeps one older than its age cap while caught
// up, and a logout on A (announced as "auth") ends the token on B at once, not after the lease.
TEST_F(DashboardCachePgTest, ALogoutOnOneInstanceEndsTheTokenOnAnotherAtOnce) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  HarnessCache bc = Shared();
  bc.listen_changes = true;
  bc.l1_max_age = 500ms;
  bc.heartbeat = 20ms;
  bc.remember_access_checks = true;
  Instance& b = StartInstance(bc);
  const std::string kpis = "/dashboard-cqrs/kpis";
  ASSERT_EQ(b.Get(kpis, t.admin.token).status, 200);
  std::this_thread::sleep_for(1200ms);
  ASSERT_EQ(b.Get(kpis, t.admin.token).status, 200);

  ASSERT_EQ(h->Post("/auth/logout", json::object{}, t.admin.token).status, 200);
  const auto acked = Clock::now();
  int status = 200;
  while (Clock::now() - acked < 5s && status == 200) {
    status = b.Get(kpis, t.admin.token).status;
    if (status == 200) std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(status, 401) << "B still accepted the token 5 s after the logout on A";
  std::printf("[cross-instance logout] acknowledged on A -> rejected on B after %.1f ms\n", Ms(Clock::now() - acked));
  EXPECT_EQ(b.Get(kpis, t.admin.token).status, 401);
}

// Without notifications (SQLite, or a listener that is down), another instance's L1 is bounded by
// its age cap (l1_max_age): once that has passed since the write, B never serves the old value.
TEST_P(DashboardCacheTest, AnotherInstancesL1IsBoundedByItsAgeCapWithoutNotifications) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  HarnessCache bc = Shared();
  bc.l1_max_age = 300ms;
  Instance& b = StartInstance(bc);
  const Getter on_b = [&](const std::string& target, const std::string& token) { return b.Get(target, token); };
  std::vector<double> took;
  for (int rep = 0; rep < 3; ++rep) {
    auto warm = WarmUntilHit(on_b, "/dashboard-cqrs/kpis", t.admin.token);
    ASSERT_EQ(XCache(warm), "HIT L1");
    const std::int64_t before = MovimientosUltimoMes(warm);
    CreateMovement(t, p, "ENTRADA", 1);
    const auto acked = Clock::now();
    std::int64_t seen = before;
    while (Clock::now() - acked < 3s) {
      auto r = b.Get("/dashboard-cqrs/kpis", t.admin.token);
      ASSERT_EQ(r.status, 200);
      seen = MovimientosUltimoMes(r);
      if (seen != before) {
        EXPECT_NE(XCache(r), "HIT L1") << "the new value can only come from L2 or the database";
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    took.push_back(Ms(Clock::now() - acked));
    EXPECT_EQ(seen, before + 1);
    EXPECT_LT(took.back(), 2000.0) << "far beyond the 300 ms age cap";
    // From then on B never goes back to the old value.
    for (int i = 0; i < 5; ++i) EXPECT_EQ(MovimientosUltimoMes(b.Get("/dashboard-cqrs/kpis", t.admin.token)), before + 1);
  }
  std::sort(took.begin(), took.end());
  std::printf("[cross-instance L1, age cap 300 ms, no notifications] write on A -> visible on B: median %.0f ms, "
              "max %.0f ms\n",
              took[took.size() / 2], took.back());
}

// ---- 4. tenant isolation and the admin clear ----

TEST_P(DashboardCacheTest, TenantIsolationOfEntriesKeysAndClear) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  RedisAdmin redis(redis_url_);
  TenantFixture a = h->CreateTenant("A");
  TenantFixture b = h->CreateTenant("B");
  const std::int64_t pa1 = CreateProduct(a, "A1", 10, 15, 20), pa2 = CreateProduct(a, "A2", 5, 9, 3);
  const std::int64_t pb = CreateProduct(b, "B1", 100, 150, 2);
  (void)pa2;
  const std::string kpis = "/dashboard-cqrs/kpis", pk_a = "/dashboard-cqrs/product-kpis/" + std::to_string(pa1),
                    pk_b = "/dashboard-cqrs/product-kpis/" + std::to_string(pb);
  const std::vector<std::pair<std::string, const TenantFixture*>> reads = {
      {kpis, &a}, {pk_a, &a}, {"/dashboard-cqrs/all-kpis", &a}, {kpis, &b}, {pk_b, &b}, {"/dashboard-cqrs/all-kpis", &b}};
  std::map<std::string, std::string> body;
  for (const auto& [target, t] : reads) {
    auto r = h->Get(target, t->admin.token);
    ASSERT_EQ(r.status, 200) << r.body;
    body[t->admin.email + target] = r.body;
  }
  // Each tenant sees its own values under the same target.
  EXPECT_EQ(h->Get(kpis, a.admin.token).json.at("totalProductos"), 2);
  EXPECT_EQ(h->Get(kpis, b.admin.token).json.at("totalProductos"), 1);
  // A's token cannot reach B's product entry (nor is a 404 cached as anything).
  for (int i = 0; i < 2; ++i) {
    auto cross = h->Get(pk_b, a.admin.token);
    EXPECT_EQ(cross.status, 404) << cross.body;
    EXPECT_EQ(cross.body.find("\"B1\""), std::string::npos) << cross.body;
  }

  // A writes: B's entries stay HIT with the same bodies; A's miss.
  CreateMovement(a, pa1, "ENTRADA", 2);
  for (const auto& [target, t] : reads) {
    auto r = h->Get(target, t->admin.token);
    if (t == &b) {
      EXPECT_EQ(XCache(r), "HIT L1") << target;
      EXPECT_EQ(r.body, body[t->admin.email + target]) << target;
    } else {
      EXPECT_EQ(XCache(r), "MISS") << target;
    }
  }

  // Every key is under the prefix and carries its tenant's hash tag.
  const std::string tag_a = prefix_ + ":{t" + std::to_string(a.empresa_id) + "}:";
  const std::string tag_b = prefix_ + ":{t" + std::to_string(b.empresa_id) + "}:";
  auto ours = redis.Keys(prefix_ + ":*");
  std::vector<std::string> keys_a, keys_b;
  for (const auto& k : ours) {
    if (k.starts_with(tag_a)) keys_a.push_back(k);
    else if (k.starts_with(tag_b)) keys_b.push_back(k);
    else ADD_FAILURE() << "key without a tenant tag: " << k;
  }
  // A: 3 entries (those recomputed after its write replaced the older ones) and its generation
  // key; B: 3 entries and its generation key (bumped when its product was created).
  EXPECT_EQ(keys_a.size(), 4u) << ::testing::PrintToString(keys_a);
  EXPECT_EQ(keys_b.size(), 4u) << ::testing::PrintToString(keys_b);
  EXPECT_TRUE(std::find(keys_a.begin(), keys_a.end(), tag_a + "gen") != keys_a.end());

  // Foreign keys in the same DB: another application's, and one under another prefix's tenant tag.
  const std::string foreign = "other-app-" + prefix_ + ":key";
  const std::string foreign_tagged = "other-" + prefix_ + ":{t" + std::to_string(a.empresa_id) + "}:kpis:0:x";
  redis.Exec({"SET", foreign, "theirs", "EX", "300"});
  redis.Exec({"SET", foreign_tagged, "theirs too", "EX", "300"});

  // ADMIN of A clears A's entries only.
  auto cleared = h->Request("POST", "/auth/admin/cache/clear", {}, a.admin.token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json.at("scope"), "tenant");
  EXPECT_EQ(cleared.json.at("redisKeysDeleted").to_number<std::int64_t>(),
            static_cast<std::int64_t>(keys_a.size()) - 1);  // all but the generation key
  EXPECT_EQ(redis.Keys(tag_a + "*"), std::vector<std::string>{tag_a + "gen"});
  EXPECT_EQ(redis.Keys(tag_b + "*"), keys_b);
  EXPECT_EQ(redis.Exec({"GET", foreign}).str, "theirs");
  EXPECT_EQ(redis.Exec({"GET", foreign_tagged}).str, "theirs too");
  EXPECT_EQ(XCache(h->Get(kpis, a.admin.token)), "MISS");
  EXPECT_EQ(XCache(h->Get(kpis, b.admin.token)), "HIT L1");

  // scope=all: 403 for an ADMIN; a SUPERADMIN deletes this application's keys only.
  auto forbidden = h->Request("POST", "/auth/admin/cache/clear?scope=all", {}, a.admin.token);
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_FALSE(redis.Keys(tag_b + "*").empty());
  auto root = h->CreateUser(std::nullopt, "SUPERADMIN", "root@" + prefix_ + ".test");
  auto all = h->Request("POST", "/auth/admin/cache/clear?scope=all", {}, root.token);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json.at("scope"), "all");
  for (const auto& k : redis.Keys(prefix_ + ":*")) EXPECT_TRUE(k.ends_with(":gen")) << "left behind: " << k;
  EXPECT_EQ(redis.Exec({"GET", foreign}).str, "theirs");
  EXPECT_EQ(redis.Exec({"GET", foreign_tagged}).str, "theirs too");
  EXPECT_EQ(XCache(h->Get(kpis, b.admin.token)), "MISS") << "scope=all clears L1 too";
  redis.Exec({"DEL", foreign, foreign_tagged});
}

// ---- 5. every key has the prefix and a TTL (private server: every key in it is ours) ----

TEST_P(DashboardCacheTest, EveryKeyWrittenHasThePrefixAndATtl) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  HarnessCache c = Shared();
  c.redis_url = server.url();
  ASSERT_NO_THROW(StartHarness(c));
  TenantFixture t = h->CreateTenant("Acme");
  TenantFixture u = h->CreateTenant("Other");
  std::vector<std::int64_t> products = {CreateProduct(t, "P1", 10, 15, 40), CreateProduct(t, "P2", 20, 30, 12)};
  const Getter on_a = [&](const std::string& target, const std::string& token) { return h->Get(target, token); };
  ReadAll(on_a, Probes(t, products));
  CreateMovement(t, products[0], "SALIDA", 2);
  ReadAll(on_a, Probes(t, products));
  ReadAll(on_a, Probes(u, {}));
  h->Request("POST", "/auth/admin/cache/clear", {}, u.admin.token);
  ReadAll(on_a, Probes(u, {}));

  RedisAdmin redis(server.url());
  auto keys = redis.Keys("*");
  ASSERT_GT(keys.size(), 30u);
  const cache::CacheTtls ttls;
  std::set<std::string> categories;
  for (const auto& k : keys) {
    EXPECT_TRUE(k.starts_with(prefix_ + ":{t")) << k;
    const std::int64_t pttl = redis.Exec({"PTTL", k}).integer;
    EXPECT_GT(pttl, 0) << k;
    // <prefix>:{t<id>}:<category>:<variant>, or …:gen (a lock, lock:…, has expired by now).
    const auto tag_end = k.find("}:");
    ASSERT_NE(tag_end, std::string::npos) << k;
    const std::string rest = k.substr(tag_end + 2);
    if (rest == "gen") {
      EXPECT_LE(pttl, 2 * 7200 * 1000) << k;
      continue;
    }
    const std::string category = rest.substr(0, rest.find(':'));
    categories.insert(category);
    bool known = false;
    for (std::size_t i = 0; i < cache::kCategoryCount; ++i) {
      const auto cat = static_cast<cache::Category>(i);
      if (cache::CategoryName(cat) != category) continue;
      known = true;
      EXPECT_LE(pttl, std::chrono::duration_cast<std::chrono::milliseconds>(ttls.For(cat)).count()) << k;
    }
    EXPECT_TRUE(known) << k;
  }
  EXPECT_EQ(categories, (std::set<std::string>{"kpis", "financial-kpis", "product-kpis", "movement-kpis",
                                                "predictive-kpis"}));
}

// ---- 6. a movement inserted with plain SQL reaches cached KPIs within a bound ----

TEST_F(DashboardCachePgTest, PlainSqlMovementBecomesVisibleInCachedKpisWithinTheBound) {
  HarnessCache c = Shared();
  c.listen_changes = true;
  ASSERT_NO_THROW(StartHarness(c));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  const Getter on_a = [&](const std::string& target, const std::string& token) { return h->Get(target, token); };
  std::vector<double> took, notified;
  for (int rep = 0; rep < 20; ++rep) {
    auto warm = WarmUntilHit(on_a, "/dashboard-cqrs/kpis", t.admin.token);
    ASSERT_EQ(XCache(warm), "HIT L1");
    const std::int64_t before = MovimientosUltimoMes(warm);
    const std::uint64_t invalidations = h->cache().Snapshot().invalidations;
    InsertMovementSql(t, p);  // committed when it returns
    const auto committed = Clock::now();
    // The notification's own latency (commit -> the cache invalidated the tenant), sampled finely...
    while (h->cache().Snapshot().invalidations == invalidations && Clock::now() - committed < 2s)
      std::this_thread::sleep_for(100us);
    notified.push_back(Ms(Clock::now() - committed));
    // ... and what a dashboard sees: the new value, polling every 10 ms.
    std::int64_t seen = before;
    while (Clock::now() - committed < 2s) {
      seen = MovimientosUltimoMes(h->Get("/dashboard-cqrs/kpis", t.admin.token));
      if (seen != before) break;
      std::this_thread::sleep_for(10ms);
    }
    took.push_back(Ms(Clock::now() - committed));
    ASSERT_EQ(seen, before + 1) << "rep " << rep << ": not visible within 2 s";
  }
  std::sort(took.begin(), took.end());
  std::sort(notified.begin(), notified.end());
  std::printf("[plain SQL -> cached kpis] commit -> tenant invalidated by NOTIFY: median %.2f ms, p90 %.2f ms, "
              "max %.2f ms; commit -> new value in /kpis: median %.1f ms, p90 %.1f ms, max %.1f ms (n=%zu)\n",
              notified[notified.size() / 2], notified[notified.size() * 9 / 10], notified.back(),
              took[took.size() / 2], took[took.size() * 9 / 10], took.back(), took.size());
  RecordProperty("plain_sql_invalidation_median_ms", std::to_string(notified[notified.size() / 2]));
  RecordProperty("plain_sql_visibility_median_ms", std::to_string(took[took.size() / 2]));
}

// ---- 7. Redis killed mid-run, then restarted empty ----

TEST_P(DashboardCacheTest, RedisKilledMidRunRequestsKeepSucceedingBreakerOpensCachingResumes) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  HarnessCache c{.redis_url = server.url(), .prefix = prefix_, .redis_timeout = 50ms, .l1_max_bytes = 0};
  c.breaker = {.failure_threshold = 5, .open_initial = 100ms, .open_max = 400ms, .probe_timeout = 2000ms};
  ASSERT_NO_THROW(StartHarness(c));  // L1 disabled: every read depends on Redis
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  const std::string kpis = "/dashboard-cqrs/kpis";
  EXPECT_EQ(XCache(h->Get(kpis, t.admin.token)), "MISS");
  auto cached = h->Get(kpis, t.admin.token);
  ASSERT_EQ(XCache(cached), "HIT L2");
  const std::int64_t before = MovimientosUltimoMes(cached);

  ASSERT_TRUE(server.Stop());
  double slowest = 0;
  for (int i = 0; i < 30; ++i) {
    const auto t0 = Clock::now();
    auto r = h->Get(i % 2 ? kpis : "/dashboard-cqrs/movement-kpis?days=" + std::to_string(1 + i), t.admin.token);
    slowest = std::max(slowest, Ms(Clock::now() - t0));
    ASSERT_EQ(r.status, 200) << r.body;
    if (i % 2) {
      EXPECT_EQ(MovimientosUltimoMes(r), before);
    }
  }
  EXPECT_LT(slowest, 1000.0);
  auto stats = Stats(t);
  EXPECT_EQ(stats.at("redisConnected"), false);
  const auto& redis_stats = stats.at("redis").as_object();
  EXPECT_GT(redis_stats.at("breakerOpened").to_number<std::int64_t>(), 0) << json::serialize(redis_stats);

  // A movement written during the outage: acknowledged, and reflected at once.
  const auto w0 = Clock::now();
  CreateMovement(t, p, "ENTRADA", 1);
  EXPECT_LT(Ms(Clock::now() - w0), 1000.0);
  EXPECT_EQ(MovimientosUltimoMes(h->Get(kpis, t.admin.token)), before + 1);
  std::printf("[redis killed] slowest KPI request during the outage: %.1f ms\n", slowest);

  // Redis comes back empty on the same port: caching resumes by itself, the outage write is kept.
  ASSERT_TRUE(server.Restart()) << server.error();
  const auto back = Clock::now();
  bool hit = false;
  while (!hit && Clock::now() - back < 8s) {
    auto r = h->Get(kpis, t.admin.token);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(MovimientosUltimoMes(r), before + 1) << XCache(r);
    hit = XCache(r) == "HIT L2";
    if (!hit) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(hit) << "no HIT L2 within 8 s of Redis coming back; stats: " << json::serialize(Stats(t));
  std::printf("[redis killed] restarted -> HIT L2 again after %.0f ms\n", Ms(Clock::now() - back));
  stats = Stats(t);
  EXPECT_EQ(stats.at("redis").at("breaker"), "closed");
  EXPECT_EQ(stats.at("redisConnected"), true);
  EXPECT_EQ(stats.at("pendingRedisInvalidations"), 0);
}

// ---- 7b. Redis paused (SIGSTOP: connections accepted, nothing answered), then resumed ----

TEST_P(DashboardCacheTest, RedisPausedRequestsAnswerWithinTheTimeoutAndTheWriteIsReflectedAfter) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  HarnessCache c{.redis_url = server.url(), .prefix = prefix_, .redis_timeout = 50ms, .l1_max_bytes = 0};
  c.breaker = {.failure_threshold = 5, .open_initial = 100ms, .open_max = 400ms, .probe_timeout = 2000ms};
  ASSERT_NO_THROW(StartHarness(c));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  const std::string kpis = "/dashboard-cqrs/kpis";
  h->Get(kpis, t.admin.token);
  auto cached = h->Get(kpis, t.admin.token);
  ASSERT_EQ(XCache(cached), "HIT L2");
  const std::int64_t before = MovimientosUltimoMes(cached);

  ASSERT_TRUE(server.Pause());
  double slowest = 0;
  const auto w0 = Clock::now();
  CreateMovement(t, p, "ENTRADA", 1);  // its invalidation cannot reach Redis
  slowest = Ms(Clock::now() - w0);
  for (int i = 0; i < 20; ++i) {
    const auto t0 = Clock::now();
    auto r = h->Get(kpis, t.admin.token);
    slowest = std::max(slowest, Ms(Clock::now() - t0));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(MovimientosUltimoMes(r), before + 1) << "read " << i << " during the pause: " << XCache(r);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(slowest, 1000.0);
  std::printf("[redis paused] slowest request during the pause: %.1f ms\n", slowest);
  ASSERT_TRUE(server.Resume());

  // Redis still holds the pre-write entry under the old generation: it must never be served.
  const auto back = Clock::now();
  bool hit = false;
  while (!hit && Clock::now() - back < 8s) {
    auto r = h->Get(kpis, t.admin.token);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(MovimientosUltimoMes(r), before + 1) << "served the pre-write value after Redis resumed: " << XCache(r);
    hit = XCache(r) == "HIT L2";
    if (!hit) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(hit) << "no HIT L2 within 8 s of Redis resuming; stats: " << json::serialize(Stats(t));
  std::printf("[redis paused] resumed -> HIT L2 again after %.0f ms\n", Ms(Clock::now() - back));
}

// ---- 8. a "Redis" that accepts connections and never answers ----

TEST_P(DashboardCacheTest, RedisThatNeverAnswersDoesNotHoldRequests) {
  SilentRedis silent;
  HarnessCache c{.redis_url = "redis://127.0.0.1:" + std::to_string(silent.port()) + "/0", .prefix = prefix_,
                 .redis_timeout = 50ms};
  ASSERT_NO_THROW(StartHarness(c));
  TenantFixture t = h->CreateTenant("Acme");
  const std::int64_t p = CreateProduct(t, "P1", 10, 15, 20);
  double slowest = 0;
  for (int i = 0; i < 12; ++i) {
    const auto t0 = Clock::now();
    auto r = h->Get(i % 3 == 0   ? "/dashboard-cqrs/kpis"
                    : i % 3 == 1 ? "/dashboard-cqrs/product-kpis/" + std::to_string(p)
                                 : "/dashboard-cqrs/movement-kpis?days=" + std::to_string(i),
                    t.admin.token);
    slowest = std::max(slowest, Ms(Clock::now() - t0));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_LT(slowest, 1000.0);
  EXPECT_GT(silent.accepted(), 0) << "the client never even connected to the silent server";
  CreateMovement(t, p, "ENTRADA", 1);
  auto r = h->Get("/dashboard-cqrs/kpis", t.admin.token);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(XCache(r), "MISS");
  EXPECT_EQ(Stats(t).at("redisConnected"), false);
  std::printf("[silent redis] slowest request: %.1f ms\n", slowest);
}

// ---- 9. 100 concurrent misses on one key: one computation ----

TEST_P(DashboardCacheTest, HundredConcurrentRequestsOnAColdKeyComputeOnce) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Fresh");
  CreateProduct(t, "P1", 10, 15, 20);
  const auto before = h->cache().Snapshot();
  const auto idx = static_cast<std::size_t>(cache::Category::kPredictiveKpis);
  std::atomic<bool> go{false};
  std::vector<HttpResult> results(100);
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i)
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = h->Get("/dashboard-cqrs/predictive-kpis?days=45", t.empleado.token);
    });
  go = true;
  for (auto& th : threads) th.join();
  int misses = 0;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, results[0].body);
    misses += r.Header("x-cache") == "MISS";
  }
  const auto after = h->cache().Snapshot();
  EXPECT_EQ(after.computations[idx] - before.computations[idx], 1u);
  EXPECT_EQ(misses, 1);
  std::printf("[100 concurrent] computations 1, joined the computation: %llu, later L1 hits: %d\n",
              static_cast<unsigned long long>(after.single_flight_shared - before.single_flight_shared),
              100 - misses - static_cast<int>(after.single_flight_shared - before.single_flight_shared));
}

// ---- 10. the L1 byte budget under churn ----

TEST_P(DashboardCacheTest, L1ByteBudgetIsNeverExceededUnderChurn) {
  constexpr std::size_t kBudget = 96 * 1024;
  ASSERT_NO_THROW(StartHarness(Shared(kBudget)));
  TenantFixture t = h->CreateTenant("Acme");
  TenantFixture u = h->CreateTenant("Other");
  std::vector<std::int64_t> products;
  for (int i = 0; i < 12; ++i) products.push_back(CreateProduct(i % 2 ? t : u, "P" + std::to_string(i), 10 + i, 20 + i, 5 + i));
  for (int i = 0; i < 6; ++i) CreateMovement(i % 2 ? t : u, products[i], "SALIDA", 1);

  std::atomic<bool> done{false};
  std::atomic<std::size_t> max_seen{0}, samples{0}, over{0};
  std::thread sampler([&] {
    while (!done.load()) {
      const std::size_t b = h->cache().l1().bytes();
      if (b > kBudget) ++over;
      std::size_t m = max_seen.load();
      while (b > m && !max_seen.compare_exchange_weak(m, b)) {
      }
      ++samples;
      std::this_thread::sleep_for(200us);
    }
  });
  std::atomic<int> stats_over{0}, stats_checks{0};
  auto worker = [&](int seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < 150; ++i) {
      const TenantFixture& who = rng() % 2 ? t : u;
      std::string target;
      switch (rng() % 5) {
        case 0: target = "/dashboard-cqrs/movement-kpis?days=" + std::to_string(1 + rng() % 120); break;
        case 1: target = "/dashboard-cqrs/predictive-kpis?days=" + std::to_string(1 + rng() % 365); break;
        case 2: target = "/dashboard-cqrs/product-kpis/" + std::to_string(products[rng() % products.size()]); break;
        case 3: target = std::string("/dashboard-cqrs/financial-kpis?period=") +
                         std::array{"week", "month", "quarter", "year"}[rng() % 4];
                break;
        default: target = "/dashboard-cqrs/all-kpis"; break;
      }
      auto r = h->Get(target, who.admin.token);
      EXPECT_TRUE(r.status == 200 || r.status == 404) << target << " " << r.body;
      if (i % 25 == 0) {
        auto s = h->Get("/auth/admin/cache-stats", t.admin.token);
        const auto& l1 = s.json.at("l1");
        ++stats_checks;
        if (l1.at("bytes").to_number<std::int64_t>() > l1.at("maxBytes").to_number<std::int64_t>()) ++stats_over;
      }
    }
  };
  std::thread w1(worker, 1), w2(worker, 2), w3(worker, 3);
  w1.join();
  w2.join();
  w3.join();
  done = true;
  sampler.join();
  auto s = Stats(t);
  EXPECT_EQ(over.load(), 0u) << "samples over budget (max seen " << max_seen.load() << ")";
  EXPECT_EQ(stats_over.load(), 0);
  EXPECT_GT(stats_checks.load(), 0);
  EXPECT_EQ(s.at("l1").at("maxBytes").to_number<std::int64_t>(), static_cast<std::int64_t>(kBudget));
  EXPECT_LE(s.at("l1").at("bytes").to_number<std::int64_t>(), static_cast<std::int64_t>(kBudget));
  EXPECT_GT(s.at("l1").at("evictions").to_number<std::int64_t>(), 0) << "the churn never filled the budget";
  std::printf("[L1 churn] budget %zu B, max seen %zu B over %zu samples, evictions %lld\n", kBudget, max_seen.load(),
              samples.load(), static_cast<long long>(s.at("l1").at("evictions").to_number<std::int64_t>()));
}

// ---- 11. statistics and metrics ----

TEST_P(DashboardCacheTest, CacheStatsAndMetricsExposeTheCountersAndRedisState) {
  ASSERT_NO_THROW(StartHarness(Shared()));
  TenantFixture t = h->CreateTenant("Acme");
  CreateProduct(t, "P1", 10, 15, 20);
  const auto s0 = Stats(t);
  for (const char* target : {"/dashboard-cqrs/kpis", "/dashboard-cqrs/kpis", "/dashboard-cqrs/kpis",
                             "/dashboard-cqrs/movement-kpis?days=3", "/dashboard-cqrs/movement-kpis?days=3"})
    ASSERT_EQ(h->Get(target, t.admin.token).status, 200);
  const auto s = Stats(t);
  for (const char* field : {"redisConnected", "cacheHits", "cacheMisses", "hitRate", "memoryUsage", "computations",
                            "crossInstanceBoundMs", "staleServed", "earlyRefreshes", "backgroundRefreshes",
                            "refreshAheadRuns", "lock"})
    EXPECT_TRUE(s.contains(field)) << field << " missing in " << json::serialize(s);
  // The harness runs the cache with the intelligent features off: their counters stay at 0.
  EXPECT_EQ(s.at("staleServed").at("failsafe"), 0);
  EXPECT_EQ(s.at("staleServed").at("revalidate"), 0);
  EXPECT_EQ(s.at("lock").at("acquired"), 0);
  EXPECT_EQ(s.at("redisConnected"), true);
  auto n = [](const json::object& o, const char* f) { return o.at(f).to_number<std::int64_t>(); };
  EXPECT_EQ(n(s, "cacheHits") - n(s0, "cacheHits"), 3);
  EXPECT_EQ(n(s, "cacheMisses") - n(s0, "cacheMisses"), 2);
  EXPECT_EQ(n(s, "computations") - n(s0, "computations"), 2);
  const double rate = s.at("hitRate").to_number<double>();
  EXPECT_GE(rate, 0.0);
  EXPECT_LE(rate, 1.0);
  EXPECT_GE(n(s, "crossInstanceBoundMs"), 0);
  ASSERT_TRUE(s.at("memoryUsage").is_string());
  ASSERT_TRUE(s.at("redis").as_object().contains("usedMemoryHuman")) << json::serialize(s.at("redis"));
  EXPECT_EQ(s.at("memoryUsage"), s.at("redis").at("usedMemoryHuman")) << "memoryUsage is Redis's used_memory_human";
  EXPECT_EQ(s.at("redis").at("breaker"), "closed");
  EXPECT_EQ(s.at("categories").at("kpis").at("hitsL1"), 2);
  EXPECT_EQ(s.at("categories").at("kpis").at("misses"), 1);

  auto m = h->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("iam_cache_computations_total{category=\"kpis\"} 1"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("iam_cache_computations_total{category=\"movement-kpis\"} 1"), std::string::npos);
  EXPECT_NE(m.body.find("iam_redis_breaker_state{state=\"closed\"} 1"), std::string::npos);
  EXPECT_NE(m.body.find("iam_redis_breaker_state{state=\"open\"} 0"), std::string::npos);
  EXPECT_NE(m.body.find("\niam_db_statements_total "), std::string::npos) << m.body;
  for (const char* line : {"iam_cache_stale_served_total{reason=\"failsafe\"} 0",
                           "iam_cache_stale_served_total{reason=\"revalidate\"} 0", "iam_cache_early_refreshes_total 0",
                           "iam_cache_background_refreshes_total 0", "iam_cache_refresh_ahead_total 0",
                           "iam_cache_lock_total{event=\"acquired\"} 0", "iam_cache_lock_total{event=\"wait\"} 0"})
    EXPECT_NE(m.body.find(line), std::string::npos) << line;
}

IAM_API_BACKENDS(DashboardCacheTest);

}  // namespace
}  // namespace iam::api
