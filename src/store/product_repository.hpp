// Products ("Producto") of one tenant, and the initial-stock movement of a new product. Every
// function takes the tenant and touches only its rows: another tenant's id is kNotFound
// ("PRODUCTO_NOT_FOUND"), like a missing one. Functions take a Connection so callers compose them
// in a transaction (InTransaction); blocking. A taken codigoBarras/rfid/sku (global unique indexes,
// whichever tenant holds it) is kConflict DUPLICATE_CODIGO_BARRAS / DUPLICATE_RFID / DUPLICATE_SKU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/estado_transition.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct ProductFilter {
  std::string estado = "ACTIVO";
  std::optional<std::string> search;  // case-insensitive substring of nombre or descripcion
  std::optional<std::string> etiqueta, tipo_producto, sku, codigo_barras;
  std::optional<domain::Id> proveedor_id;
  bool agotados = false;  // true: stock <= 0 only
  std::int64_t limit = 50, offset = 0;
};

struct ProductPage {
  std::vector<domain::Producto> items;  // stock desc, nombre asc, id asc
  std::int64_t total = 0;
};

// Inserts `p` (id, version, estado and timestamps are set here: version 1, ACTIVO, now).
Result<domain::Producto> InsertProduct(Connection& conn, const domain::Producto& p);
// The ENTRADA "Stock inicial" movement explaining the stock of a product just inserted.
// REQUIRES: p.stock > 0, and the same transaction as InsertProduct.
Result<void> InsertInitialStockMovement(Connection& conn, const domain::Producto& p);

Result<domain::Producto> FindProduct(Connection& conn, domain::Id empresa_id, domain::Id id);
Result<domain::Producto> FindProductByBarcode(Connection& conn, domain::Id empresa_id, const std::string& codigo);
Result<ProductPage> ListProducts(Connection& conn, domain::Id empresa_id, const ProductFilter& filter);

// Writes every editable column of `p` (not stock, estado, creadoEn) and bumps version, when the
// stored version is still `expected_version`: else kConflict VERSION_CONFLICT (kNotFound if gone).
Result<domain::Producto> UpdateProduct(Connection& conn, const domain::Producto& p, std::int64_t expected_version);
// Applies `t` (see estado_transition.hpp); a real change also bumps version and actualizadoEn, a
// no-op (already in t.to) returns the row unchanged, a refused source state is kConflict ESTADO_INVALIDO.
Result<domain::Producto> ChangeProductEstado(Connection& conn, domain::Id empresa_id, domain::Id id,
                                             const domain::EstadoTransition& t);

}  // namespace iam::store
