#include "api/product_json.hpp"

#include <boost/json/array.hpp>
#include <optional>
#include <string>

#include "domain/time_format.hpp"

namespace iam::api {
namespace {

template <typename T>
boost::json::value OrNull(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

PriceVisibility PricesFor(std::string_view rol) {
  return rol == "PROVEEDOR" ? PriceVisibility::kHidden : PriceVisibility::kShown;
}

boost::json::object ProductJson(const domain::Producto& p, PriceVisibility prices) {
  boost::json::array etiquetas;
  for (const auto& e : p.etiquetas) etiquetas.emplace_back(e);
  boost::json::object o;
  o["id"] = p.id;
  o["nombre"] = p.nombre;
  o["descripcion"] = OrNull(p.descripcion);
  o["stock"] = p.stock;
  o["stockMinimo"] = p.stock_minimo;
  if (prices == PriceVisibility::kShown) {
    o["precioCompra"] = p.precio_compra;
    o["precioVenta"] = p.precio_venta;
  }
  o["empresaId"] = p.empresa_id;
  o["proveedorId"] = OrNull(p.proveedor_id);
  o["creadoEn"] = FormatIsoMs(p.creado_en_ms);
  o["actualizadoEn"] = FormatIsoMs(p.actualizado_en_ms);
  o["codigoBarras"] = OrNull(p.codigo_barras);
  o["rfid"] = OrNull(p.rfid);
  o["sku"] = OrNull(p.sku);
  o["ubicacion"] = OrNull(p.ubicacion);
  o["temperaturaOptima"] = OrNull(p.temperatura_optima);
  o["humedadOptima"] = OrNull(p.humedad_optima);
  o["color"] = OrNull(p.color);
  o["talla"] = OrNull(p.talla);
  o["tipoProducto"] = p.tipo_producto;
  o["unidad"] = p.unidad;
  o["estado"] = p.estado;
  o["etiquetas"] = std::move(etiquetas);
  o["version"] = p.version;
  return o;
}

}  // namespace iam::api
