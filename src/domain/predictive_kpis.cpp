#include "domain/predictive_kpis.hpp"

#include <algorithm>

#include "domain/kpi_rounding.hpp"

namespace iam::domain {
namespace {

struct Candidate {
  Id id = 0;
  std::int64_t units = 0;
  DemandForecast forecast;
};

DemandPrediction ToPrediction(const Candidate& c, int horizon) {
  const DemandForecast& f = c.forecast;
  return DemandPrediction{c.id,          f.metodo,         f.clasificacion,
                          Round2(f.alpha), Round2(f.adi),  Round2(f.cv2),
                          Round2(f.demanda_diaria),        Round2(f.demanda_diaria * horizon)};
}

std::vector<DemandPrediction> TopDemand(std::vector<Candidate> candidates, int horizon) {
  std::erase_if(candidates, [](const Candidate& c) { return c.units <= 0; });
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.units != b.units ? a.units > b.units : a.id < b.id;
  });
  if (candidates.size() > kTopDemandProducts) candidates.resize(kTopDemandProducts);
  std::vector<DemandPrediction> out;
  for (const Candidate& c : candidates) out.push_back(ToPrediction(c, horizon));
  return out;
}

}  // namespace

std::int64_t UnitsLast180(std::span<const DailyUnits> salidas, EpochDay today) {
  const DayWindow window = LastDays(today, kDemandHistoryDays);
  std::int64_t units = 0;
  for (const DailyUnits& d : salidas)
    if (window.Contains(d.dia)) units += d.unidades;
  return units;
}

DemandAnalysis AnalyzeDemand(std::span<const DailyUnits> salidas, EpochDay creado_en, EpochDay today) {
  const std::vector<std::int64_t> y = DemandSeries(salidas, creado_en, today);
  return DemandAnalysis{.forecast = ForecastDemand(y), .units_180 = UnitsLast180(salidas, today), .sigma = SeriesStdDev(y)};
}

PredictiveKpis ComputePredictiveKpis(std::span<const AnalyzedProduct> products, int horizon, EpochDay today,
                                     const ReorderParams& params) {
  PredictiveKpis k;
  std::vector<Candidate> candidates;
  for (const AnalyzedProduct& p : products) {
    if (p.producto.estado != "ACTIVO") continue;
    const DemandForecast& fc = p.demanda.forecast;
    const Id id = p.producto.id;
    candidates.push_back(Candidate{id, p.demanda.units_180, fc});
    if (auto s = PredictStockout(id, p.producto.stock, fc.demanda_diaria, horizon, today))
      k.prediccion_quiebres.push_back(*s);
    if (auto r = SuggestReorder(id, p.producto.stock, fc.demanda_diaria, p.demanda.sigma, params))
      k.reorden.push_back(*r);
  }
  k.prediccion_demanda = TopDemand(std::move(candidates), horizon);
  OrderStockouts(k.prediccion_quiebres, params.max_items);
  OrderReorders(k.reorden, params.max_items);
  return k;
}

PredictiveKpis ComputePredictiveKpis(std::span<const PredictiveProduct> products, int horizon, EpochDay today,
                                     const ReorderParams& params) {
  std::vector<AnalyzedProduct> analyzed;
  analyzed.reserve(products.size());
  for (const PredictiveProduct& p : products) {
    if (p.producto.estado != "ACTIVO") continue;
    analyzed.push_back(AnalyzedProduct{p.producto, AnalyzeDemand(p.salidas, p.creado_en, today)});
  }
  return ComputePredictiveKpis(analyzed, horizon, today, params);
}

}  // namespace iam::domain
