#include "store/postgres_database.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/detail/libpq_support.hpp"

namespace iam::store {
using detail::OneLine;
using detail::PasswordsIn;
using detail::PgConnPtr;
using detail::PgResultPtr;
using detail::Redact;

namespace {

constexpr const char* kUnavailableMessage = "database unavailable";


// State shared by a pool and its connections. Connections count their own reconnects (a retried
// Query resets the connection while it is leased), so the counters outlive neither side's needs.
struct PoolContext {
  std::string conninfo;
  std::vector<std::string> secrets;  // passwords to scrub from anything libpq says; immutable
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> acquire_timeouts{0};
  std::atomic<std::uint64_t> statements{0};
};

// ---------------------------------------------------------------------------------------------
// Text helpers

bool HasQueryKey(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == key) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// Data exceptions (class 22) quote the offending input — a parameter value — in their message,
// e.g. `invalid input syntax for type integer: "abc"`; logs keep the shape but drop the quoted text.
std::string DropQuoted(std::string_view text) {
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      out += quoted ? "?\"" : "\"";
      quoted = !quoted;
    } else if (!quoted) {
      out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors

std::string Endpoint(PGconn* conn) {
  const char* host = conn != nullptr ? PQhost(conn) : nullptr;
  const char* port = conn != nullptr ? PQport(conn) : nullptr;
  return fmt::format("{}:{}", host != nullptr && *host != '\0' ? host : "localhost",
                     port != nullptr && *port != '\0' ? port : "5432");
}

std::string ResultField(const PGresult* res, int field) {
  const char* value = res != nullptr ? PQresultErrorField(res, field) : nullptr;
  return value != nullptr ? value : "";
}

void LogFailure(PGconn* conn, const PGresult* res, std::string_view sqlstate, const PoolContext& ctx) {
  std::string message = ResultField(res, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = PQerrorMessage(conn);  // client-side: e.g. connection lost
  if (sqlstate.starts_with("22")) message = DropQuoted(message);
  spdlog::warn("postgres: statement failed: sqlstate={} {}", sqlstate.empty() ? "none" : sqlstate,
               Redact(OneLine(message), ctx.secrets));
}

// A client-safe description of a violated constraint: its name (or the column, for NOT NULL),
// never the values or the statement.
std::string ConstraintMessage(std::string_view what, const PGresult* res) {
  std::string name = ResultField(res, PG_DIAG_CONSTRAINT_NAME);
  if (name.empty()) name = ResultField(res, PG_DIAG_COLUMN_NAME);
  return name.empty() ? std::string(what) : fmt::format("{} \"{}\"", what, name);
}

Error MapError(PGconn* conn, const PGresult* res, const PoolContext& ctx) {
  const std::string sqlstate = ResultField(res, PG_DIAG_SQLSTATE);
  LogFailure(conn, res, sqlstate, ctx);
  // Class 57P is the server going away (terminated backend, shutdown, not accepting connections).
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
    return Error::Unavailable(kUnavailableMessage);
  }
  if (sqlstate == "23505") return Error::Conflict(ConstraintMessage("duplicate value for", res), "DUPLICATE");
  if (sqlstate.starts_with("23")) return Error::Conflict(ConstraintMessage("constraint violated:", res), "CONSTRAINT");
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return Error::Conflict("concurrent update conflict, try again", "RETRY");
  }
  return Error::Internal();
}

// ---------------------------------------------------------------------------------------------
// Parameters and results

std::string DoubleText(double v) {
  // Spelled the way PostgreSQL's float8 input expects; to_chars would write "inf"/"nan".
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that round-trips
  return std::string(buf, end);
}

std::optional<std::string> ParamText(const Param& param) {
  return std::visit(
      [](const auto& v) -> std::optional<std::string> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return DoubleText(v);
        } else {
          return v;
        }
      },
      param);
}

// Text-format parameters for PQexecPrepared; `values()` points into this object.
class BoundParams {
 public:
  explicit BoundParams(std::span<const Param> params) {
    texts_.reserve(params.size());
    for (const Param& p : params) texts_.push_back(ParamText(p));
    for (const auto& t : texts_) values_.push_back(t ? t->c_str() : nullptr);
  }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  std::vector<std::optional<std::string>> texts_;
  std::vector<const char*> values_;
};

std::int64_t AffectedRows(PGresult* res) {
  const std::string_view text = PQcmdTuples(res);  // "" for commands that report no count
  std::int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

ResultSet ToResultSet(PGresult* res) {
  const int rows = PQntuples(res);
  const int cols = PQnfields(res);
  std::vector<std::string> names;
  names.reserve(cols);
  for (int c = 0; c < cols; ++c) names.emplace_back(PQfname(res, c));
  ResultSet rs(std::move(names));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res, r, c)) {
        rs.AddCell(std::monostate{});
      } else {
        rs.AddCell(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
  }
  rs.set_affected_rows(AffectedRows(res));
  return rs;
}

bool Succeeded(const PGresult* res) {
  const ExecStatusType status = PQresultStatus(res);  // PGRES_FATAL_ERROR for a null result
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// Server notices (e.g. "table ... does not exist, skipping") go to the log, not libpq's default
// of stderr. The hook lives in the PGconn, so it survives PQreset.
void LogNotice(void* /*arg*/, const char* message) { spdlog::debug("postgres: {}", OneLine(message)); }

// Session settings every connection needs, re-applied after each (re)connect: timestamps are
// stored and compared as UTC, and text crosses the wire as UTF-8 whatever the server's default.
bool SetUpSession(PGconn* conn) {
  PgResultPtr res(PQexec(conn, "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'"));
  return PQresultStatus(res.get()) == PGRES_COMMAND_OK;
}

// ---------------------------------------------------------------------------------------------
// Connection

struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class PgConnection final : public Connection {
 public:
  PgConnection(PgConnPtr conn, std::shared_ptr<PoolContext> ctx) : conn_(std::move(conn)), ctx_(std::move(ctx)) {}

  using Connection::Query;
  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<ResultSet> Query(std::string_view sql, std::span<const Param> params) override;
  Result<void> ExecScript(std::string_view sql) override;
  Result<void> Begin() override { return Exec("BEGIN", /*retry_when_idle=*/true); }
  Result<void> BeginSnapshot() override {
    return Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", /*retry_when_idle=*/true);
  }
  Result<void> Commit() override;
  Result<void> Rollback() override { return Exec("ROLLBACK", /*retry_when_idle=*/false); }

  bool Healthy() const { return !broken_ && PQstatus(conn_.get()) == CONNECTION_OK; }
  // Called on lease: true when the connection can be used, resetting it if it was found broken.
  bool Revive() { return CheckAlive() || Reset(); }
  // Called on return: leaves the connection idle (rolling back an abandoned transaction); false
  // when it should be discarded instead.
  bool MakeIdle();

 private:
  bool CheckAlive();
  bool Reset();
  Result<ResultSet> RunOnce(std::string_view sql, std::span<const Param> params);
  Result<const std::string*> Prepare(std::string_view sql);
  Result<void> Exec(const char* sql, bool retry_when_idle);
  Result<void> ExecOnce(const char* sql);
  bool Idle() const { return PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }
  Error Failure(const PGresult* res) const { return MapError(conn_.get(), res, *ctx_); }

  PgConnPtr conn_;
  std::shared_ptr<PoolContext> ctx_;
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> prepared_;  // SQL -> name
  std::uint64_t next_statement_ = 0;
  bool broken_ = false;  // connected but the session could not be set up after a reset
};

static bool IsPlainSelect(std::string_view sql) {
  auto start = sql.find_first_not_of(" \t\r\n(");
  if (start == std::string_view::npos || sql.size() - start < 6) return false;
  std::string head(sql.substr(start, 6));
  for (auto& ch : head) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return head == "SELECT";
}

Result<ResultSet> PgConnection::Query(std::string_view sql, std::span<const Param> params) {
  const bool was_idle = Idle();
  auto result = RunOnce(sql, params);
  // A read lost outside a transaction is retried once on a new session. Not a write: the server
  // may have committed it before the connection dropped, and running it again would apply it
  // twice. Inside a transaction the transaction is gone and only the caller can decide.
  if (result || !was_idle || !IsPlainSelect(sql) || Healthy() || !Reset()) return result;
  return RunOnce(sql, params);
}

Result<ResultSet> PgConnection::RunOnce(std::string_view sql, std::span<const Param> params) {
  auto name = Prepare(sql);
  if (!name) return Fail(name.error());
  ctx_->statements.fetch_add(1, std::memory_order_relaxed);
  const BoundParams bound(params);
  PgResultPtr res(PQexecPrepared(conn_.get(), (*name)->c_str(), bound.size(), bound.values(), nullptr, nullptr, 0));
  if (!Succeeded(res.get())) return Fail(Failure(res.get()));
  return ToResultSet(res.get());
}

Result<const std::string*> PgConnection::Prepare(std::string_view sql) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return &it->second;
  std::string text(sql);
  std::string name = fmt::format("iam_{}", ++next_statement_);
  // No parameter types: the server infers them from context, so text binds to enums, dates, etc.
  PgResultPtr res(PQprepare(conn_.get(), name.c_str(), text.c_str(), 0, nullptr));
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return Fail(Failure(res.get()));
  auto [it, inserted] = prepared_.emplace(std::move(text), std::move(name));
  return &it->second;
}

Result<void> PgConnection::ExecScript(std::string_view sql) {
  // Not retried: a script may have partly run before the connection dropped.
  ctx_->statements.fetch_add(1, std::memory_order_relaxed);
  PgResultPtr res(PQexec(conn_.get(), std::string(sql).c_str()));
  if (!Succeeded(res.get())) return Fail(Failure(res.get()));
  return {};
}

Result<void> PgConnection::Commit() {
  ctx_->statements.fetch_add(1, std::memory_order_relaxed);
  PgResultPtr res(PQexec(conn_.get(), "COMMIT"));
  if (!Succeeded(res.get())) return Fail(Failure(res.get()));
  // COMMIT of a transaction that already failed "succeeds" as ROLLBACK; the caller must not
  // believe its writes were stored.
  if (std::strcmp(PQcmdStatus(res.get()), "ROLLBACK") == 0) {
    spdlog::warn("postgres: COMMIT of a failed transaction rolled it back");
    return Fail(Error::Internal());
  }
  return {};
}

Result<void> PgConnection::Exec(const char* sql, bool retry_when_idle) {
  const bool was_idle = Idle();
  auto result = ExecOnce(sql);
  if (result || !retry_when_idle || !was_idle || Healthy() || !Reset()) return result;
  return ExecOnce(sql);
}

Result<void> PgConnection::ExecOnce(const char* sql) {
  ctx_->statements.fetch_add(1, std::memory_order_relaxed);
  PgResultPtr res(PQexec(conn_.get(), sql));
  if (!Succeeded(res.get())) return Fail(Failure(res.get()));
  return {};
}

bool SocketReadable(PGconn* conn) {
  pollfd pfd{PQsocket(conn), POLLIN, 0};
  return pfd.fd >= 0 && poll(&pfd, 1, 0) > 0;
}

bool PgConnection::CheckAlive() {
  // An idle session has nothing to read unless the server spoke first, in practice the FATAL it
  // sends before closing (pg_terminate_backend, restart). Reading it lets libpq see the EOF that
  // follows; the few rounds bound the work if the server sent something harmless instead.
  for (int round = 0; round < 3 && Healthy() && SocketReadable(conn_.get()); ++round) {
    if (PQconsumeInput(conn_.get()) == 0) break;
  }
  return Healthy();
}

bool PgConnection::Reset() {
  prepared_.clear();  // a new server session knows none of them
  PQreset(conn_.get());
  broken_ = PQstatus(conn_.get()) != CONNECTION_OK || !SetUpSession(conn_.get());
  if (broken_) {
    spdlog::warn("postgres: reconnect to {} failed: {}", Endpoint(conn_.get()),
                 Redact(OneLine(PQerrorMessage(conn_.get())), ctx_->secrets));
    return false;
  }
  ++ctx_->reconnects;
  return true;
}

bool PgConnection::MakeIdle() {
  if (!Healthy()) return false;
  switch (PQtransactionStatus(conn_.get())) {
    case PQTRANS_IDLE:
      return true;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
      spdlog::warn("postgres: connection returned inside a transaction; rolling back");
      return Rollback().has_value() && Idle();
    default:  // PQTRANS_ACTIVE / PQTRANS_UNKNOWN: mid-statement or broken
      return false;
  }
}

Result<std::unique_ptr<PgConnection>> Connect(std::shared_ptr<PoolContext> ctx) {
  PgConnPtr conn(PQconnectdb(ctx->conninfo.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {  // CONNECTION_BAD for a null (out of memory) conn too
    const std::string endpoint = Redact(Endpoint(conn.get()), ctx->secrets);
    spdlog::warn("postgres: cannot connect to {}: {}", endpoint,
                 Redact(OneLine(conn ? PQerrorMessage(conn.get()) : "out of memory"), ctx->secrets));
    return Fail(Error::Unavailable(fmt::format("{}: cannot connect to {}", kUnavailableMessage, endpoint)));
  }
  PQsetNoticeProcessor(conn.get(), LogNotice, nullptr);
  if (!SetUpSession(conn.get())) {
    spdlog::warn("postgres: session setup failed: {}", Redact(OneLine(PQerrorMessage(conn.get())), ctx->secrets));
    return Fail(Error::Unavailable(kUnavailableMessage));
  }
  return std::make_unique<PgConnection>(std::move(conn), std::move(ctx));
}

// ---------------------------------------------------------------------------------------------
// Pool

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::shared_ptr<PoolContext> ctx, int capacity, std::chrono::milliseconds ping_timeout,
                   std::unique_ptr<PgConnection> first)
      : ctx_(std::move(ctx)), capacity_(capacity), ping_timeout_(ping_timeout) {
    idle_.push_back(std::move(first));
    size_ = 1;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<Lease> Acquire(std::chrono::milliseconds timeout) override;
  Result<void> Ping() override;
  PoolStats Stats() const override;

 protected:
  void Return(std::unique_ptr<Connection> conn) override;

 private:
  // Frees the slot of a connection that was leased (or being opened) and is now closed.
  void DropSlot();

  const std::shared_ptr<PoolContext> ctx_;
  const int capacity_;
  const std::chrono::milliseconds ping_timeout_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // used LIFO, so warm connections are reused
  int size_ = 0;                                     // idle + leased + being opened
  int in_use_ = 0;
};

Result<Lease> PostgresDatabase::Acquire(std::chrono::milliseconds timeout) {
  std::unique_ptr<PgConnection> conn;
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !idle_.empty() || size_ < capacity_; })) {
      ++ctx_->acquire_timeouts;
      return Fail(Error::Unavailable("database pool exhausted"));
    }
    ++in_use_;
    if (idle_.empty()) {
      ++size_;  // reserve the slot; the connection is opened outside the lock
    } else {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!conn) {
    auto opened = Connect(ctx_);
    if (!opened) {
      DropSlot();
      return Fail(opened.error());
    }
    conn = std::move(*opened);
  } else if (!conn->Revive()) {
    conn.reset();
    DropSlot();
    return Fail(Error::Unavailable(kUnavailableMessage));
  }
  return Lease(this, std::move(conn));
}

void PostgresDatabase::Return(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  // Only PgConnections are ever leased by this pool.
  std::unique_ptr<PgConnection> pg(static_cast<PgConnection*>(conn.release()));
  if (!pg->MakeIdle()) {
    pg.reset();  // closes the socket outside the lock
    DropSlot();
    return;
  }
  std::lock_guard lock(mu_);
  --in_use_;
  idle_.push_back(std::move(pg));
  cv_.notify_one();
}

void PostgresDatabase::DropSlot() {
  std::lock_guard lock(mu_);
  --in_use_;
  --size_;
  cv_.notify_one();
}

Result<void> PostgresDatabase::Ping() {
  auto lease = Acquire(ping_timeout_);
  if (!lease) return Fail(lease.error());
  if (auto rs = (*lease)->Query("SELECT 1"); !rs) return Fail(rs.error());
  return {};
}

PoolStats PostgresDatabase::Stats() const {
  std::lock_guard lock(mu_);
  return PoolStats{.size = size_,
                   .in_use = in_use_,
                   .capacity = capacity_,
                   .reconnects = ctx_->reconnects.load(),
                   .acquire_timeouts = ctx_->acquire_timeouts.load(),
                   .statements = ctx_->statements.load(std::memory_order_relaxed)};
}

}  // namespace

std::string WithConnectTimeout(std::string_view url, std::chrono::milliseconds timeout) {
  std::string out(url);
  const auto question = url.find('?');
  const std::string_view query = question == std::string_view::npos ? "" : url.substr(question + 1);
  if (timeout.count() <= 0 || HasQueryKey(query, "connect_timeout")) return out;
  const auto seconds = (timeout.count() + 999) / 1000;  // libpq takes whole seconds; round up
  if (question == std::string_view::npos) {
    out += '?';
  } else if (!query.empty() && query.back() != '&') {
    out += '&';
  }
  return out + fmt::format("connect_timeout={}", seconds);
}

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const DatabaseOptions& options) {
  if (options.pool_size < 1) return Fail(Error::InvalidArgument("database pool_size must be at least 1"));
  auto ctx = std::make_shared<PoolContext>();
  ctx->secrets = PasswordsIn(options.url);
  ctx->conninfo = WithConnectTimeout(options.url, options.connect_timeout);
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(ctx->conninfo.c_str(), &err);
  PQconninfoFree(parsed);
  if (parsed == nullptr) {
    spdlog::warn("postgres: invalid database URL: {}", Redact(OneLine(err ? err : "out of memory"), ctx->secrets));
    PQfreemem(err);
    return Fail(Error::InvalidArgument("invalid PostgreSQL database URL"));
  }
  auto first = Connect(ctx);
  if (!first) return Fail(first.error());
  const auto ping_timeout = options.connect_timeout.count() > 0 ? options.connect_timeout : std::chrono::seconds(5);
  return std::make_unique<PostgresDatabase>(std::move(ctx), options.pool_size, ping_timeout, std::move(*first));
}

}  // namespace iam::store
