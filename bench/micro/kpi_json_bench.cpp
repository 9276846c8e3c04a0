// Micro-benchmarks of the JSON text of KPI objects through http::WriteJson (what a cache miss
// serializes before storing): an object of the `kpis` route's shape (9 fields) and one of the
// `predictive-kpis` shape (10 demand predictions, 10 stock-outs, 10 reorders, trends), built
// field by field as dashboard_routes.cpp builds them.
#include <benchmark/benchmark.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "http/json_writer.hpp"

namespace {

namespace json = boost::json;

json::object KpisObject() {
  return json::object{{"totalProductos", 10000},
                      {"productosStockBajo", 412},
                      {"productosAgotados", 37},
                      {"movimientosUltimoMes", 166211},
                      {"valorTotalInventario", 48213987.55},
                      {"valorVentaInventario", 70211043.9},
                      {"margenPromedio", 31.42},
                      {"rotacionInventario", 1.87},
                      {"timestamp", "2026-11-28T04:00:00.000Z"}};
}

json::object PredictiveObject() {
  json::array demanda, quiebres, reorden;
  for (std::int64_t i = 0; i < 10; ++i) {
    const double d = 3.25 + 0.37 * static_cast<double>(i);
    demanda.emplace_back(json::object{{"productoId", 1000 + i},
                                      {"nombre", "Producto de demostración " + std::to_string(i)},
                                      {"metodo", "SES"},
                                      {"clasificacion", "SMOOTH"},
                                      {"alpha", 0.15},
                                      {"adi", 1.04},
                                      {"cv2", 0.31},
                                      {"demandaDiaria", d},
                                      {"demandaEstimada", d * 30}});
    quiebres.emplace_back(json::object{{"productoId", 2000 + i},
                                       {"nombre", "Producto " + std::to_string(i)},
                                       {"stock", 12 + i},
                                       {"demandaDiaria", d},
                                       {"diasHastaQuiebre", 3 + i},
                                       {"fechaEstimada", "2026-12-01"}});
    reorden.emplace_back(json::object{{"productoId", 3000 + i},
                                      {"nombre", "Producto " + std::to_string(i)},
                                      {"stock", 4 + i},
                                      {"demandaDiaria", d},
                                      {"stockSeguridad", 9},
                                      {"puntoReorden", 31},
                                      {"cantidadSugerida", 120}});
  }
  return json::object{{"horizonteDias", 30},
                      {"prediccionDemanda", std::move(demanda)},
                      {"prediccionQuiebres", std::move(quiebres)},
                      {"reorden", std::move(reorden)},
                      {"tendenciasVentas", json::object{{"unidadesActual", 5120},
                                                        {"unidadesAnterior", 4877},
                                                        {"porcentajeCambio", 4.98},
                                                        {"tendencia", "ESTABLE"}}},
                      {"timestamp", "2026-11-28T04:00:00.000Z"}};
}

void BM_KpisJson(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    const json::value v = KpisObject();
    const std::string text = iam::http::WriteJson(v);
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_KpisJson);

void BM_PredictiveKpisJson(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    const json::value v = PredictiveObject();
    const std::string text = iam::http::WriteJson(v);
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_PredictiveKpisJson);

}  // namespace
