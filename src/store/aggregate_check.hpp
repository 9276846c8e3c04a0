// Consistency check of the daily aggregates (daily_flow_aggregates.hpp): recomputes them from the
// ledger and compares, integers exactly and sums of doubles with a relative tolerance of
// 1e-9 × max(1, |x|) (sums kept incrementally by triggers differ from a fresh sum in the last bits).
// Reads in one transaction so ledger and aggregates come from one snapshot. Blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "domain/kpi_flows.hpp"
#include "store/database.hpp"

namespace iam::store {

// One (key, dia, tipo[, shard]) whose stored row differs from the recomputation; a missing side is
// nullopt. Tenant rows are compared per shard (kTenantShards), so drift inside one shard shows.
struct AggregateDiff {
  std::string table;  // "iam_product_daily_flows" (key = producto_id) or "iam_tenant_daily_flows" (key = empresa_id)
  domain::Id key = 0;
  std::int64_t dia = 0;
  std::string tipo;
  std::int64_t shard = 0;  // tenant table only: producto_id % kTenantShards; 0 for product rows
  std::optional<domain::FlowSums> expected;  // from the ledger
  std::optional<domain::FlowSums> stored;    // in the table
};

struct AggregateReport {
  std::int64_t rows_checked = 0;  // distinct keys compared over both tables
  std::vector<AggregateDiff> diffs;
  bool clean() const { return diffs.empty(); }
};

// Compares the aggregates of one tenant (or all) with the ledger.
Result<AggregateReport> VerifyAggregates(Database& db, std::optional<domain::Id> empresa);

// Rebuilds the aggregates of one tenant (or all) from the ledger in one transaction.
Result<void> RepairAggregates(Database& db, std::optional<domain::Id> empresa);

// Human-readable lines, one per diff (at most `limit`, then a count of the rest).
std::string FormatAggregateReport(const AggregateReport& report, std::size_t limit = 50);

}  // namespace iam::store
