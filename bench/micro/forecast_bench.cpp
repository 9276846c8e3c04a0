// Micro-benchmarks of predictive-kpis' arithmetic: SES (grid fit) and SBA over 180-day daily demand
// series of 10,000 products, alone and as ForecastDemand (classification + method), then the whole
// ComputePredictiveKpis over those products. Series are drawn once from a fixed-seed generator:
// a mix of smooth, intermittent and lumpy demand (about 40 % of days with a SALIDA).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "domain/demand_forecast.hpp"
#include "domain/predictive_kpis.hpp"

namespace {

using namespace iam::domain;

constexpr int kProducts = 10000;
constexpr EpochDay kToday = 20'000;

const std::vector<std::vector<std::int64_t>>& Series() {
  static const auto series = [] {
    std::mt19937_64 rng(42);
    std::vector<std::vector<std::int64_t>> all(kProducts);
    for (int p = 0; p < kProducts; ++p) {
      const double activity = 0.1 + 0.8 * static_cast<double>(p % 10) / 10.0;  // share of days sold
      const int scale = 1 + p % 20;
      std::bernoulli_distribution sold(activity);
      std::uniform_int_distribution<int> units(1, scale);
      auto& y = all[static_cast<std::size_t>(p)];
      y.resize(kDemandHistoryDays);
      for (auto& v : y) v = sold(rng) ? units(rng) : 0;
    }
    return all;
  }();
  return series;
}

void BM_FitSes10000x180(benchmark::State& state) {
  const auto& s = Series();
  for (auto _ : state)
    for (const auto& y : s) benchmark::DoNotOptimize(FitSes(y));
  state.SetItemsProcessed(state.iterations() * kProducts);
}
BENCHMARK(BM_FitSes10000x180)->Unit(benchmark::kMillisecond);

void BM_Sba10000x180(benchmark::State& state) {
  const auto& s = Series();
  for (auto _ : state)
    for (const auto& y : s) benchmark::DoNotOptimize(SbaForecast(y));
  state.SetItemsProcessed(state.iterations() * kProducts);
}
BENCHMARK(BM_Sba10000x180)->Unit(benchmark::kMillisecond);

void BM_ForecastDemand10000x180(benchmark::State& state) {
  const auto& s = Series();
  for (auto _ : state)
    for (const auto& y : s) benchmark::DoNotOptimize(ForecastDemand(y));
  state.SetItemsProcessed(state.iterations() * kProducts);
}
BENCHMARK(BM_ForecastDemand10000x180)->Unit(benchmark::kMillisecond);

// The domain side of GET /dashboard-cqrs/predictive-kpis for 10,000 products (no database, no JSON).
void BM_ComputePredictiveKpis10000x180(benchmark::State& state) {
  const auto& s = Series();
  std::vector<PredictiveProduct> products(kProducts);
  for (int p = 0; p < kProducts; ++p) {
    auto& pp = products[static_cast<std::size_t>(p)];
    pp.producto.id = p + 1;
    pp.producto.stock = 10 + p % 300;
    pp.producto.stock_minimo = 20;
    pp.producto.precio_compra = 10;
    pp.producto.precio_venta = 15;
    pp.creado_en = kToday - 400;
    const auto& y = s[static_cast<std::size_t>(p)];
    for (std::size_t d = 0; d < y.size(); ++d)
      if (y[d] > 0) pp.salidas.push_back({kToday - static_cast<EpochDay>(y.size() - 1 - d), y[d]});
  }
  for (auto _ : state) benchmark::DoNotOptimize(ComputePredictiveKpis(products, 30, kToday));
  state.SetItemsProcessed(state.iterations() * kProducts);
}
BENCHMARK(BM_ComputePredictiveKpis10000x180)->Unit(benchmark::kMillisecond);

}  // namespace
