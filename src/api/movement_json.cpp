#include "api/movement_json.hpp"

#include <boost/json/array.hpp>

#include "api/json_body.hpp"
#include "domain/enums.hpp"
#include "domain/movement_rules.hpp"
#include "domain/time_format.hpp"

namespace iam::api {
namespace {

constexpr std::int64_t kMaxId = 2147483647;
constexpr std::int64_t kDayMs = 86'400'000;

template <typename T>
boost::json::value OrNull(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

Result<CreateMovementRequest> ParseCreateMovement(std::string_view text, bool by_barcode, std::int64_t now_ms) {
  auto body = JsonBody::Parse(text);
  if (!body) return Fail(body.error());
  JsonBody& b = *body;
  CreateMovementRequest out;
  store::NewMovement& m = out.movement;
  auto tipo = b.Enum("tipo", domain::kTiposMovimiento, /*required=*/true);
  auto cantidad = b.Int("cantidad", {.required = true, .min = domain::kMinCantidad, .max = domain::kMaxCantidad});
  std::optional<std::int64_t> producto;
  if (by_barcode) out.codigo_barras = b.String("codigoBarras", {.required = true, .max_chars = 100});
  else producto = b.Int("productoId", {.required = true, .min = 1, .max = kMaxId});
  m.proveedor_id = b.Int("proveedorId", {.min = 1, .max = kMaxId});
  m.prices.precio_unitario = b.Number("precioUnitario", {.min = 0, .max = 1e12});
  m.prices.precio_total = b.Number("precioTotal", {.min = 0, .max = 1e18});
  m.prices.tipo_precio = b.Enum("tipoPrecio", domain::kTiposPrecio);
  m.motivo = b.String("motivo", {.max_chars = 200});
  m.descripcion = b.String("descripcion", {.max_chars = 1000});
  auto fecha_text = b.String("fecha", {.max_chars = 40});
  if (auto done = b.Finish(); !done) return Fail(done.error());

  std::optional<std::int64_t> fecha;
  if (fecha_text) {
    fecha = ParseTimestampMs(*fecha_text);
    if (!fecha) return Fail(Error::InvalidArgument("fecha: debe ser una fecha ISO-8601 (AAAA-MM-DDTHH:MM:SS.sssZ)"));
  }
  auto resolved = domain::ResolveFecha(fecha, now_ms);
  if (!resolved) return Fail(resolved.error());
  m.fecha_ms = *resolved;
  m.now_ms = now_ms;
  m.producto_id = producto.value_or(0);
  m.prices.tipo = *tipo;
  m.prices.cantidad = *cantidad;
  if (auto prices = domain::CheckPrices(m.prices); !prices) return Fail(prices.error());
  return out;
}

Result<MovementTextPatch> ParseMovementPatch(std::string_view text) {
  auto body = JsonBody::Parse(text);
  if (!body) return Fail(body.error());
  auto change = [](const Patch<std::string>& p) -> store::TextChange {
    if (!p.present) return std::nullopt;
    return p.is_null ? std::optional<std::string>() : std::optional<std::string>(p.value);
  };
  MovementTextPatch out;
  out.motivo = change(body->NullableString("motivo", {.max_chars = 200}));
  out.descripcion = change(body->NullableString("descripcion", {.max_chars = 1000}));
  if (auto done = body->Finish(); !done) return Fail(done.error());
  return out;
}

Result<store::MovementFilter> ParseMovementFilter(const http::RequestContext& ctx, domain::Id empresa_id,
                                                  std::string estado, std::optional<domain::Id> producto_id) {
  store::MovementFilter f{.empresa_id = empresa_id, .estado = std::move(estado)};
  auto tipo = QueryEnum(ctx, "tipo", domain::kTiposMovimiento);
  if (!tipo) return Fail(tipo.error());
  f.tipo = *tipo;
  if (producto_id) {
    f.producto_id = producto_id;
  } else {
    auto p = QueryInt(ctx, "productoId", 1, kMaxId);
    if (!p) return Fail(p.error());
    f.producto_id = *p;
  }
  auto desde = QueryTime(ctx, "desde");
  if (!desde) return Fail(desde.error());
  f.desde_ms = *desde;
  auto hasta = QueryTime(ctx, "hasta");
  if (!hasta) return Fail(hasta.error());
  if (*hasta) {
    bool date_only = ctx.QueryParam("hasta")->size() == 10;
    f.before_ms = **hasta + (date_only ? kDayMs : 1);
  }
  return f;
}

boost::json::object MovementJson(const domain::Movimiento& m) {
  return boost::json::object{
      {"id", m.id},
      {"tipo", m.tipo},
      {"cantidad", m.cantidad},
      {"productoId", m.producto_id},
      {"proveedorId", OrNull(m.proveedor_id)},
      {"fecha", FormatIsoMs(m.fecha_ms)},
      {"motivo", OrNull(m.motivo)},
      {"descripcion", OrNull(m.descripcion)},
      {"estado", m.estado},
      {"precioUnitario", OrNull(m.precio_unitario)},
      {"precioTotal", OrNull(m.precio_total)},
      {"tipoPrecio", OrNull(m.tipo_precio)},
      {"costoUnitario", OrNull(m.costo_unitario)},
      {"empresaId", m.empresa_id},
      {"createdAt", FormatIsoMs(m.created_at_ms)},
  };
}

boost::json::object MovementChangeJson(const store::MovementChange& c) {
  return boost::json::object{
      {"movimiento", MovementJson(c.movimiento)},
      {"producto", {{"id", c.producto.id}, {"stock", c.producto.stock}, {"version", c.producto.version}}},
  };
}

boost::json::object MovementListJson(const store::MovementPage& list, const Page& page, bool with_stats) {
  boost::json::array items;
  items.reserve(list.items.size());
  for (const auto& m : list.items) items.emplace_back(MovementJson(m));
  boost::json::object out{
      {"movimientos", std::move(items)}, {"total", list.stats.total}, {"page", page.page},
      {"limit", page.limit},             {"totalPages", page.total_pages(list.stats.total)},
  };
  if (with_stats) {
    out["estadisticas"] = {{"total", list.stats.total},
                           {"entradas", list.stats.entradas},
                           {"salidas", list.stats.salidas},
                           {"hoy", list.stats.hoy}};
  }
  return out;
}

}  // namespace iam::api
