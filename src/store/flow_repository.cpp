#include "store/flow_repository.hpp"

namespace iam::store {
namespace {

using domain::DailyFlows;
using domain::FlowSums;

constexpr const char* kSelectProductDays =
    R"(SELECT "producto_id", "dia", "tipo", "movimientos", "cantidad", "total_conocido", "cantidad_sin_total",
              "costo_conocido", "cantidad_sin_costo"
       FROM "iam_product_daily_flows" WHERE "empresa_id" = $1 AND "dia" BETWEEN $2 AND $3
       ORDER BY "producto_id", "dia", "tipo")";
// Sums the kTenantShards rows of each (dia, tipo) back into one; CAST because PostgreSQL's
// SUM(bigint) is numeric.
constexpr const char* kSelectTenantDays =
    R"(SELECT 0, "dia", "tipo", CAST(SUM("movimientos") AS BIGINT), CAST(SUM("cantidad") AS BIGINT),
              SUM("total_conocido"), 0, SUM("costo_conocido"), 0
       FROM "iam_tenant_daily_flows" WHERE "empresa_id" = $1 AND "dia" BETWEEN $2 AND $3
       GROUP BY "dia", "tipo" ORDER BY "dia", "tipo")";
// The predicate repeats the partial index's, so both planners use iam_product_daily_flows_legacy_idx.
constexpr const char* kSelectLegacyProductDays =
    R"(SELECT "producto_id", "dia", "tipo", 0, 0, 0, "cantidad_sin_total", 0, "cantidad_sin_costo"
       FROM "iam_product_daily_flows" WHERE "empresa_id" = $1 AND "dia" BETWEEN $2 AND $3
         AND ("cantidad_sin_total" <> 0 OR "cantidad_sin_costo" <> 0)
       ORDER BY "producto_id", "dia", "tipo")";
// Served by iam_product_daily_flows_demand_idx alone (migration 0007).
constexpr const char* kSelectDemandUnits =
    R"(SELECT "producto_id", "dia", "cantidad" FROM "iam_product_daily_flows"
       WHERE "empresa_id" = $1 AND "tipo" = 'SALIDA' AND "dia" BETWEEN $2 AND $3 AND "cantidad" <> 0)";
constexpr const char* kSelectTenantSalidaUnits =
    R"(SELECT CAST(COALESCE(SUM("cantidad"), 0) AS BIGINT) FROM "iam_tenant_daily_flows"
       WHERE "empresa_id" = $1 AND "tipo" = 'SALIDA' AND "dia" BETWEEN $2 AND $3)";
constexpr const char* kSelectSnapshots =
    R"(SELECT "id", "estado", "stock", "stockMinimo", "precioCompra", "precioVenta"
       FROM "Producto" WHERE "empresaId" = $1 ORDER BY "id")";

// Appends rows shaped (producto_id, dia, tipo, six sums), merging consecutive rows of one
// product-day (ENTRADA and SALIDA) into one DailyFlows. REQUIRES: rows ordered by producto_id, dia.
Result<void> AppendFlows(Connection& conn, const char* sql, domain::Id empresa, domain::EpochDay first,
                         domain::EpochDay last, std::vector<DailyFlows>& out) {
  auto rs = conn.Query(sql, {Param(static_cast<std::int64_t>(empresa)), Param(first), Param(last)});
  if (!rs) return Fail(rs.error());
  std::size_t merge_from = out.size();
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    domain::Id producto = r.Int(0);
    domain::EpochDay dia = r.Int(1);
    if (out.size() == merge_from || out.back().producto_id != producto || out.back().dia != dia) {
      out.push_back(DailyFlows{.producto_id = producto, .dia = dia, .entradas = {}, .salidas = {}});
    }
    FlowSums& s = r.Text(2) == "SALIDA" ? out.back().salidas : out.back().entradas;
    s.movimientos = r.Int(3);
    s.cantidad = r.Int(4);
    s.total_conocido = r.Double(5);
    s.cantidad_sin_total = r.Int(6);
    s.costo_conocido = r.Double(7);
    s.cantidad_sin_costo = r.Int(8);
  }
  return {};
}

}  // namespace

Result<std::vector<DailyFlows>> ReadDailyFlows(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                               domain::EpochDay last) {
  std::vector<DailyFlows> out;
  if (auto r = AppendFlows(conn, kSelectProductDays, empresa, first, last, out); !r) return Fail(r.error());
  return out;
}

Result<std::vector<DailyFlows>> ReadTenantDailyFlows(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                                     domain::EpochDay last) {
  std::vector<DailyFlows> out;
  if (auto r = AppendFlows(conn, kSelectTenantDays, empresa, first, last, out); !r) return Fail(r.error());
  if (auto r = AppendFlows(conn, kSelectLegacyProductDays, empresa, first, last, out); !r) return Fail(r.error());
  return out;
}

Result<std::vector<ProductDayUnits>> ReadDemandUnits(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                                     domain::EpochDay last) {
  auto rs = conn.Query(kSelectDemandUnits, {Param(static_cast<std::int64_t>(empresa)), Param(first), Param(last)});
  if (!rs) return Fail(rs.error());
  std::vector<ProductDayUnits> out;
  out.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    out.push_back(ProductDayUnits{.producto_id = r.Int(0), .dia = r.Int(1), .unidades = r.Int(2)});
  }
  return out;
}

Result<std::int64_t> ReadTenantSalidaUnits(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                           domain::EpochDay last) {
  auto rs = conn.Query(kSelectTenantSalidaUnits, {Param(static_cast<std::int64_t>(empresa)), Param(first), Param(last)});
  if (!rs) return Fail(rs.error());
  return rs->empty() ? 0 : (*rs)[0].Int(0);
}

Result<std::vector<domain::ProductSnapshot>> ReadProductSnapshots(Connection& conn, domain::Id empresa) {
  auto rs = conn.Query(kSelectSnapshots, {Param(static_cast<std::int64_t>(empresa))});
  if (!rs) return Fail(rs.error());
  std::vector<domain::ProductSnapshot> out;
  out.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    out.push_back(domain::ProductSnapshot{.id = r.Int(0),
                                          .estado = r.Text(1),
                                          .stock = r.Int(2),
                                          .stock_minimo = r.Int(3),
                                          .precio_compra = r.Double(4),
                                          .precio_venta = r.Double(5)});
  }
  return out;
}

}  // namespace iam::store
