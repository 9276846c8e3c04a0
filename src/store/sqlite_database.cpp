#include "store/sqlite_database.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

namespace iam::store {
namespace {

Error MapSqliteError(sqlite3* db, int rc) {
  int ext = sqlite3_extended_errcode(db);
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  spdlog::warn("sqlite error {}: {}", ext, msg);
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
    return Error::Conflict(msg, "DUPLICATE");  // "UNIQUE constraint failed: T.col": no values
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Error::Conflict("constraint violated", "CONSTRAINT");
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return Error::Unavailable("database busy");
  if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL)
    return Error::Unavailable("database unavailable");
  return Error::Internal();
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

class SqliteConnection final : public Connection {
 public:
  // `statements` counts every statement this connection runs; it must outlive the connection.
  SqliteConnection(sqlite3* db, std::atomic<std::uint64_t>& statements) : db_(db), statements_run_(statements) {}
  ~SqliteConnection() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<ResultSet> Query(std::string_view sql, std::span<const Param> params) override {
    auto stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    sqlite3_stmt* s = *stmt;
    statements_run_.fetch_add(1, std::memory_order_relaxed);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (int rc = Bind(s, static_cast<int>(i + 1), params[i]); rc != SQLITE_OK) return Fail(MapSqliteError(db_, rc));
    }
    int ncols = sqlite3_column_count(s);
    std::vector<std::string> names;
    for (int c = 0; c < ncols; ++c) names.emplace_back(sqlite3_column_name(s, c));
    ResultSet rs(std::move(names));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      for (int c = 0; c < ncols; ++c) rs.AddCell(ReadCell(s, c));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return Fail(MapSqliteError(db_, rc));
    rs.set_affected_rows(sqlite3_stmt_readonly(s) ? 0 : sqlite3_changes64(db_));
    return rs;
  }

  Result<void> ExecScript(std::string_view sql) override {
    std::string text(sql);
    statements_run_.fetch_add(1, std::memory_order_relaxed);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Fail(MapSqliteError(db_, rc));
    return {};
  }

  Result<void> Begin() override { return ExecScript("BEGIN IMMEDIATE"); }
  Result<void> BeginSnapshot() override { return ExecScript("BEGIN DEFERRED"); }
  Result<void> Commit() override { return ExecScript("COMMIT"); }
  Result<void> Rollback() override { return ExecScript("ROLLBACK"); }

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  static int Bind(sqlite3_stmt* s, int idx, const Param& p) {
    return std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) return sqlite3_bind_null(s, idx);
          else if constexpr (std::is_same_v<T, std::int64_t>) return sqlite3_bind_int64(s, idx, v);
          else if constexpr (std::is_same_v<T, double>) return sqlite3_bind_double(s, idx, v);
          else if constexpr (std::is_same_v<T, bool>) return sqlite3_bind_int(s, idx, v ? 1 : 0);
          else return sqlite3_bind_text64(s, idx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        },
        p);
  }

  static Cell ReadCell(sqlite3_stmt* s, int c) {
    switch (sqlite3_column_type(s, c)) {
      case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(s, c));
      case SQLITE_FLOAT: return sqlite3_column_double(s, c);
      case SQLITE_NULL: return std::monostate{};
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
        return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, c)));
      }
    }
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second.get();
    std::string rewritten = RewritePlaceholdersForSqlite(sql);
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, rewritten.data(), static_cast<int>(rewritten.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return Fail(MapSqliteError(db_, rc));
    if (raw == nullptr) return Fail(Error::Internal());  // empty statement: a bug in the caller
    auto* out = raw;
    statements_.emplace(std::move(key), StmtPtr(raw));
    return out;
  }

  sqlite3* db_;
  std::atomic<std::uint64_t>& statements_run_;
  std::unordered_map<std::string, StmtPtr> statements_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, int capacity, std::chrono::milliseconds busy)
      : path_(std::move(path)), capacity_(capacity), busy_(busy) {}

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::unique_ptr<SqliteConnection>> Open() {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      Error e = MapSqliteError(db, rc);
      sqlite3_close_v2(db);
      return Fail(Error::Unavailable("cannot open SQLite database " + path_ + ": " + e.message));
    }
    sqlite3_busy_timeout(db, static_cast<int>(busy_.count()));
    auto conn = std::make_unique<SqliteConnection>(db, statements_);
    // WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes
    // (only an OS crash may lose the last commits), the usual pairing with WAL.
    auto r = conn->ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
    if (!r) return Fail(r.error());
    return conn;
  }

  Result<Lease> Acquire(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !idle_.empty() || open_ < capacity_; })) {
      ++stats_timeouts_;
      return Fail(Error::Unavailable("database pool exhausted"));
    }
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
      return Lease(this, std::move(c));
    }
    ++open_;
    lock.unlock();
    auto c = Open();
    lock.lock();
    if (!c) {
      --open_;
      cv_.notify_one();
      return Fail(c.error());
    }
    ++in_use_;
    return Lease(this, std::move(*c));
  }

  Result<void> Ping() override {
    auto lease = Acquire(std::chrono::seconds(5));
    if (!lease) return Fail(lease.error());
    auto r = (*lease)->Query("SELECT 1", {});
    if (!r) return Fail(r.error());
    return {};
  }

  PoolStats Stats() const override {
    std::lock_guard lock(mu_);
    return PoolStats{open_, in_use_, capacity_, 0, stats_timeouts_, statements_.load(std::memory_order_relaxed)};
  }

 protected:
  void Return(std::unique_ptr<Connection> conn) override {
    auto* sc = static_cast<SqliteConnection*>(conn.get());
    if (sc->InTransaction()) (void)sc->Rollback();  // a lease dropped mid-transaction changes nothing
    std::lock_guard lock(mu_);
    --in_use_;
    idle_.push_back(std::move(conn));
    cv_.notify_one();
  }

 private:
  std::string path_;
  int capacity_;
  std::chrono::milliseconds busy_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<std::uint64_t> statements_{0};  // before idle_: its connections refer to it
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  int in_use_ = 0;
  std::uint64_t stats_timeouts_ = 0;
};

}  // namespace

std::string RewritePlaceholdersForSqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // copy a quoted literal or identifier verbatim ('' escapes stay inside)
      std::size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const DatabaseOptions& options) {
  std::string path = options.url.substr(std::string_view("sqlite:").size());
  if (path.empty()) return Fail(Error::InvalidArgument("DATABASE_URL sqlite: needs a file path"));
  int capacity = options.pool_size;
  if (path == ":memory:") capacity = 1;  // each connection would otherwise see its own empty database
  auto db = std::make_unique<SqliteDatabase>(path, capacity, options.busy_timeout);
  if (auto lease = db->Acquire(options.connect_timeout); !lease) return Fail(lease.error());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace iam::store
