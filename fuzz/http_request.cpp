// Fuzz target: HTTP request parsing, routing and JSON body validation, end to end. The input is
// the raw bytes a client sends on one connection (one request or several pipelined); they go over
// a loopback socket into the real http::Server (Beast's parser with the production header and
// body limits), through the standard middleware chain and router into every api handler, backed
// by an in-memory SQLite database with two tenants. Before sending, the placeholders @A@ (ADMIN),
// @E@ (EMPLEADO), @P@ (PROVEEDOR), @S@ (SUPERADMIN), @N@ (a user without tenant), all of tenant
// A, and @B@ (ADMIN of tenant B) are replaced by freshly minted valid access tokens, so the fuzzer
// reaches the authenticated handlers. Fixture users are restored and rate limits forgotten before
// each input; the whole database is rebuilt every kInputsPerEpoch inputs. Password hashing runs
// with libsodium's minimum argon2id limits (crypto::SetArgon2LimitsForTesting), so that the login
// and signup routes do not cost ~0.1 s per request.
// FUZZ_HTTP_VERBOSE=1 prints each response's status and the start of its body (seed debugging).
// Oracles, on every response and on every log line written while handling the input:
//   - no 500 (bad input must be a 4xx), no hang (the server answers or closes);
//   - no JWT secret, SQL text or stack trace anywhere, and no database error or exception text in
//     a response, unless the request itself carried that text (an echo is no leak);
//   - without a tenant-B or SUPERADMIN token, nothing of tenant B (a random marker in its data).
#include <openssl/crypto.h>
#include <sodium.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/access_check_cache.hpp"
#include "api/api_context.hpp"
#include "api/memory_rate_limiter.hpp"
#include "api/routes.hpp"
#include "cache/cache.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/time_format.hpp"
#include "fuzz_checks.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/standard_handler.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using iam::fuzz::CheckNoLeak;
using iam::fuzz::Contains;
using iam::fuzz::Finding;

constexpr std::string_view kJwtSecret = "fuzz-http-jwt-secret-7f3a9c1e5b2d4086-a1b2c3d4e5f6";
constexpr int kInputsPerEpoch = 2000;

// Text that must never reach a client or a log line unless the client sent it: SQL statements,
// the values of a failed statement (libpq's DETAIL), stack traces.
constexpr std::string_view kForbidden[] = {"SELECT ",          "INSERT INTO", "UPDATE \"",   "DELETE FROM",
                                           "RETURNING",        "ON CONFLICT", "DETAIL:",     "terminate called",
                                           "Backtrace",        "stack trace"};
// Text that must not reach a client: database error wording, exception text, source locations.
// (A log line may name a violated constraint or an exception type for the operator.)
constexpr std::string_view kForbiddenInResponses[] = {
    "constraint failed", "SQL logic error", "syntax error", "no such table", "no such column", "datatype mismatch",
    "SQLITE_", "sqlite3", "violates", "duplicate key", "what():", "std::", "boost::", ".cpp:", ".hpp:"};

// Collects what the process logs while one input is handled.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(text_, {});
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size());
    text_.push_back('\n');
  }
  void flush_() override {}

 private:
  std::string text_;
};

// Failed-login and registration counts start afresh for each input, so a limit reached by one
// input does not turn every later login into a 429.
class ResettableRateLimiter final : public iam::api::RateLimiter {
 public:
  asio::awaitable<std::optional<std::chrono::seconds>> RetryAfter(std::string key, int limit) override {
    co_return Current().RetryAfterNow(key, limit);
  }
  asio::awaitable<void> Record(std::string key, std::chrono::seconds window) override {
    Current().RecordNow(key, window);
    co_return;
  }
  asio::awaitable<void> Reset(std::string key) override {
    Current().ResetNow(key);
    co_return;
  }
  void Forget() {
    std::lock_guard lock(mu_);
    inner_ = std::make_shared<iam::api::InMemoryRateLimiter>();
  }

 private:
  iam::api::InMemoryRateLimiter& Current() {
    std::lock_guard lock(mu_);
    return *inner_;
  }
  std::mutex mu_;
  std::shared_ptr<iam::api::InMemoryRateLimiter> inner_ = std::make_shared<iam::api::InMemoryRateLimiter>();
};

struct FixtureUser {
  std::string placeholder;
  iam::domain::Id id = 0;
  std::string email, rol;
  std::optional<iam::domain::Id> empresa;
};

// One epoch: a fresh database with the fixtures, and the API served on a loopback port.
class Epoch {
 public:
  Epoch(const std::string& marker, const std::string& password_hash) {
    auto db = iam::store::OpenDatabase({.url = "sqlite::memory:", .pool_size = 1});
    if (!db) Finding("cannot open the fuzz database", db.error().message);
    db_ = std::move(*db);
    if (auto m = iam::store::Migrate(*db_); !m) Finding("migrate failed", m.error().message);
    auth_.jwt.secret = std::string(kJwtSecret);
    api_ = std::make_unique<iam::api::ApiContext>(
        iam::api::ApiContext{*db_, blocking_, auth_, limiter_, cache_, {}, {}, &access_checks_});
    iam::api::RegisterApiRoutes(router_, *api_);
    server_ = std::make_unique<iam::http::Server>(
        io_, iam::http::ServerOptions{.host = "127.0.0.1", .port = 0, .read_timeout = std::chrono::seconds(5)},
        iam::http::StandardHandler(router_, {.production = false, .cors_origins = {}}));
    auto port = server_->Listen();
    if (!port) Finding("cannot listen", port.error().message);
    port_ = *port;
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
    Seed(marker, password_hash);
  }

  ~Epoch() {
    io_.stop();
    thread_.join();
    blocking_.join();
    server_.reset();
  }

  unsigned short port() const { return port_; }
  const std::vector<FixtureUser>& users() const { return users_; }

  std::string Token(const FixtureUser& u) const {
    iam::crypto::JwtClaims c;
    c.sub = std::to_string(u.id);
    c.email = u.email;
    c.rol = u.rol;
    c.empresa_id = u.empresa;
    c.jti = iam::crypto::RandomToken();
    c.issued_ms = iam::NowMs();
    c.iat = c.issued_ms / 1000;
    c.exp = c.iat + 3600;
    return iam::crypto::SignJwt(c, auth_.jwt);
  }

  // Undoes what an input may have done to the fixture users (deactivation, role or tenant change)
  // and to the state of the fixture products and suppliers, and forgets rate-limit counts, so
  // that every input starts from about the same footing.
  void Restore() {
    limiter_.Forget();
    for (const auto& u : users_) {
      Sql(R"(UPDATE "Usuario" SET "activo" = $1, "rol" = $2, "empresaId" = $3 WHERE "id" = $4)",
          {true, u.rol, u.empresa ? iam::store::Param(*u.empresa) : iam::store::Param(nullptr), u.id});
    }
    Sql(R"(UPDATE "Producto" SET "estado" = 'ACTIVO' WHERE "id" IN (1, 2))", {});
    Sql(R"(UPDATE "Proveedor" SET "estado" = 'ACTIVO' WHERE "id" IN (1, 2))", {});
  }

 private:
  iam::store::ResultSet Sql(const std::string& sql, std::vector<iam::store::Param> params) {
    auto lease = db_->Acquire();
    if (!lease) Finding("fuzz database lease failed", lease.error().message);
    auto rows = (*lease)->Query(sql, std::span<const iam::store::Param>(params));
    if (!rows) Finding("fuzz fixture SQL failed", rows.error().message);
    return std::move(*rows);
  }

  iam::domain::Id Empresa(const std::string& nombre) {
    return Sql(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, $2) RETURNING "id")",
               {nombre, iam::FormatIsoMs(iam::NowMs())})[0]
        .Int(0);
  }

  void User(const std::string& placeholder, std::optional<iam::domain::Id> empresa, const std::string& rol,
            const std::string& email, const std::string& hash) {
    auto rows = Sql(R"(INSERT INTO "Usuario" ("empresaId", "nombre", "email", "password", "rol", "setupCompletado")
                       VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id")",
                    {empresa ? iam::store::Param(*empresa) : iam::store::Param(nullptr), email, email, hash, rol,
                     empresa.has_value()});
    users_.push_back({placeholder, rows[0].Int(0), email, rol, empresa});
  }

  // Data of each tenant made through the API itself (supplier, product with stock, movement).
  void Seed(const std::string& marker, const std::string& hash) {
    auto a = Empresa("Empresa A");
    auto b = Empresa("Empresa B " + marker);
    User("@A@", a, "ADMIN", "admin@a.test", hash);
    User("@E@", a, "EMPLEADO", "empleado@a.test", hash);
    User("@P@", a, "PROVEEDOR", "proveedor@a.test", hash);
    User("@S@", a, "SUPERADMIN", "super@a.test", hash);
    User("@N@", std::nullopt, "ADMIN", "sin-empresa@a.test", hash);
    User("@B@", b, "ADMIN", "admin-" + marker + "@b.test", hash);
    User("@BE@", b, "EMPLEADO", "empleado-" + marker + "@b.test", hash);
    for (const auto& [admin, name, code] :
         {std::tuple{0, std::string("A"), std::string("A-0001")}, std::tuple{5, marker, std::string("B-0001")}}) {
      std::string token = Token(users_[admin]);
      Post(token, "/proveedores", R"({"nombre":"Proveedor )" + name + R"(","email":"prov@)" + code + R"(.test"})");
      Post(token, "/productos",
           R"({"nombre":"Producto )" + name + R"(","precioCompra":10,"precioVenta":15,"stock":100,"stockMinimo":5,)"
           R"("codigoBarras":")" + code + R"(","sku":"SKU-)" + code + R"(","proveedorId":)" + (admin == 0 ? "1" : "2") +
           R"(,"descripcion":"Descripcion )" + name + R"(","etiquetas":["x"]})");
      Post(token, "/movimientos",
           R"({"tipo":"SALIDA","cantidad":3,"productoId":)" + std::string(admin == 0 ? "1" : "2") +
           R"(,"motivo":"Venta )" + name + R"("})");
    }
  }

  void Post(const std::string& token, const std::string& target, const std::string& body) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + token);
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(s, req);
    boost::beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    if (res.result_int() != 201) Finding("fuzz fixture request failed: " + target, res.body());
  }

  std::unique_ptr<iam::store::Database> db_;
  asio::thread_pool blocking_{2};
  iam::api::AuthSettings auth_;
  ResettableRateLimiter limiter_;
  iam::cache::Cache cache_{iam::cache::CacheOptions{}, nullptr};
  iam::api::AccessCheckCache access_checks_{std::chrono::seconds(1800)};
  std::unique_ptr<iam::api::ApiContext> api_;
  iam::http::Router router_;
  asio::io_context io_;
  std::unique_ptr<iam::http::Server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::vector<FixtureUser> users_;
};

struct State {
  std::shared_ptr<CaptureSink> sink = std::make_shared<CaptureSink>();
  std::string marker;
  std::string password_hash;
  std::unique_ptr<Epoch> epoch;
  int inputs = 0;
};

State* g_state = nullptr;

void TearDown() {
  if (g_state != nullptr) g_state->epoch.reset();
}

State& GetState() {
  if (g_state == nullptr) {
    g_state = new State();
    auto logger = std::make_shared<spdlog::logger>("fuzz", g_state->sink);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    std::mt19937_64 rng{std::random_device{}()};
    g_state->marker = "Zq" + std::to_string(rng() % 1000000000000ULL) + "Tb";
    // Logins, registrations and password changes at full speed (the limits are a cost knob only).
    iam::crypto::SetArgon2LimitsForTesting(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
    g_state->password_hash = iam::crypto::HashPassword("password123");
    // atexit handlers run last-registered first: OpenSSL registers its cleanup when first used, and
    // that cleanup stops per-thread state from being freed as threads end. Initialised here, its
    // cleanup runs after TearDown has joined the server's threads (else each leaks ~900 bytes).
    OPENSSL_init_crypto(0, nullptr);
    std::atexit(TearDown);
  }
  if (!g_state->epoch || g_state->inputs % kInputsPerEpoch == 0) {
    g_state->epoch.reset();
    g_state->epoch = std::make_unique<Epoch>(g_state->marker, g_state->password_hash);
    g_state->sink->Take();
  }
  ++g_state->inputs;
  return *g_state;
}

// The input with each placeholder replaced by a fresh token of its user.
std::string Substitute(std::string_view input, const Epoch& epoch, bool& sees_tenant_b) {
  std::string out;
  out.reserve(input.size());
  for (std::size_t i = 0; i < input.size();) {
    bool replaced = false;
    if (input[i] == '@') {
      for (const auto& u : epoch.users()) {
        if (input.substr(i, u.placeholder.size()) == u.placeholder) {
          out += epoch.Token(u);
          if (u.placeholder == "@B@" || u.placeholder == "@BE@" || u.placeholder == "@S@") sees_tenant_b = true;
          i += u.placeholder.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(input[i++]);
  }
  return out;
}

// Sends the bytes, half-closes, and returns everything the server wrote before closing.
std::string Exchange(unsigned short port, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval tv{20, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  boost::system::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);  // the server may close early (malformed request)
  s.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) Finding("server neither answered nor closed in 20 s");
    break;  // closed, or reset after an early close
  }
  // Close with a reset: this side half-closed first, so an orderly close would leave the client
  // port in TIME_WAIT for a minute, and at several hundred inputs a second the 28k ephemeral ports
  // run out (connect then fails with EADDRNOTAVAIL: a harness failure, not a finding).
  ::linger hard{1, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  return out;
}

// What the server may legitimately echo: the request as sent, percent-decoded ('+' as space) and
// with JSON \u escapes of ASCII decoded, one after the other.
std::string EchoableViews(std::string_view raw) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(raw);
  out += '\n';
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2])));
      i += 2;
    } else {
      out.push_back(raw[i] == '+' ? ' ' : raw[i]);
    }
  }
  out += '\n';
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 5 < raw.size() && raw[i + 1] == 'u' && raw[i + 2] == '0' && raw[i + 3] == '0' &&
        hex(raw[i + 4]) >= 0 && hex(raw[i + 5]) >= 0) {
      out.push_back(static_cast<char>(hex(raw[i + 4]) * 16 + hex(raw[i + 5])));
      i += 5;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

void CheckText(std::string_view what, std::string_view text, std::string_view echoable, const State& st,
               bool sees_tenant_b, bool is_response) {
  std::string w(what);
  CheckNoLeak(w + " carries the JWT secret", text, echoable, kJwtSecret);
  for (auto marker : kForbidden) CheckNoLeak(w + " carries \"" + std::string(marker) + "\"", text, echoable, marker);
  if (is_response) {
    for (auto marker : kForbiddenInResponses)
      CheckNoLeak(w + " carries \"" + std::string(marker) + "\"", text, echoable, marker);
  }
  if (!sees_tenant_b) CheckNoLeak(w + " shows tenant B's data to tenant A", text, echoable, st.marker);
}

void CheckResponses(std::string_view wire, std::string_view echoable, const State& st, bool sees_tenant_b) {
  if (wire.empty()) return;
  boost::beast::flat_buffer buffer;
  auto chunk = buffer.prepare(wire.size());
  std::memcpy(chunk.data(), wire.data(), wire.size());
  buffer.commit(wire.size());
  while (buffer.size() > 0) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    parser.eager(true);
    boost::system::error_code ec;
    while (!parser.is_done() && !ec) {
      auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) break;
    }
    if (!parser.is_done()) break;  // a response cut short by a reset: nothing more to check
    const auto& res = parser.get();
    std::string head;
    for (const auto& f : res) head += std::string(f.name_string()) + ": " + std::string(f.value()) + "\n";
    if (std::getenv("FUZZ_HTTP_VERBOSE") != nullptr)
      std::fprintf(stderr, "  -> %d %.*s\n", res.result_int(), static_cast<int>(std::min<std::size_t>(res.body().size(), 160)),
                   res.body().data());
    if (res.result_int() >= 500 && res.result_int() != 503)
      Finding("HTTP " + std::to_string(res.result_int()) + " for client input", head + res.body());
    CheckText("response", head + res.body(), echoable, st, sees_tenant_b, true);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  State& st = GetState();
  st.epoch->Restore();
  st.sink->Take();
  bool sees_tenant_b = false;
  std::string request =
      Substitute(std::string_view(reinterpret_cast<const char*>(data), size), *st.epoch, sees_tenant_b);
  std::string wire = Exchange(st.epoch->port(), request);
  std::string echoable = EchoableViews(request);
  CheckResponses(wire, echoable, st, sees_tenant_b);
  CheckText("log", st.sink->Take(), echoable, st, sees_tenant_b, false);
  return 0;
}
