#include "store/kpi_queries.hpp"

namespace iam::store {
namespace {

// CAST because PostgreSQL's SUM(bigint) is numeric.
constexpr const char* kSelectProductWindow =
    R"(SELECT "tipo", CAST(SUM("movimientos") AS BIGINT), CAST(SUM("cantidad") AS BIGINT), SUM("total_conocido"),
              CAST(SUM("cantidad_sin_total") AS BIGINT), SUM("costo_conocido"), CAST(SUM("cantidad_sin_costo") AS BIGINT)
       FROM "iam_product_daily_flows"
       WHERE "producto_id" = $1 AND "empresa_id" = $2 AND "dia" BETWEEN $3 AND $4
       GROUP BY "tipo")";
constexpr const char* kSelectLastMovement =
    R"(SELECT MAX("fecha") FROM "MovimientoInventario"
       WHERE "productoId" = $1 AND "empresaId" = $2 AND "estado" = 'ACTIVO')";
constexpr const char* kSelectLabels =
    R"(SELECT "id", "nombre", "creadoEn" FROM "Producto" WHERE "empresaId" = $1 ORDER BY "id")";

}  // namespace

Result<domain::ProductFlows> ReadProductWindowFlows(Connection& conn, domain::Id empresa, domain::Id producto,
                                                    domain::EpochDay first, domain::EpochDay last) {
  auto rs = conn.Query(kSelectProductWindow, {Param(static_cast<std::int64_t>(producto)),
                                              Param(static_cast<std::int64_t>(empresa)), Param(first), Param(last)});
  if (!rs) return Fail(rs.error());
  domain::ProductFlows out{.producto_id = producto, .entradas = {}, .salidas = {}};
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    domain::FlowSums& s = r.Text(0) == "SALIDA" ? out.salidas : out.entradas;
    s.movimientos = r.Int(1);
    s.cantidad = r.Int(2);
    s.total_conocido = r.Double(3);
    s.cantidad_sin_total = r.Int(4);
    s.costo_conocido = r.Double(5);
    s.cantidad_sin_costo = r.Int(6);
  }
  return out;
}

Result<std::optional<std::int64_t>> ReadLastMovementMs(Connection& conn, domain::Id empresa, domain::Id producto) {
  auto rs = conn.Query(kSelectLastMovement,
                       {Param(static_cast<std::int64_t>(producto)), Param(static_cast<std::int64_t>(empresa))});
  if (!rs) return Fail(rs.error());
  if (rs->empty()) return std::optional<std::int64_t>{};
  return (*rs)[0].OptTimeMs(0);
}

Result<std::vector<ProductLabel>> ReadProductLabels(Connection& conn, domain::Id empresa) {
  auto rs = conn.Query(kSelectLabels, {Param(static_cast<std::int64_t>(empresa))});
  if (!rs) return Fail(rs.error());
  std::vector<ProductLabel> out;
  out.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    out.push_back(ProductLabel{.id = r.Int(0), .nombre = r.Text(1), .creado_en = domain::DayOfMs(r.OptTimeMs(2).value_or(0))});
  }
  return out;
}

}  // namespace iam::store
