// Request bodies of the product routes, validated with JsonBody: the creation body of
// POST /productos and the partial body of PATCH /productos/:id (`stock` refused: stock changes only
// through movements). Every problem is one 400 VALIDATION_ERROR naming the fields. Pure; whether
// `proveedorId` is an ACTIVO supplier of the tenant is checked by the caller against the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_body.hpp"
#include "domain/entities.hpp"
#include "domain/error.hpp"

namespace iam::api {

struct ProductPatch {
  std::optional<std::string> nombre, tipo_producto, unidad;
  Patch<std::string> descripcion, codigo_barras, rfid, sku, ubicacion, color, talla;
  std::optional<std::int64_t> stock_minimo;
  std::optional<double> precio_compra, precio_venta;
  Patch<std::int64_t> proveedor_id;
  Patch<double> temperatura_optima, humedad_optima;
  std::optional<std::vector<std::string>> etiquetas;  // null in the body clears: engaged and empty
  std::optional<std::int64_t> version;                 // expected current version
};

// A product to insert (empresa_id, id and timestamps unset). Blank optional texts read as null.
Result<domain::Producto> ParseNewProduct(std::string_view body);
Result<ProductPatch> ParseProductPatch(std::string_view body);
// Applies the fields present in `patch` to `p`.
void ApplyPatch(const ProductPatch& patch, domain::Producto& p);

}  // namespace iam::api
