#include "api/product_body.hpp"

#include "domain/enums.hpp"

namespace iam::api {
namespace {

constexpr StringRule kNombre = {.required = true, .max_chars = 200};
constexpr StringRule kDescripcion = {.max_chars = 2000};
constexpr StringRule kCode = {.max_chars = 100};  // codigoBarras, rfid, sku
constexpr StringRule kUbicacion = {.max_chars = 200};
constexpr StringRule kShort = {.max_chars = 50};  // color, talla
constexpr NumberRule kPrice = {.required = true, .min = 0, .max = 1e12};
constexpr IntRule kCount = {.min = 0, .max = 2147483647};  // stock, stockMinimo
constexpr IntRule kId = {.min = 1, .max = 2147483647};
constexpr NumberRule kTemperatura = {.min = -273.15, .max = 1000};
constexpr NumberRule kHumedad = {.min = 0, .max = 100};
constexpr std::size_t kMaxEtiquetas = 50, kMaxEtiquetaChars = 50;

// Blank optional texts are stored as NULL, so "" never collides in the unique sku/codigoBarras/rfid.
std::optional<std::string> NonBlank(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

void Set(std::optional<std::string>& field, const Patch<std::string>& p) {
  if (p.present) field = p.is_null || p.value.empty() ? std::nullopt : std::optional<std::string>(p.value);
}

template <typename T>
void Set(std::optional<T>& field, const Patch<T>& p) {
  if (p.present) field = p.is_null ? std::nullopt : std::optional<T>(p.value);
}

// A field that may be omitted but not null: required when present, so null is refused.
template <typename Rule>
Rule PresentMeansRequired(const JsonBody& b, std::string_view key, Rule rule) {
  rule.required = b.Has(key);
  return rule;
}

}  // namespace

Result<domain::Producto> ParseNewProduct(std::string_view text) {
  auto b = JsonBody::Parse(text);
  if (!b) return Fail(b.error());
  domain::Producto p;
  p.nombre = b->String("nombre", kNombre).value_or("");
  p.descripcion = NonBlank(b->String("descripcion", kDescripcion));
  p.precio_compra = b->Number("precioCompra", kPrice).value_or(0);
  p.precio_venta = b->Number("precioVenta", kPrice).value_or(0);
  p.stock = b->Int("stock", kCount).value_or(0);
  p.stock_minimo = b->Int("stockMinimo", kCount).value_or(10);
  p.proveedor_id = b->Int("proveedorId", kId);
  p.codigo_barras = NonBlank(b->String("codigoBarras", kCode));
  p.rfid = NonBlank(b->String("rfid", kCode));
  p.sku = NonBlank(b->String("sku", kCode));
  p.ubicacion = NonBlank(b->String("ubicacion", kUbicacion));
  p.color = NonBlank(b->String("color", kShort));
  p.talla = NonBlank(b->String("talla", kShort));
  p.temperatura_optima = b->Number("temperaturaOptima", kTemperatura);
  p.humedad_optima = b->Number("humedadOptima", kHumedad);
  p.tipo_producto = b->Enum("tipoProducto", domain::kTiposProducto).value_or("GENERICO");
  p.unidad = b->Enum("unidad", domain::kUnidadesMedida).value_or("UNIDAD");
  p.etiquetas = b->StringList("etiquetas", kMaxEtiquetas, kMaxEtiquetaChars).value_or(std::vector<std::string>{});
  if (auto done = b->Finish(); !done) return Fail(done.error());
  return p;
}

Result<ProductPatch> ParseProductPatch(std::string_view text) {
  auto b = JsonBody::Parse(text);
  if (!b) return Fail(b.error());
  ProductPatch p;
  b->Forbid("stock", "no se puede modificar aquí; el stock cambia solo con movimientos de inventario");
  p.nombre = b->String("nombre", PresentMeansRequired(*b, "nombre", kNombre));
  p.descripcion = b->NullableString("descripcion", kDescripcion);
  p.precio_compra = b->Number("precioCompra", PresentMeansRequired(*b, "precioCompra", kPrice));
  p.precio_venta = b->Number("precioVenta", PresentMeansRequired(*b, "precioVenta", kPrice));
  p.stock_minimo = b->Int("stockMinimo", PresentMeansRequired(*b, "stockMinimo", kCount));
  p.proveedor_id = b->NullableInt("proveedorId", kId);
  p.codigo_barras = b->NullableString("codigoBarras", kCode);
  p.rfid = b->NullableString("rfid", kCode);
  p.sku = b->NullableString("sku", kCode);
  p.ubicacion = b->NullableString("ubicacion", kUbicacion);
  p.color = b->NullableString("color", kShort);
  p.talla = b->NullableString("talla", kShort);
  p.temperatura_optima = b->NullableNumber("temperaturaOptima", kTemperatura);
  p.humedad_optima = b->NullableNumber("humedadOptima", kHumedad);
  p.tipo_producto = b->Enum("tipoProducto", domain::kTiposProducto, b->Has("tipoProducto"));
  p.unidad = b->Enum("unidad", domain::kUnidadesMedida, b->Has("unidad"));
  auto etiquetas = b->StringList("etiquetas", kMaxEtiquetas, kMaxEtiquetaChars);
  if (b->Has("etiquetas")) p.etiquetas = etiquetas.value_or(std::vector<std::string>{});
  p.version = b->Int("version", PresentMeansRequired(*b, "version", IntRule{.min = 1, .max = 2147483647}));
  if (auto done = b->Finish(); !done) return Fail(done.error());
  return p;
}

void ApplyPatch(const ProductPatch& patch, domain::Producto& p) {
  if (patch.nombre) p.nombre = *patch.nombre;
  if (patch.tipo_producto) p.tipo_producto = *patch.tipo_producto;
  if (patch.unidad) p.unidad = *patch.unidad;
  if (patch.stock_minimo) p.stock_minimo = *patch.stock_minimo;
  if (patch.precio_compra) p.precio_compra = *patch.precio_compra;
  if (patch.precio_venta) p.precio_venta = *patch.precio_venta;
  if (patch.etiquetas) p.etiquetas = *patch.etiquetas;
  Set(p.descripcion, patch.descripcion);
  Set(p.codigo_barras, patch.codigo_barras);
  Set(p.rfid, patch.rfid);
  Set(p.sku, patch.sku);
  Set(p.ubicacion, patch.ubicacion);
  Set(p.color, patch.color);
  Set(p.talla, patch.talla);
  Set(p.proveedor_id, patch.proveedor_id);
  Set(p.temperatura_optima, patch.temperatura_optima);
  Set(p.humedad_optima, patch.humedad_optima);
}

}  // namespace iam::api
