#include "domain/reorder.hpp"

#include <algorithm>
#include <cmath>

#include "domain/kpi_exact.hpp"
#include "domain/kpi_rounding.hpp"

namespace iam::domain {

double SeriesStdDev(std::span<const std::int64_t> y) {
  const auto t = static_cast<std::int64_t>(y.size());
  if (t < 2) return 0.0;
  Int128 s = 0, q = 0;
  for (std::int64_t v : y) {
    s += v;
    q += Int128{v} * v;
  }
  // σ² = (T·Q − S²) / (T·(T − 1)); the numerator is exact, so a constant series gives exactly 0.
  const Int128 num = Int128{t} * q - s * s;
  return std::sqrt(static_cast<double>(num) / (static_cast<double>(t) * static_cast<double>(t - 1)));
}

std::optional<StockoutPrediction> PredictStockout(Id id, std::int64_t stock, double f, int horizon, EpochDay today) {
  if (stock <= 0 || f <= 0) return std::nullopt;
  const double days = static_cast<double>(stock) / f;
  if (!LessOrEqualTol(days, horizon)) return std::nullopt;
  const std::int64_t whole = FloorTol(days);
  return StockoutPrediction{id, stock, Round2(f), whole, today + whole};
}

std::optional<ReorderSuggestion> SuggestReorder(Id id, std::int64_t stock, double f, double sigma,
                                                const ReorderParams& params) {
  if (f <= 0) return std::nullopt;
  const double lead = params.lead_time_days;
  const double safety = params.z * sigma * std::sqrt(lead);
  const double point = f * lead + safety;
  const auto s = static_cast<double>(stock);
  if (!LessOrEqualTol(s, point)) return std::nullopt;
  return ReorderSuggestion{id,          stock, Round2(f), Round2(safety), Round2(point), CeilTol(point - s + f * lead),
                           s - point};
}

void OrderStockouts(std::vector<StockoutPrediction>& items, std::size_t max_items) {
  std::sort(items.begin(), items.end(), [](const StockoutPrediction& a, const StockoutPrediction& b) {
    if (a.dias_hasta_quiebre != b.dias_hasta_quiebre) return a.dias_hasta_quiebre < b.dias_hasta_quiebre;
    return a.producto_id < b.producto_id;
  });
  if (items.size() > max_items) items.resize(max_items);
}

void OrderReorders(std::vector<ReorderSuggestion>& items, std::size_t max_items) {
  // A tolerance comparator is not a strict weak order, so sort exactly first, then re-sort each run
  // of near-equal keys by id.
  auto by_key = [](const ReorderSuggestion& a, const ReorderSuggestion& b) {
    return a.sort_key != b.sort_key ? a.sort_key < b.sort_key : a.producto_id < b.producto_id;
  };
  std::sort(items.begin(), items.end(), by_key);
  for (auto run = items.begin(); run != items.end();) {
    auto end = std::find_if(run, items.end(), [&](const ReorderSuggestion& r) {
      return !NearlyEqual(r.sort_key, run->sort_key);
    });
    std::sort(run, end, [](const ReorderSuggestion& a, const ReorderSuggestion& b) {
      return a.producto_id < b.producto_id;
    });
    run = end;
  }
  if (items.size() > max_items) items.resize(max_items);
}

}  // namespace iam::domain
