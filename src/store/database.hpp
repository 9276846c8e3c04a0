// Database: the one storage interface, with a PostgreSQL (libpq) and a SQLite implementation.
// A Database is a thread-safe pool; Acquire() leases a Connection that one thread uses at a time
// and that returns to the pool when the lease is destroyed. All calls block: run them on the
// blocking pool, never on an I/O thread.
// SQL is written once, in PostgreSQL's `$1` placeholder style; parameters are always bound, never
// spliced into the text. A failure is an Error: kConflict for unique/check violations (code
// "DUPLICATE"/"CONSTRAINT"), kUnavailable when the server cannot be reached, kInternal otherwise;
// messages never carry SQL text or parameter values.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/error.hpp"
#include "store/result_set.hpp"

namespace iam::store {

enum class Dialect { kPostgres, kSqlite };

// A bound parameter. Timestamps are passed as ISO-8601 UTC text with milliseconds and `Z`
// (see TimestampParam), which both PostgreSQL `timestamp(3)` and the SQLite text columns accept.
using Param = std::variant<std::nullptr_t, std::int64_t, double, std::string, bool>;


struct PoolStats {
  int size = 0;       // connections open
  int in_use = 0;     // leased right now
  int capacity = 0;   // maximum connections
  std::uint64_t reconnects = 0;
  std::uint64_t acquire_timeouts = 0;
  // Statements executed by this pool's connections since it opened: queries (a retried one counts
  // twice; one rejected while preparing, not at all), BEGIN/COMMIT/ROLLBACK and scripts.
  std::uint64_t statements = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement with bound parameters; returns its rows (empty for DDL/DML without
  // RETURNING) and the number of rows changed.
  virtual Result<ResultSet> Query(std::string_view sql, std::span<const Param> params = {}) = 0;
  // Runs a script of several statements without parameters (migrations only).
  virtual Result<void> ExecScript(std::string_view sql) = 0;
  // Transactions. Begin takes the write lock at once on SQLite (BEGIN IMMEDIATE), so a
  // read-modify-write inside never fails halfway with SQLITE_BUSY.
  virtual Result<void> Begin() = 0;
  virtual Result<void> Commit() = 0;
  virtual Result<void> Rollback() = 0;
  // A transaction for reads in which every statement sees the same committed state (PostgreSQL:
  // REPEATABLE READ READ ONLY, which refuses writes; SQLite: a deferred transaction, whose WAL
  // snapshot is taken by its first read, and which must not write). Ended by Commit or Rollback.
  virtual Result<void> BeginSnapshot() = 0;

  Result<ResultSet> Query(std::string_view sql, std::initializer_list<Param> params) {
    return Query(sql, std::span<const Param>(params.begin(), params.size()));
  }
};

class Database;

// A leased connection; returns it to its pool on destruction.
class Lease {
 public:
  Lease() = default;
  Lease(Database* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  void Release();
  Database* pool_ = nullptr;
  std::unique_ptr<Connection> conn_;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Leases a connection, waiting at most `timeout` for one to be free (kUnavailable after that).
  virtual Result<Lease> Acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5)) = 0;
  // A round trip to the database (`SELECT 1`); kUnavailable when it does not answer.
  virtual Result<void> Ping() = 0;
  virtual PoolStats Stats() const = 0;

 protected:
  friend class Lease;
  // Called by Lease. `conn` may be broken; the pool decides whether to keep it.
  virtual void Return(std::unique_ptr<Connection> conn) = 0;
};

struct DatabaseOptions {
  std::string url;  // postgres://…, postgresql://…, or sqlite:PATH (sqlite::memory: for tests)
  int pool_size = 8;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds busy_timeout{5000};  // SQLite only
};

// Opens the database named by options.url (does not run migrations). kInvalidArgument for an
// unknown scheme, kUnavailable when the server cannot be reached.
Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options);

// Runs `fn(Connection&) -> Result<T>` on a leased connection, outside any transaction.
template <typename Fn>
auto WithConnection(Database& db, Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  return fn(**lease);
}

// Runs `fn(Connection&) -> Result<T>` inside a transaction on a leased connection: commits when
// fn succeeds, rolls back when it fails.
template <typename Fn>
auto InTransaction(Database& db, Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  Connection& conn = **lease;
  if (auto b = conn.Begin(); !b) return Fail(b.error());
  auto result = fn(conn);
  if (!result) {
    (void)conn.Rollback();
    return result;
  }
  if (auto c = conn.Commit(); !c) return Fail(c.error());
  return result;
}

// Runs `fn(Connection&) -> Result<T>`, which only reads, inside a snapshot on `conn`
// (Connection::BeginSnapshot), so that its reads describe one state of the database even while
// others commit between them. REQUIRES: `conn` is not inside a transaction.
template <typename Fn>
auto InSnapshot(Connection& conn, Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  if (auto b = conn.BeginSnapshot(); !b) return Fail(b.error());
  auto result = fn(conn);
  if (!result) {
    (void)conn.Rollback();
    return result;
  }
  if (auto c = conn.Commit(); !c) return Fail(c.error());
  return result;
}

// InSnapshot on a leased connection.
template <typename Fn>
auto InReadSnapshot(Database& db, Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  return InSnapshot(**lease, fn);
}

// True for a transaction PostgreSQL aborted as a deadlock victim (40P01) or a serialization failure
// (40001): kConflict with code "RETRY". Nothing of the transaction was kept; running it again may
// succeed.
inline bool IsRetryable(const Error& e) { return e.kind == ErrorKind::kConflict && e.code == "RETRY"; }

// InTransaction, run once more (on a fresh transaction) when the first attempt fails with a
// retryable error (IsRetryable), e.g. when two movement transactions deadlock on aggregate rows.
// `fn` must be safe to run twice: its database effects were rolled back, but anything else it
// does (its captures) is not. The second failure, if any, is returned as is.
template <typename Fn>
auto InTransactionWithRetry(Database& db, Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto result = InTransaction(db, fn);
  if (!result && IsRetryable(result.error())) result = InTransaction(db, fn);
  return result;
}

}  // namespace iam::store
