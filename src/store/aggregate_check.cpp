#include "store/aggregate_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "domain/kpi_window.hpp"
#include "store/daily_flow_aggregates.hpp"

namespace iam::store {
namespace {

// (producto_id or empresa_id, dia, tipo, shard); shard is 0 for product rows.
using Key = std::tuple<domain::Id, std::int64_t, std::string, std::int64_t>;
using Rows = std::map<Key, domain::FlowSums>;

constexpr const char* kSumColumns =
    R"("movimientos", "cantidad", "total_conocido", "cantidad_sin_total", "costo_conocido", "cantidad_sin_costo")";

// Reads rows shaped (key, dia, tipo, [shard,] six sums) starting at column `first`; the shard
// column is there when `sharded` (the tenant table, one row per shard).
Result<Rows> ReadRows(Connection& conn, const std::string& sql, std::optional<domain::Id> empresa, std::size_t first,
                      bool sharded) {
  const Param params[] = {empresa ? Param(static_cast<std::int64_t>(*empresa)) : Param(nullptr)};
  auto rs = conn.Query(sql, params);
  if (!rs) return Fail(rs.error());
  Rows out;
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    std::size_t c = first;
    Key key{r.Int(c), r.Int(c + 1), r.Text(c + 2), sharded ? r.Int(c + 3) : 0};
    if (sharded) ++c;
    domain::FlowSums s;
    s.movimientos = r.Int(c + 3);
    s.cantidad = r.Int(c + 4);
    s.total_conocido = r.Double(c + 5);
    s.cantidad_sin_total = r.Int(c + 6);
    s.costo_conocido = r.Double(c + 7);
    s.cantidad_sin_costo = r.Int(c + 8);
    out.emplace(std::move(key), s);
  }
  return out;
}

bool Near(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)}); }

bool Same(const domain::FlowSums& a, const domain::FlowSums& b) {
  return a.movimientos == b.movimientos && a.cantidad == b.cantidad && a.cantidad_sin_total == b.cantidad_sin_total &&
         a.cantidad_sin_costo == b.cantidad_sin_costo && Near(a.total_conocido, b.total_conocido) &&
         Near(a.costo_conocido, b.costo_conocido);
}

void Compare(const std::string& table, const Rows& expected, const Rows& stored, AggregateReport& report) {
  std::map<Key, std::pair<const domain::FlowSums*, const domain::FlowSums*>> all;
  for (const auto& [k, v] : expected) all[k].first = &v;
  for (const auto& [k, v] : stored) all[k].second = &v;
  report.rows_checked += static_cast<std::int64_t>(all.size());
  for (const auto& [k, pair] : all) {
    const auto& [e, s] = pair;
    if (e && s && Same(*e, *s)) continue;
    AggregateDiff d{table, std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), std::nullopt, std::nullopt};
    if (e) d.expected = *e;
    if (s) d.stored = *s;
    report.diffs.push_back(std::move(d));
  }
}

std::string TenantFilter(Dialect d) {
  return d == Dialect::kPostgres ? R"(($1::integer IS NULL OR "empresa_id" = $1::integer))"
                                 : R"(($1 IS NULL OR "empresa_id" = $1))";
}

Result<AggregateReport> VerifyOn(Connection& conn, std::optional<domain::Id> empresa) {
  Dialect d = conn.dialect();
  AggregateReport report;
  auto expected_products = ReadRows(conn, RecomputeProductFlowsSql(d), empresa, 1, false);
  if (!expected_products) return Fail(expected_products.error());
  auto stored_products = ReadRows(
      conn,
      fmt::format(R"(SELECT "producto_id", "dia", "tipo", {} FROM "iam_product_daily_flows" WHERE {})", kSumColumns,
                  TenantFilter(d)),
      empresa, 0, false);
  if (!stored_products) return Fail(stored_products.error());
  Compare("iam_product_daily_flows", *expected_products, *stored_products, report);

  auto expected_tenants = ReadRows(conn, RecomputeTenantFlowsSql(d), empresa, 0, true);
  if (!expected_tenants) return Fail(expected_tenants.error());
  auto stored_tenants = ReadRows(
      conn,
      fmt::format(R"(SELECT "empresa_id", "dia", "tipo", "shard", {} FROM "iam_tenant_daily_flows" WHERE {})",
                  kSumColumns, TenantFilter(d)),
      empresa, 0, true);
  if (!stored_tenants) return Fail(stored_tenants.error());
  Compare("iam_tenant_daily_flows", *expected_tenants, *stored_tenants, report);
  return report;
}

std::string Describe(const std::optional<domain::FlowSums>& s) {
  if (!s) return "(no row)";
  return fmt::format("movimientos={} cantidad={} total_conocido={} cantidad_sin_total={} costo_conocido={} "
                     "cantidad_sin_costo={}",
                     s->movimientos, s->cantidad, s->total_conocido, s->cantidad_sin_total, s->costo_conocido,
                     s->cantidad_sin_costo);
}

}  // namespace

Result<AggregateReport> VerifyAggregates(Database& db, std::optional<domain::Id> empresa) {
  return InTransaction(db, [&](Connection& conn) -> Result<AggregateReport> {
    if (conn.dialect() == Dialect::kPostgres) {
      // One snapshot for the ledger and the aggregates (READ COMMITTED would take one per statement).
      if (auto r = conn.Query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", {}); !r) return Fail(r.error());
    }
    return VerifyOn(conn, empresa);
  });
}

Result<void> RepairAggregates(Database& db, std::optional<domain::Id> empresa) {
  return InTransaction(db, [&](Connection& conn) { return RebuildDailyFlowAggregates(conn, empresa); });
}

std::string FormatAggregateReport(const AggregateReport& report, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < report.diffs.size() && i < limit; ++i) {
    const auto& d = report.diffs[i];
    const bool tenant = d.table == "iam_tenant_daily_flows";
    out += fmt::format("{} {}={} dia={} ({}) tipo={}{}\n  ledger: {}\n  stored: {}\n", d.table,
                       tenant ? "empresa" : "producto", d.key, d.dia, domain::FormatEpochDay(d.dia), d.tipo,
                       tenant ? fmt::format(" shard={}", d.shard) : std::string(), Describe(d.expected),
                       Describe(d.stored));
  }
  if (report.diffs.size() > limit) out += fmt::format("… and {} more\n", report.diffs.size() - limit);
  return out;
}

}  // namespace iam::store
