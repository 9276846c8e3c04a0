// Daily aggregates of ACTIVO movements (docs/storage.md, "Daily aggregates"): the tables
// `iam_product_daily_flows` (per product, UTC day, tipo) and `iam_tenant_daily_flows` (per tenant,
// UTC day, tipo and shard = producto_id % kTenantShards; readers sum the shards), kept exact by database triggers on "MovimientoInventario" whoever writes it. `dia`
// is the UTC calendar day of `fecha` as days since 1970-01-01 (domain::EpochDay). A row exists only
// while at least one ACTIVO movement counts in it. Blocking; each function takes a Connection.
#pragma once

#include <optional>
#include <string>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

// The tenant table splits each (empresa_id, dia, tipo) into this many rows by `producto_id %
// kTenantShards`, so concurrent movements of one tenant on one day (each holding its row lock
// until COMMIT on PostgreSQL) only collide when their products share a shard. Used by the
// triggers, the back-fill, VerifyAggregates and ReadTenantDailyFlows; changing it requires a
// rebuild of the table (RebuildDailyFlowAggregates).
inline constexpr int kTenantShards = 16;

// Creates the tables, indexes and triggers (idempotent: IF NOT EXISTS / CREATE OR REPLACE / DROP
// TRIGGER IF EXISTS) and back-fills the tables from the ledger. REQUIRES: inside a transaction.
Result<void> InstallDailyFlowAggregates(Connection& conn);

// Replaces the aggregate rows (of one tenant, or all) by a recomputation from the ledger. Blocks
// other writers of movements until the transaction ends (PostgreSQL: SHARE lock on the ledger;
// SQLite: BEGIN IMMEDIATE). REQUIRES: inside a transaction.
Result<void> RebuildDailyFlowAggregates(Connection& conn, std::optional<domain::Id> empresa);

// SELECT texts recomputing the aggregates from the ledger, with the columns of the tables in their
// order (tenant rows: empresa_id, dia, tipo, shard, sums; one row per shard). `$1` is the tenant, or NULL for all tenants. Used by the rebuild and by VerifyAggregates.
std::string RecomputeProductFlowsSql(Dialect dialect);
std::string RecomputeTenantFlowsSql(Dialect dialect);

}  // namespace iam::store
