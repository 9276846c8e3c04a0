// Movement JSON (api.md "Inventory movements"): request bodies and list query parameters parsed
// into store types, and movements rendered with exactly the documented fields (timestamps ISO-8601
// with milliseconds and Z). Pure; every refusal is a 400 VALIDATION_ERROR naming the field.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/request_params.hpp"
#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "http/types.hpp"
#include "store/movement_repository.hpp"

namespace iam::api {

struct CreateMovementRequest {
  std::optional<std::string> codigo_barras;  // set for POST /movimientos/codigo-barras
  store::NewMovement movement;               // empresa_id unset; producto_id unset when by barcode
};

// The body of POST /movimientos (productoId) or /movimientos/codigo-barras (codigoBarras):
// types, ranges, unknown fields, fecha (ISO-8601, ≤ now + 1 day) and price consistency.
Result<CreateMovementRequest> ParseCreateMovement(std::string_view body, bool by_barcode, std::int64_t now_ms);

struct MovementTextPatch {
  store::TextChange motivo, descripcion;
};
// The body of PATCH /movimientos/:id: motivo and descripcion only (null clears).
Result<MovementTextPatch> ParseMovementPatch(std::string_view body);

// tipo, productoId (unless `producto_id` comes from the path), desde and hasta of a list. A
// date-only `hasta` includes that whole day; a timestamp `hasta` is inclusive to the millisecond.
Result<store::MovementFilter> ParseMovementFilter(const http::RequestContext& ctx, domain::Id empresa_id,
                                                  std::string estado, std::optional<domain::Id> producto_id);

boost::json::object MovementJson(const domain::Movimiento& m);
// {movimiento, producto: {id, stock, version}}
boost::json::object MovementChangeJson(const store::MovementChange& c);
// {movimientos, total, page, limit, totalPages[, estadisticas: {total, entradas, salidas, hoy}]}
boost::json::object MovementListJson(const store::MovementPage& list, const Page& page, bool with_stats);

}  // namespace iam::api
