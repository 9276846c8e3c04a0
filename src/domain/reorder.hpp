// The per-product stock-out and reorder rules of kpis.md "predictive-kpis" (prediccionQuiebres,
// reorden) and their orderings. Inputs are unrounded forecasts; outputs are rounded as the last
// step, and floor/ceil/<= are decided with the boundary tolerance (kpi_rounding.hpp). Pure,
// thread-safe; nullopt means "not listed".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "domain/entities.hpp"
#include "domain/kpi_window.hpp"

namespace iam::domain {

struct ReorderParams {
  int lead_time_days = 7;  // L (REORDER_LEAD_TIME_DAYS); REQUIRES: >= 0
  double z = 1.6449;       // 95 % service level
  std::size_t max_items = 50;
};

// Sample standard deviation (divisor T − 1) of the whole series, zeros included; 0 when T < 2.
double SeriesStdDev(std::span<const std::int64_t> y);

struct StockoutPrediction {
  Id producto_id = 0;
  std::int64_t stock = 0;
  double demanda_diaria = 0;  // rounded
  std::int64_t dias_hasta_quiebre = 0;
  EpochDay fecha_estimada = 0;
};

// Listed when stock > 0, f > 0 and stock / f <= horizon; days = floor(stock / f).
std::optional<StockoutPrediction> PredictStockout(Id id, std::int64_t stock, double f, int horizon, EpochDay today);

struct ReorderSuggestion {
  Id producto_id = 0;
  std::int64_t stock = 0;
  double demanda_diaria = 0, stock_seguridad = 0, punto_reorden = 0;  // rounded
  std::int64_t cantidad_sugerida = 0;  // ceil of the unrounded puntoReorden − stock + f·L
  double sort_key = 0;                 // unrounded stock − puntoReorden
};

// Listed when f > 0 and stock <= puntoReorden = f·L + z·σ·√L, σ = SeriesStdDev of the demand series.
std::optional<ReorderSuggestion> SuggestReorder(Id id, std::int64_t stock, double f, double sigma,
                                                const ReorderParams& params);
inline std::optional<ReorderSuggestion> SuggestReorder(Id id, std::int64_t stock, double f,
                                                       std::span<const std::int64_t> y, const ReorderParams& params) {
  return SuggestReorder(id, stock, f, SeriesStdDev(y), params);
}

// By diasHastaQuiebre then producto_id, truncated to `max_items`.
void OrderStockouts(std::vector<StockoutPrediction>& items, std::size_t max_items);
// By sort_key then producto_id, keys within the boundary tolerance of a run's first key counting as
// equal; truncated to `max_items`.
void OrderReorders(std::vector<ReorderSuggestion>& items, std::size_t max_items);

}  // namespace iam::domain
