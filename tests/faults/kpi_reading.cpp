#include "faults/kpi_reading.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>

namespace iam::test {

namespace json = boost::json;

std::string KpiReading::Describe() const {
  std::string s = "movimientos=" + std::to_string(movimientos) + " stocks=[";
  for (std::size_t i = 0; i < stocks.size(); ++i) s += (i ? "," : "") + std::to_string(stocks[i]);
  return s + "]";
}

namespace {

std::expected<std::int64_t, std::string> ExactInteger(const json::object& o, const char* field) {
  const json::value* v = o.if_contains(field);
  if (v == nullptr || !v->is_number()) return std::unexpected(std::string(field) + " missing");
  const double d = v->to_number<double>();
  const double r = std::round(d);
  if (std::fabs(d - r) > 1e-6 || std::fabs(r) > 9.0e15) return std::unexpected(std::string(field) + " not an exact integer");
  return static_cast<std::int64_t>(r);
}

}  // namespace

std::expected<KpiReading, std::string> ReadKpis(const json::value& body, const WitnessLayout& layout) {
  if (!body.is_object()) return std::unexpected("not a JSON object");
  const json::object& o = body.as_object();
  KpiReading k;
  auto movimientos = ExactInteger(o, "movimientosUltimoMes");
  auto total = ExactInteger(o, "totalProductos");
  auto agotados = ExactInteger(o, "productosAgotados");
  auto bajo = ExactInteger(o, "productosStockBajo");
  auto valor = ExactInteger(o, "valorTotalInventario");
  auto venta = ExactInteger(o, "valorVentaInventario");
  for (const auto* r : {&movimientos, &total, &agotados, &bajo, &valor, &venta})
    if (!*r) return std::unexpected(r->error() + " in " + json::serialize(body));
  if (const auto* ts = o.if_contains("timestamp"); ts != nullptr && ts->is_string()) k.timestamp = ts->as_string();
  k.movimientos = *movimientos;
  std::int64_t rest = *valor;
  for (int i = 0; i < layout.products; ++i) {
    k.stocks.push_back(rest % layout.base);
    rest /= layout.base;
  }
  std::string why;
  if (rest != 0) why = "valorTotalInventario does not fit the witness layout";
  if (*venta != 2 * *valor) why = "valorVentaInventario is not twice valorTotalInventario";
  std::int64_t zero = 0, low = 0;
  for (std::int64_t s : k.stocks) {
    zero += s == 0;
    low += s <= layout.stock_minimo;
  }
  if (*total != layout.products) why = "totalProductos is not the number of witness products";
  if (*agotados != zero) why = "productosAgotados contradicts the stocks in valorTotalInventario";
  if (*bajo != low) why = "productosStockBajo contradicts the stocks in valorTotalInventario";
  if (!why.empty()) return std::unexpected(why + ": " + json::serialize(body));
  return k;
}

}  // namespace iam::test
