// Daily demand forecasting of kpis.md "predictive-kpis": the demand series of a product, its
// Syntetos–Boylan class (decided with exact integer arithmetic), and the forecast by SMA, SES (grid
// α = k/20) or SBA. Results are unrounded; callers round when rendering. Pure, thread-safe.
// REQUIRES throughout: daily units 0 <= y <= 1e14 and series length <= 400 (exact in 128 bits).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "domain/kpi_window.hpp"

namespace iam::domain {

inline constexpr std::int64_t kDemandHistoryDays = 180;

// SALIDA units (ACTIVO movements) of one product on one UTC day; a day may appear more than once.
struct DailyUnits {
  EpochDay dia = 0;
  std::int64_t unidades = 0;
};

// y_1 … y_T: the days from max(today − 179, creadoEn day) to today, zeros included; a creadoEn after
// today counts as today (T = 1). Rows outside those days are ignored.
std::vector<std::int64_t> DemandSeries(std::span<const DailyUnits> salidas, EpochDay creado_en, EpochDay today);

enum class DemandClass { kSmooth, kIntermittent, kErratic, kLumpy, kInsufficientData };
enum class ForecastMethod { kSma, kSes, kSba };
std::string_view DemandClassName(DemandClass c);   // SMOOTH | INTERMITTENT | ERRATIC | LUMPY | INSUFFICIENT_DATA
std::string_view ForecastMethodName(ForecastMethod m);  // SMA | SES | SBA

// INSUFFICIENT_DATA when fewer than 2 days have y > 0; otherwise by adi ≥ 1.32 and cv2 ≥ 0.49,
// both decided exactly on integers.
DemandClass Classify(std::span<const std::int64_t> y);

struct SesFit {
  double alpha = 0;  // k/20 of the smallest SSE, the smaller α on (near-)ties
  double level = 0;  // ℓ_T: the forecast
  double sse = 0;
};
// REQUIRES: !y.empty().
SesFit FitSes(std::span<const std::int64_t> y);

// Croston with the Syntetos–Boylan correction (α = 0.1), 1-based positions; 0 when no day has y > 0.
double SbaForecast(std::span<const std::int64_t> y);

struct DemandForecast {
  ForecastMethod metodo = ForecastMethod::kSma;
  DemandClass clasificacion = DemandClass::kInsufficientData;
  std::optional<double> alpha, adi, cv2;  // null for SMA
  double demanda_diaria = 0;              // f >= 0
  friend bool operator==(const DemandForecast&, const DemandForecast&) = default;
};
// REQUIRES: !y.empty().
DemandForecast ForecastDemand(std::span<const std::int64_t> y);

}  // namespace iam::domain
