// `predictive-kpis` of kpis.md without `tendenciasVentas` (movement_kpis.hpp) and `timestamp`:
// forecasts every ACTIVO product, selects the top 10 by 180-day SALIDA units for
// prediccionDemanda, and lists stock-outs and reorders (reorder.hpp). Outputs rounded; names are the
// caller's to join by id. Pure, thread-safe.
// In two steps, so that the costly one can be kept: AnalyzeDemand (per product, from its sales, its
// creadoEn and today; independent of stock and horizon) then ComputePredictiveKpis over the analyses.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "domain/demand_forecast.hpp"
#include "domain/kpi_flows.hpp"
#include "domain/reorder.hpp"

namespace iam::domain {

inline constexpr std::size_t kTopDemandProducts = 10;

struct PredictiveProduct {
  ProductSnapshot producto;         // any estado; only ACTIVO ones are used
  EpochDay creado_en = 0;           // UTC day of creadoEn
  std::vector<DailyUnits> salidas;  // daily SALIDA units; days outside the last 180 are ignored
};

struct DemandPrediction {
  Id producto_id = 0;
  ForecastMethod metodo = ForecastMethod::kSma;
  DemandClass clasificacion = DemandClass::kInsufficientData;
  std::optional<double> alpha, adi, cv2;           // rounded
  double demanda_diaria = 0, demanda_estimada = 0;  // rounded f and f × H
};

struct PredictiveKpis {
  std::vector<DemandPrediction> prediccion_demanda;
  std::vector<StockoutPrediction> prediccion_quiebres;
  std::vector<ReorderSuggestion> reorden;
};

// SALIDA units of today−179 … today (the selection measure: not cut at creadoEn).
std::int64_t UnitsLast180(std::span<const DailyUnits> salidas, EpochDay today);

// Everything predictive-kpis needs of one product's sales: a function of (sales, creadoEn day,
// today) only, unrounded.
struct DemandAnalysis {
  DemandForecast forecast;
  std::int64_t units_180 = 0;  // UnitsLast180
  double sigma = 0;            // SeriesStdDev of the demand series
  friend bool operator==(const DemandAnalysis&, const DemandAnalysis&) = default;
};
DemandAnalysis AnalyzeDemand(std::span<const DailyUnits> salidas, EpochDay creado_en, EpochDay today);

struct AnalyzedProduct {
  ProductSnapshot producto;  // any estado; only ACTIVO ones are used
  DemandAnalysis demanda;    // AnalyzeDemand of this product for the same `today`
};

// REQUIRES: 1 <= horizon.
PredictiveKpis ComputePredictiveKpis(std::span<const AnalyzedProduct> products, int horizon, EpochDay today,
                                     const ReorderParams& params = {});
// The same from the sales: AnalyzeDemand of each ACTIVO product, then the above.
PredictiveKpis ComputePredictiveKpis(std::span<const PredictiveProduct> products, int horizon, EpochDay today,
                                     const ReorderParams& params = {});

}  // namespace iam::domain
