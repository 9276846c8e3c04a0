#include "api/harness/api_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/routes.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/time_format.hpp"
#include "http/standard_handler.hpp"
#include "store/migrations.hpp"
#include "support/test_env.hpp"

namespace iam::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

std::string HttpResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::unique_ptr<store::ChangeListener> ListenForChanges(const std::string& url, cache::ChangeFeed& feed,
                                                        std::chrono::milliseconds heartbeat) {
  auto listener = std::make_unique<store::ChangeListener>(
      url,
      store::ChangeListener::Callbacks{
          .on_change = [&feed](std::int64_t empresa) { feed.Changed(empresa); },
          .on_resync = [&feed] { feed.Resync({}); },
          .on_caught_up = [&feed](std::chrono::steady_clock::time_point covered) { feed.CaughtUp(covered); },
          .on_auth_change = [&feed] { feed.AuthChanged(); }},
      store::ChangeListenerOptions{.heartbeat_interval = heartbeat});
  if (!listener->WaitConnected(std::chrono::seconds(10))) throw std::runtime_error("change listener did not connect");
  return listener;
}

ApiHarness::ApiHarness(const std::string& backend, const std::string& pg_url,
                       const std::function<void(store::Database&)>& prepare, const HarnessCache& cache_options,
                       const http::TrustedProxies& trusted_proxies) {
  temp_ = TempDatabase::Create(backend, pg_url);
  db_ = temp_->Open(8);
  if (!db_) throw std::runtime_error("cannot open test database");
  if (prepare) prepare(*db_);
  auto migrated = store::Migrate(*db_);
  if (!migrated) throw std::runtime_error("migrate failed: " + migrated.error().message);
  api::AuthSettings auth;
  auth.jwt.secret = "test-secret-0123456789-0123456789-abcdef";
  if (!cache_options.redis_url.empty()) {
    auto opts = cache::ParseRedisUrl(cache_options.redis_url);
    if (!opts) throw std::runtime_error("bad redis url: " + opts.error().message);
    opts->command_timeout = cache_options.redis_timeout;
    redis_ = std::make_unique<cache::RedisClient>(io_.get_executor(), *opts);
    redis_->Start();
    redis_tier_ = std::make_unique<cache::RedisTier>(*redis_, cache_options.prefix, std::chrono::seconds(14400),
                                                     cache_options.breaker);
  }
  cache_ = std::make_unique<cache::Cache>(
      cache::CacheOptions{.l1_max_bytes = cache_options.l1_max_bytes, .ttls = {}, .l1_max_age = cache_options.l1_max_age},
      redis_tier_.get());
  access_checks_ = std::make_unique<api::AccessCheckCache>(std::chrono::seconds(1800));
  feed_ = std::make_unique<cache::ChangeFeed>(io_.get_executor(), *cache_, [this] { access_checks_->BumpAll(); });
  if (cache_options.listen_changes) listener_ = ListenForChanges(temp_->url(), *feed_, cache_options.heartbeat);
  api_ = std::make_unique<api::ApiContext>(
      api::ApiContext{*db_, blocking_, auth, limiter_, *cache_, {}, {}, access_checks_.get(), nullptr, &durations_});
  api::RegisterApiRoutes(router_, *api_);
  server_ = std::make_unique<http::Server>(
      io_, http::ServerOptions{.host = "127.0.0.1", .port = 0, .trusted_proxies = trusted_proxies},
      http::StandardHandler(router_, {.production = false, .cors_origins = {}, .durations = &durations_}));
  auto port = server_->Listen();
  if (!port) throw std::runtime_error(port.error().message);
  port_ = *port;
  server_->Start();
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

ApiHarness::~ApiHarness() {
  if (listener_) listener_->Stop();
  io_.stop();
  for (auto& t : threads_) t.join();
  // The Redis client before the io_context its sockets belong to.
  redis_tier_.reset();
  redis_.reset();
  blocking_.join();
  server_.reset();
  db_.reset();
}

HttpResult ApiHarness::Request(const std::string& method, const std::string& target, const std::string& body,
                               const std::string& token,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.insert(k, v);
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
  out.json = boost::json::parse(out.body, ec);
  if (ec) out.json = nullptr;
  return out;
}

HttpResult ApiHarness::Post(const std::string& target, const boost::json::value& body, const std::string& token) {
  return Request("POST", target, boost::json::serialize(body), token);
}
HttpResult ApiHarness::Patch(const std::string& target, const boost::json::value& body, const std::string& token) {
  return Request("PATCH", target, boost::json::serialize(body), token);
}
HttpResult ApiHarness::Put(const std::string& target, const boost::json::value& body, const std::string& token) {
  return Request("PUT", target, boost::json::serialize(body), token);
}

store::ResultSet ApiHarness::Sql(const std::string& sql, std::vector<store::Param> params) {
  auto lease = db_->Acquire();
  if (!lease) throw std::runtime_error(lease.error().message);
  auto rows = (*lease)->Query(sql, std::span<const store::Param>(params));
  if (!rows) throw std::runtime_error("test SQL failed: " + rows.error().message);
  return std::move(*rows);
}

std::string ApiHarness::MintToken(const UserFixture& user, std::optional<domain::Id> empresa_id,
                                  std::int64_t ttl_s) const {
  crypto::JwtClaims c;
  c.sub = std::to_string(user.id);
  c.email = user.email;
  c.rol = user.rol;
  c.empresa_id = empresa_id;
  c.jti = crypto::RandomToken();
  c.issued_ms = NowMs();
  c.iat = c.issued_ms / 1000;
  c.exp = c.iat + ttl_s;
  return crypto::SignJwt(c, api_->auth.jwt);
}

UserFixture ApiHarness::CreateUser(std::optional<domain::Id> empresa_id, const std::string& rol,
                                   const std::string& email) {
  if (password_hash_.empty()) password_hash_ = crypto::HashPassword("password123");
  auto rows = Sql(R"(INSERT INTO "Usuario" ("empresaId", "nombre", "email", "password", "rol", "setupCompletado")
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id")",
                  {empresa_id ? store::Param(*empresa_id) : store::Param(nullptr), store::Param(email),
                   store::Param(email), store::Param(password_hash_), store::Param(rol),
                   store::Param(empresa_id.has_value())});
  UserFixture u{rows[0].Int(0), email, "password123", rol, {}};
  u.token = MintToken(u, empresa_id);
  return u;
}

TenantFixture ApiHarness::CreateTenant(const std::string& nombre) {
  auto rows = Sql(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, $2) RETURNING "id")",
                  {store::Param(nombre), store::Param(FormatIsoMs(NowMs()))});
  TenantFixture t;
  t.empresa_id = rows[0].Int(0);
  std::string slug = "t" + std::to_string(t.empresa_id);
  t.admin = CreateUser(t.empresa_id, "ADMIN", "admin@" + slug + ".test");
  t.empleado = CreateUser(t.empresa_id, "EMPLEADO", "empleado@" + slug + ".test");
  t.proveedor = CreateUser(t.empresa_id, "PROVEEDOR", "proveedor@" + slug + ".test");
  return t;
}

void ApiTest::SetUp() {
  if (GetParam() == "postgres") {
    IAM_REQUIRE_POSTGRES(url);
    h = std::make_unique<ApiHarness>("postgres", url);
  } else {
    h = std::make_unique<ApiHarness>("sqlite");
  }
}

}  // namespace iam::test
