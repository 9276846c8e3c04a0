// Movement storage ("MovimientoInventario") and the stock changes movements imply on "Producto".
// Every function is scoped to one tenant: another tenant's row reads as kNotFound. Writes take a
// Connection inside a transaction (REQUIRES: conn.Begin() done; the caller commits or rolls back),
// and each changes the product's stock with one conditional UPDATE, so concurrent writers are
// serialized by the row lock (PostgreSQL) or the write lock (SQLite) and stock never goes below zero.
// Not found → kNotFound; a state that forbids the change → kConflict (nothing written). Blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "domain/movement_rules.hpp"
#include "store/database.hpp"

namespace iam::store {

struct NewMovement {
  domain::Id empresa_id = 0;
  domain::Id producto_id = 0;
  std::optional<domain::Id> proveedor_id;
  std::int64_t fecha_ms = 0;
  std::optional<std::string> motivo, descripcion;
  domain::PriceRequest prices;  // tipo, cantidad and the prices the client sent
  std::int64_t now_ms = 0;      // createdAt and the product's actualizadoEn
};

struct ProductStock {
  domain::Id id = 0;
  std::int64_t stock = 0;
  std::int64_t version = 0;
};

struct MovementChange {
  domain::Movimiento movimiento;
  ProductStock producto;
};

// The product with this barcode in the tenant; kNotFound otherwise.
Result<domain::Id> FindProductIdByBarcode(Connection& conn, domain::Id empresa_id, const std::string& codigo_barras);

// Whether the product exists in the tenant (any estado).
Result<bool> ProductExists(Connection& conn, domain::Id empresa_id, domain::Id producto_id);

// Records a movement: checks the supplier (ACTIVO, of the tenant), applies ±cantidad to the ACTIVO
// product (version + 1) and inserts the movement with the resolved prices.
// 404 PRODUCTO_NOT_FOUND / PROVEEDOR_NOT_FOUND; 409 PRODUCTO_NO_ACTIVO, PROVEEDOR_NO_ACTIVO,
// STOCK_INSUFICIENTE, STOCK_MAXIMO. REQUIRES: domain::CheckPrices(m.prices) succeeded.
Result<MovementChange> RecordMovement(Connection& conn, const NewMovement& m);

// ACTIVO → ELIMINADO and reverses its stock effect; ELIMINADO → ACTIVO and re-applies it. Either
// way the product's version goes up (whatever its estado). 409 MOVIMIENTO_YA_ELIMINADO /
// MOVIMIENTO_NO_ELIMINADO for a double delete / restore, 409 STOCK_INSUFICIENTE when the stock
// change does not fit.
Result<MovementChange> DeleteMovement(Connection& conn, domain::Id empresa_id, domain::Id id, std::int64_t now_ms);
Result<MovementChange> RestoreMovement(Connection& conn, domain::Id empresa_id, domain::Id id, std::int64_t now_ms);

// One movement in `estado` (ACTIVO or ELIMINADO); kNotFound when absent or in the other estado.
Result<domain::Movimiento> FindMovement(Connection& conn, domain::Id empresa_id, domain::Id id,
                                        const std::string& estado);

// A text field of PATCH: nullopt = unchanged; a nullopt inside = cleared.
using TextChange = std::optional<std::optional<std::string>>;
// Updates motivo/descripcion of an ACTIVO movement and returns it.
Result<domain::Movimiento> UpdateMovementText(Connection& conn, domain::Id empresa_id, domain::Id id,
                                              const TextChange& motivo, const TextChange& descripcion);

struct MovementFilter {
  domain::Id empresa_id = 0;
  std::string estado = "ACTIVO";
  std::optional<std::string> tipo;
  std::optional<domain::Id> producto_id;
  std::optional<std::int64_t> desde_ms;  // fecha >= desde
  std::optional<std::int64_t> before_ms;  // fecha < before
};

struct MovementStats {
  std::int64_t total = 0, entradas = 0, salidas = 0, hoy = 0;  // hoy: fecha within `today` (UTC)
};

struct MovementPage {
  std::vector<domain::Movimiento> items;
  MovementStats stats;  // over every movement matching the filter, not only this page
};

// Newest fecha first, then id desc. `day_start_ms` is the start of today (UTC) for `hoy`.
Result<MovementPage> ListMovements(Connection& conn, const MovementFilter& filter, std::int64_t limit,
                                   std::int64_t offset, std::int64_t day_start_ms);

}  // namespace iam::store
