#include "store/movement_repository.hpp"

#include <fmt/format.h>

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

using domain::Id;

#define IAM_MOVEMENT_COLUMNS                                                                              \
  R"("id", "tipo", "cantidad", "productoId", "proveedorId", "fecha", "motivo", "descripcion", "estado", )" \
  R"("precioUnitario", "precioTotal", "tipoPrecio", "costoUnitario", "empresaId", "createdAt")"

// The stock change of a movement as one conditional UPDATE: it only matches when the result fits
// (a decrease may not go below zero, nothing above the int column's range), and it takes the
// row's write lock, so concurrent movements on one product queue up and re-check against the
// committed stock. $1 is the signed delta, cast so the sum is computed in 64 bits on PostgreSQL.
#define IAM_APPLY_STOCK(extra)                                                                              \
  R"(UPDATE "Producto" SET "stock" = "stock" + CAST($1 AS BIGINT), "version" = "version" + 1, )"             \
  R"("actualizadoEn" = $2 WHERE "id" = $3 AND "empresaId" = $4 )" extra                                     \
  R"( AND (CAST($1 AS BIGINT) >= 0 OR "stock" + CAST($1 AS BIGINT) >= 0) )"                                  \
  R"(AND "stock" + CAST($1 AS BIGINT) <= 2147483647 RETURNING "stock", "version", "precioCompra", "precioVenta")"

constexpr const char* kApplyStockToActiveProduct = IAM_APPLY_STOCK(R"(AND "estado" = 'ACTIVO')");
constexpr const char* kApplyStockToAnyProduct = IAM_APPLY_STOCK("");

constexpr const char* kSelectProductState =
    R"(SELECT "estado", "stock" FROM "Producto" WHERE "id" = $1 AND "empresaId" = $2)";
constexpr const char* kSelectProductByBarcode =
    R"(SELECT "id" FROM "Producto" WHERE "codigoBarras" = $1 AND "empresaId" = $2)";
constexpr const char* kSelectSupplierState =
    R"(SELECT "estado" FROM "Proveedor" WHERE "id" = $1 AND "empresaId" = $2)";

constexpr const char* kInsertMovement = R"(
INSERT INTO "MovimientoInventario" ("cantidad", "productoId", "proveedorId", "fecha", "motivo", "descripcion", "tipo",
  "createdAt", "empresaId", "estado", "precioUnitario", "precioTotal", "tipoPrecio", "costoUnitario")
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ACTIVO', $10, $11, $12, $13) RETURNING "id")";

constexpr const char* kSwitchMovementEstado =
    R"(UPDATE "MovimientoInventario" SET "estado" = $3 WHERE "id" = $1 AND "empresaId" = $2 AND "estado" = $4 )"
    R"(RETURNING )" IAM_MOVEMENT_COLUMNS;
constexpr const char* kSelectMovementEstado =
    R"(SELECT "estado" FROM "MovimientoInventario" WHERE "id" = $1 AND "empresaId" = $2)";
constexpr const char* kSelectMovement = "SELECT " IAM_MOVEMENT_COLUMNS
    R"( FROM "MovimientoInventario" WHERE "id" = $1 AND "empresaId" = $2 AND "estado" = $3)";
constexpr const char* kUpdateMovementText =
    R"(UPDATE "MovimientoInventario" SET "motivo" = CASE WHEN $3 THEN $4 ELSE "motivo" END, )"
    R"("descripcion" = CASE WHEN $5 THEN $6 ELSE "descripcion" END )"
    R"(WHERE "id" = $1 AND "empresaId" = $2 AND "estado" = 'ACTIVO' RETURNING )" IAM_MOVEMENT_COLUMNS;

// List queries: the WHERE clause is assembled from these fixed fragments (so each combination of
// filters is one prepared statement), numbered from $1.
constexpr const char* kListStats =
    R"(SELECT COUNT(*), COALESCE(SUM(CASE WHEN "tipo" = 'ENTRADA' THEN 1 ELSE 0 END), 0), )"
    R"(COALESCE(SUM(CASE WHEN "tipo" = 'SALIDA' THEN 1 ELSE 0 END), 0), )"
    R"(COALESCE(SUM(CASE WHEN "fecha" >= ${} AND "fecha" < ${} THEN 1 ELSE 0 END), 0) FROM "MovimientoInventario")";
constexpr const char* kListPage = "SELECT " IAM_MOVEMENT_COLUMNS R"( FROM "MovimientoInventario")";
constexpr const char* kListOrder = R"( ORDER BY "fecha" DESC, "id" DESC LIMIT ${} OFFSET ${})";
constexpr const char* kWhereTenantEstado = R"( WHERE "empresaId" = $1 AND "estado" = $2)";
constexpr const char* kAndTipo = R"( AND "tipo" = ${})";
constexpr const char* kAndProducto = R"( AND "productoId" = ${})";
constexpr const char* kAndDesde = R"( AND "fecha" >= ${})";
constexpr const char* kAndBefore = R"( AND "fecha" < ${})";

constexpr std::int64_t kDayMs = 86'400'000;

domain::Movimiento ReadMovement(const ResultSet::Row& r) {
  domain::Movimiento m;
  m.id = r.Int(0);
  m.tipo = r.Text(1);
  m.cantidad = r.Int(2);
  m.producto_id = r.Int(3);
  m.proveedor_id = r.OptInt(4);
  m.fecha_ms = r.OptTimeMs(5).value_or(0);
  m.motivo = r.OptText(6);
  m.descripcion = r.OptText(7);
  m.estado = r.Text(8);
  m.precio_unitario = r.OptDouble(9);
  m.precio_total = r.OptDouble(10);
  m.tipo_precio = r.OptText(11);
  m.costo_unitario = r.OptDouble(12);
  m.empresa_id = r.Int(13);
  m.created_at_ms = r.OptTimeMs(14).value_or(0);
  return m;
}

Param OptParam(const std::optional<std::string>& s) { return s ? Param(*s) : Param(nullptr); }

// Why the conditional stock UPDATE matched no row. Read after the fact, so under concurrency the
// stock seen here may already differ; the refusal itself was decided atomically by the UPDATE.
Error ProductRefusal(Connection& conn, Id empresa_id, Id producto_id, std::int64_t delta, bool require_active) {
  auto rows = conn.Query(kSelectProductState, {Param(producto_id), Param(empresa_id)});
  if (!rows) return rows.error();
  if (rows->empty()) return Error::NotFound("Producto no encontrado", "PRODUCTO_NOT_FOUND");
  if (require_active && (*rows)[0].Text(0) != "ACTIVO")
    return Error::Conflict("El producto no está activo", "PRODUCTO_NO_ACTIVO");
  auto fits = domain::ApplyStockDelta((*rows)[0].Int(1), delta);
  if (!fits) return fits.error();
  return Error::Conflict("Stock insuficiente", "STOCK_INSUFICIENTE");
}

Result<void> CheckSupplier(Connection& conn, Id empresa_id, Id proveedor_id) {
  auto rows = conn.Query(kSelectSupplierState, {Param(proveedor_id), Param(empresa_id)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::NotFound("Proveedor no encontrado", "PROVEEDOR_NOT_FOUND"));
  if ((*rows)[0].Text(0) != "ACTIVO") return Fail(Error::Conflict("El proveedor no está activo", "PROVEEDOR_NO_ACTIVO"));
  return {};
}

Result<ProductStock> ApplyStock(Connection& conn, Id empresa_id, Id producto_id, std::int64_t delta,
                                std::int64_t now_ms, bool require_active, double* precio_compra = nullptr,
                                double* precio_venta = nullptr) {
  auto rows = conn.Query(require_active ? kApplyStockToActiveProduct : kApplyStockToAnyProduct,
                         {Param(delta), Param(FormatIsoMs(now_ms)), Param(producto_id), Param(empresa_id)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ProductRefusal(conn, empresa_id, producto_id, delta, require_active));
  auto r = (*rows)[0];
  if (precio_compra) *precio_compra = r.Double(2);
  if (precio_venta) *precio_venta = r.Double(3);
  return ProductStock{producto_id, r.Int(0), r.Int(1)};
}

Result<MovementChange> SwitchEstado(Connection& conn, Id empresa_id, Id id, std::int64_t now_ms, domain::StockOp op) {
  bool deleting = op == domain::StockOp::kDelete;
  std::string from = deleting ? "ACTIVO" : "ELIMINADO";
  std::string to = deleting ? "ELIMINADO" : "ACTIVO";
  auto rows = conn.Query(kSwitchMovementEstado, {Param(id), Param(empresa_id), Param(to), Param(from)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) {
    auto state = conn.Query(kSelectMovementEstado, {Param(id), Param(empresa_id)});
    if (!state) return Fail(state.error());
    if (state->empty()) return Fail(Error::NotFound("Movimiento no encontrado", "MOVIMIENTO_NOT_FOUND"));
    return Fail(deleting ? Error::Conflict("El movimiento ya está eliminado", "MOVIMIENTO_YA_ELIMINADO")
                         : Error::Conflict("El movimiento no está eliminado", "MOVIMIENTO_NO_ELIMINADO"));
  }
  MovementChange out{ReadMovement((*rows)[0]), {}};
  auto delta = domain::StockDelta(out.movimiento.tipo, out.movimiento.cantidad, op);
  auto stock = ApplyStock(conn, empresa_id, out.movimiento.producto_id, delta, now_ms, /*require_active=*/false);
  if (!stock) return Fail(stock.error());
  out.producto = *stock;
  return out;
}

}  // namespace

Result<Id> FindProductIdByBarcode(Connection& conn, Id empresa_id, const std::string& codigo_barras) {
  auto rows = conn.Query(kSelectProductByBarcode, {Param(codigo_barras), Param(empresa_id)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::NotFound("Producto no encontrado", "PRODUCTO_NOT_FOUND"));
  return (*rows)[0].Int(0);
}

Result<bool> ProductExists(Connection& conn, Id empresa_id, Id producto_id) {
  auto rows = conn.Query(kSelectProductState, {Param(producto_id), Param(empresa_id)});
  if (!rows) return Fail(rows.error());
  return !rows->empty();
}

Result<MovementChange> RecordMovement(Connection& conn, const NewMovement& m) {
  if (m.proveedor_id) {
    if (auto s = CheckSupplier(conn, m.empresa_id, *m.proveedor_id); !s) return Fail(s.error());
  }
  double compra = 0, venta = 0;
  auto delta = domain::StockDelta(m.prices.tipo, m.prices.cantidad, domain::StockOp::kRecord);
  auto stock = ApplyStock(conn, m.empresa_id, m.producto_id, delta, m.now_ms, /*require_active=*/true, &compra, &venta);
  if (!stock) return Fail(stock.error());

  // Prices resolved from the product row just locked: costoUnitario is the precioCompra at this moment.
  domain::MovementPrices prices = domain::ResolvePrices(m.prices, compra, venta);
  domain::Movimiento mov;
  mov.tipo = m.prices.tipo;
  mov.cantidad = m.prices.cantidad;
  mov.producto_id = m.producto_id;
  mov.proveedor_id = m.proveedor_id;
  mov.fecha_ms = m.fecha_ms;
  mov.motivo = m.motivo;
  mov.descripcion = m.descripcion;
  mov.precio_unitario = prices.precio_unitario;
  mov.precio_total = prices.precio_total;
  mov.tipo_precio = prices.tipo_precio;
  mov.costo_unitario = prices.costo_unitario;
  mov.empresa_id = m.empresa_id;
  mov.created_at_ms = m.now_ms;
  auto id = conn.Query(kInsertMovement,
                       {Param(mov.cantidad), Param(mov.producto_id),
                        mov.proveedor_id ? Param(*mov.proveedor_id) : Param(nullptr), Param(FormatIsoMs(mov.fecha_ms)),
                        OptParam(mov.motivo), OptParam(mov.descripcion), Param(mov.tipo),
                        Param(FormatIsoMs(mov.created_at_ms)), Param(mov.empresa_id), Param(prices.precio_unitario),
                        Param(prices.precio_total), Param(prices.tipo_precio), Param(prices.costo_unitario)});
  if (!id) return Fail(id.error());
  if (id->empty()) return Fail(Error::Internal());
  mov.id = (*id)[0].Int(0);
  return MovementChange{std::move(mov), *stock};
}

Result<MovementChange> DeleteMovement(Connection& conn, Id empresa_id, Id id, std::int64_t now_ms) {
  return SwitchEstado(conn, empresa_id, id, now_ms, domain::StockOp::kDelete);
}

Result<MovementChange> RestoreMovement(Connection& conn, Id empresa_id, Id id, std::int64_t now_ms) {
  return SwitchEstado(conn, empresa_id, id, now_ms, domain::StockOp::kRestore);
}

Result<domain::Movimiento> FindMovement(Connection& conn, Id empresa_id, Id id, const std::string& estado) {
  auto rows = conn.Query(kSelectMovement, {Param(id), Param(empresa_id), Param(estado)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::NotFound("Movimiento no encontrado", "MOVIMIENTO_NOT_FOUND"));
  return ReadMovement((*rows)[0]);
}

Result<domain::Movimiento> UpdateMovementText(Connection& conn, Id empresa_id, Id id, const TextChange& motivo,
                                              const TextChange& descripcion) {
  auto value = [](const TextChange& c) { return c && *c ? Param(**c) : Param(nullptr); };
  auto rows = conn.Query(kUpdateMovementText, {Param(id), Param(empresa_id), Param(motivo.has_value()), value(motivo),
                                               Param(descripcion.has_value()), value(descripcion)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::NotFound("Movimiento no encontrado", "MOVIMIENTO_NOT_FOUND"));
  return ReadMovement((*rows)[0]);
}

Result<MovementPage> ListMovements(Connection& conn, const MovementFilter& f, std::int64_t limit, std::int64_t offset,
                                   std::int64_t day_start_ms) {
  std::string where = kWhereTenantEstado;
  std::vector<Param> params = {Param(f.empresa_id), Param(f.estado)};
  auto add = [&](const char* fragment, Param p) {
    params.push_back(std::move(p));
    where += fmt::format(fmt::runtime(fragment), params.size());
  };
  if (f.tipo) add(kAndTipo, Param(*f.tipo));
  if (f.producto_id) add(kAndProducto, Param(*f.producto_id));
  if (f.desde_ms) add(kAndDesde, Param(FormatIsoMs(*f.desde_ms)));
  if (f.before_ms) add(kAndBefore, Param(FormatIsoMs(*f.before_ms)));

  std::vector<Param> stat_params = params;
  stat_params.emplace_back(FormatIsoMs(day_start_ms));
  stat_params.emplace_back(FormatIsoMs(day_start_ms + kDayMs));
  auto stats = conn.Query(fmt::format(fmt::runtime(kListStats), params.size() + 1, params.size() + 2) + where,
                          std::span<const Param>(stat_params));
  if (!stats) return Fail(stats.error());
  MovementPage page;
  auto s = (*stats)[0];
  page.stats = MovementStats{s.Int(0), s.Int(1), s.Int(2), s.Int(3)};
  if (page.stats.total <= offset) return page;  // nothing on this page: skip the second query

  params.emplace_back(limit);
  params.emplace_back(offset);
  auto rows = conn.Query(kListPage + where + fmt::format(fmt::runtime(kListOrder), params.size() - 1, params.size()),
                         std::span<const Param>(params));
  if (!rows) return Fail(rows.error());
  for (std::size_t i = 0; i < rows->size(); ++i) page.items.push_back(ReadMovement((*rows)[i]));
  return page;
}

}  // namespace iam::store
