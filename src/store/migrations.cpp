#include "store/migrations.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "domain/time_format.hpp"
#include "store/change_notifications.hpp"
#include "store/daily_flow_aggregates.hpp"
#include "store/demand_analyses.hpp"
#include "store/schema_sql.hpp"

namespace iam::store {
namespace {

constexpr const char* kCreateBookkeeping =
    R"(CREATE TABLE IF NOT EXISTS "iam_schema_migrations" ("id" TEXT PRIMARY KEY, "applied_at" TEXT NOT NULL))";
constexpr const char* kSelectApplied = R"(SELECT "id" FROM "iam_schema_migrations")";
constexpr const char* kInsertApplied = R"(INSERT INTO "iam_schema_migrations" ("id", "applied_at") VALUES ($1, $2))";
constexpr const char* kPgTableExists =
    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1";
constexpr const char* kSqliteTableExists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1";
constexpr const char* kPgColumnExists =
    "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 "
    "AND column_name = $2";
constexpr const char* kSqliteColumnExists = "SELECT 1 FROM pragma_table_info($1) WHERE name = $2";
// Serializes concurrent `migrate` runs of several instances on one PostgreSQL (SQLite's
// BEGIN IMMEDIATE already does). The number is arbitrary but fixed: "IAM" in ASCII.
constexpr const char* kPgLock = "SELECT pg_advisory_lock(4800845)";
constexpr const char* kPgUnlock = "SELECT pg_advisory_unlock(4800845)";

struct Migration {
  const char* id;
  std::function<Result<void>(Connection&)> apply;
};

Result<bool> TableExists(Connection& c, const std::string& table) {
  auto r = c.Query(c.dialect() == Dialect::kPostgres ? kPgTableExists : kSqliteTableExists, {Param(table)});
  if (!r) return Fail(r.error());
  return !r->empty();
}

// Adds a nullable column unless it is there: the only kind of change attach mode allows on a
// legacy table.
Result<void> AddColumnIfMissing(Connection& c, const std::string& table, const std::string& column,
                                const char* pg_type, const char* sqlite_type) {
  bool pg = c.dialect() == Dialect::kPostgres;
  auto exists = c.Query(pg ? kPgColumnExists : kSqliteColumnExists, {Param(table), Param(column)});
  if (!exists) return Fail(exists.error());
  if (!exists->empty()) return {};
  return c.ExecScript("ALTER TABLE \"" + table + "\" ADD COLUMN \"" + column + "\" " + (pg ? pg_type : sqlite_type));
}

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kMigrations = {
      {"0001_legacy_schema",
       [](Connection& c) {
         return c.ExecScript(c.dialect() == Dialect::kPostgres ? sql::kPostgresLegacySchema
                                                               : sql::kSqliteLegacySchema);
       }},
      {"0002_movimiento_costo_unitario",
       [](Connection& c) {
         return AddColumnIfMissing(c, "MovimientoInventario", "costoUnitario", "DOUBLE PRECISION", "REAL");
       }},
      {"0003_user_revocations",
       [](Connection& c) {
         // "Revoke every session of a user before T" (password change, refresh-token reuse,
         // deactivation) as one row per user instead of one per token: O(1) to write and to check.
         return c.ExecScript(R"(CREATE TABLE IF NOT EXISTS "iam_user_revocations" (
             "user_id" INTEGER PRIMARY KEY REFERENCES "Usuario"("id") ON DELETE CASCADE,
             "revoked_before_ms" BIGINT NOT NULL,
             "keep_jti" TEXT))");
       }},
      {"0004_idempotency_keys",
       [](Connection& c) {
         // The first successful answer to a write sent with an Idempotency-Key, per tenant. The
         // primary key decides between concurrent requests with one key; created_at_ms drives expiry.
         return c.ExecScript(R"(CREATE TABLE IF NOT EXISTS "iam_idempotency_keys" (
             "empresa_id" INTEGER NOT NULL REFERENCES "Empresa"("id") ON DELETE CASCADE,
             "idem_key" TEXT NOT NULL,
             "request_hash" TEXT NOT NULL,
             "status" INTEGER NOT NULL,
             "response_body" TEXT NOT NULL,
             "created_at_ms" BIGINT NOT NULL,
             PRIMARY KEY ("empresa_id", "idem_key"));
           CREATE INDEX IF NOT EXISTS "iam_idempotency_keys_created_at_ms_idx"
             ON "iam_idempotency_keys" ("created_at_ms"))");
       }},
      {"0005_product_indexes",
       [](Connection& c) {
         // GET /productos: one tenant's products in one estado, ordered stock desc, nombre, id
         // (the legacy schema has no index on "Producto"."empresaId" at all).
         return c.ExecScript(R"(CREATE INDEX IF NOT EXISTS "iam_producto_listado_idx"
             ON "Producto" ("empresaId", "estado", "stock" DESC, "nombre", "id"))");
       }},
      {"0006_daily_flow_aggregates",
       [](Connection& c) {
         // Per product / per tenant daily sums of ACTIVO movements, kept by triggers whoever writes
         // the ledger, and back-filled here from existing movements (daily_flow_aggregates.hpp).
         return InstallDailyFlowAggregates(c);
       }},
      {"0007_demand_series_index",
       [](Connection& c) {
         // predictive-kpis reads only SALIDA units per product-day: a covering index lets it read
         // them from the index alone, three narrow columns instead of the whole aggregate row.
         return c.ExecScript(c.dialect() == Dialect::kPostgres
                                 ? R"(CREATE INDEX IF NOT EXISTS "iam_product_daily_flows_demand_idx"
                                        ON "iam_product_daily_flows" ("empresa_id", "tipo", "dia")
                                        INCLUDE ("producto_id", "cantidad"))"
                                 : R"(CREATE INDEX IF NOT EXISTS "iam_product_daily_flows_demand_idx"
                                        ON "iam_product_daily_flows" ("empresa_id", "tipo", "dia", "producto_id", "cantidad"))");
       }},
      {"0008_change_notifications",
       [](Connection& c) {
         // PostgreSQL announces every committed change to a tenant's data on channel iam_changes,
         // whoever writes it; ChangeListener turns that into cache invalidation
         // (change_notifications.hpp). A no-op on SQLite.
         return InstallChangeNotifications(c);
       }},
      {"0009_product_demand_analyses",
       [](Connection& c) {
         // predictive-kpis keeps each product's demand analysis, valid for a version that a
         // trigger bumps on any change to the product's SALIDA aggregates (demand_analyses.hpp), so
         // that a computation reads O(products) rows, not one row per product-day of sales.
         return InstallDemandAnalyses(c);
       }},
      {"0010_auth_change_notifications",
       [](Connection& c) {
         // Writes to the rows a token check reads (users, logouts, revocations) are announced as
         // "auth", so every instance forgets its remembered token checks at once (PostgreSQL).
         return InstallChangeNotifications(c);
       }},
  };
  return kMigrations;
}

Result<MigrationReport> MigrateLocked(Connection& c) {
  auto had_bookkeeping = TableExists(c, "iam_schema_migrations");
  if (!had_bookkeeping) return Fail(had_bookkeeping.error());
  auto had_legacy = TableExists(c, "Empresa");
  if (!had_legacy) return Fail(had_legacy.error());
  if (auto r = c.ExecScript(kCreateBookkeeping); !r) return Fail(r.error());

  auto rows = c.Query(kSelectApplied, {});
  if (!rows) return Fail(rows.error());
  std::vector<std::string> done;
  for (std::size_t i = 0; i < rows->size(); ++i) done.push_back((*rows)[i].Text(0));

  MigrationReport report;
  for (const Migration& m : AllMigrations()) {
    if (std::find(done.begin(), done.end(), m.id) != done.end()) continue;
    if (auto b = c.Begin(); !b) return Fail(b.error());
    auto applied = m.apply(c);
    if (applied) {
      auto recorded = c.Query(kInsertApplied, {Param(std::string(m.id)), Param(FormatIsoMs(NowMs()))});
      if (!recorded) applied = Fail(recorded.error());
    }
    if (!applied) {
      (void)c.Rollback();
      spdlog::error("migration {} failed: {}", m.id, applied.error().message);
      return Fail(applied.error());
    }
    if (auto cm = c.Commit(); !cm) return Fail(cm.error());
    spdlog::info("migration {} applied", m.id);
    report.applied.emplace_back(m.id);
  }
  if (report.applied.empty()) report.mode = MigrationMode::kUpToDate;
  else report.mode = (*had_legacy && !*had_bookkeeping) ? MigrationMode::kAttach : MigrationMode::kFresh;
  return report;
}

}  // namespace

std::vector<std::string> KnownMigrations() {
  std::vector<std::string> ids;
  for (const Migration& m : AllMigrations()) ids.emplace_back(m.id);
  return ids;
}

const char* ToString(MigrationMode mode) {
  switch (mode) {
    case MigrationMode::kFresh: return "fresh";
    case MigrationMode::kAttach: return "attach";
    case MigrationMode::kUpToDate: return "up-to-date";
  }
  return "?";
}

Result<int> PendingMigrations(Database& db) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  Connection& c = **lease;
  auto has_table = TableExists(c, "iam_schema_migrations");
  if (!has_table) return Fail(has_table.error());
  int total = static_cast<int>(AllMigrations().size());
  if (!*has_table) return total;
  auto rows = c.Query(kSelectApplied, {});
  if (!rows) return Fail(rows.error());
  int pending = 0;
  for (const Migration& m : AllMigrations()) {
    bool done = false;
    for (std::size_t i = 0; i < rows->size() && !done; ++i) done = (*rows)[i].Text(0) == m.id;
    pending += done ? 0 : 1;
  }
  return pending;
}

Result<MigrationReport> Migrate(Database& db) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  Connection& c = **lease;
  bool pg = c.dialect() == Dialect::kPostgres;
  if (pg) {
    if (auto l = c.Query(kPgLock, {}); !l) return Fail(l.error());
  }
  auto report = MigrateLocked(c);
  if (pg) (void)c.Query(kPgUnlock, {});
  return report;
}

}  // namespace iam::store
