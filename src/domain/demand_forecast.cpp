#include "domain/demand_forecast.hpp"

#include <algorithm>

#include "domain/kpi_exact.hpp"
#include "domain/kpi_rounding.hpp"

namespace iam::domain {
namespace {

constexpr double kSbaAlpha = 0.1;
constexpr double kSbaCorrection = 0.95;  // 1 − α/2
constexpr int kSesGridSteps = 20;         // α = k/20, k = 1 … 19

// T, n and the sum and sum of squares of the non-zero values, exactly.
struct NonZeroStats {
  std::int64_t t = 0, n = 0;
  Int128 s = 0, q = 0;
};

NonZeroStats Stats(std::span<const std::int64_t> y) {
  NonZeroStats st;
  st.t = static_cast<std::int64_t>(y.size());
  for (std::int64_t v : y) {
    if (v <= 0) continue;
    ++st.n;
    st.s += v;
    st.q += Int128{v} * v;
  }
  return st;
}

// adi ≥ 1.32 ⇔ 100·T ≥ 132·n.
bool AdiHigh(const NonZeroStats& st) { return Int128{100} * st.t >= Int128{132} * st.n; }

// cv2 = n·(n·Q − S²) / ((n − 1)·S²); cv2 ≥ 0.49 ⇔ 100·n·(n·Q − S²) ≥ 49·(n − 1)·S². REQUIRES: n >= 2.
Int128 Cv2Numerator(const NonZeroStats& st) { return Int128{st.n} * (Int128{st.n} * st.q - st.s * st.s); }
Int128 Cv2Denominator(const NonZeroStats& st) { return Int128{st.n - 1} * st.s * st.s; }
bool Cv2High(const NonZeroStats& st) { return 100 * Cv2Numerator(st) >= 49 * Cv2Denominator(st); }

DemandClass ClassOf(const NonZeroStats& st) {
  if (st.n < 2) return DemandClass::kInsufficientData;
  const bool adi = AdiHigh(st), cv2 = Cv2High(st);
  if (adi) return cv2 ? DemandClass::kLumpy : DemandClass::kIntermittent;
  return cv2 ? DemandClass::kErratic : DemandClass::kSmooth;
}

SesFit SesWithAlpha(std::span<const std::int64_t> y, double alpha) {
  SesFit fit{alpha, static_cast<double>(y[0]), 0};
  for (std::size_t t = 1; t < y.size(); ++t) {
    const double e = static_cast<double>(y[t]) - fit.level;
    fit.sse += e * e;
    fit.level = fit.level + alpha * e;  // ℓ + α·(y − ℓ): equal SSEs stay equal in doubles
  }
  return fit;
}

}  // namespace

std::vector<std::int64_t> DemandSeries(std::span<const DailyUnits> salidas, EpochDay creado_en, EpochDay today) {
  const EpochDay start = std::max(today - (kDemandHistoryDays - 1), std::min(creado_en, today));
  std::vector<std::int64_t> y(static_cast<std::size_t>(today - start + 1), 0);
  for (const DailyUnits& d : salidas)
    if (start <= d.dia && d.dia <= today) y[static_cast<std::size_t>(d.dia - start)] += d.unidades;
  return y;
}

std::string_view DemandClassName(DemandClass c) {
  switch (c) {
    case DemandClass::kSmooth: return "SMOOTH";
    case DemandClass::kIntermittent: return "INTERMITTENT";
    case DemandClass::kErratic: return "ERRATIC";
    case DemandClass::kLumpy: return "LUMPY";
    case DemandClass::kInsufficientData: break;
  }
  return "INSUFFICIENT_DATA";
}

std::string_view ForecastMethodName(ForecastMethod m) {
  switch (m) {
    case ForecastMethod::kSes: return "SES";
    case ForecastMethod::kSba: return "SBA";
    case ForecastMethod::kSma: break;
  }
  return "SMA";
}

DemandClass Classify(std::span<const std::int64_t> y) { return ClassOf(Stats(y)); }

SesFit FitSes(std::span<const std::int64_t> y) {
  SesFit best = SesWithAlpha(y, 1.0 / kSesGridSteps);
  for (int k = 2; k < kSesGridSteps; ++k) {
    const SesFit fit = SesWithAlpha(y, static_cast<double>(k) / kSesGridSteps);
    // Strictly smaller beyond the tolerance: an (almost) equal SSE keeps the smaller α.
    if (fit.sse < best.sse && !NearlyEqual(fit.sse, best.sse)) best = fit;
  }
  return best;
}

double SbaForecast(std::span<const std::int64_t> y) {
  double z = 0, p = 0;
  std::size_t previous = 0;  // 1-based position of the previous non-zero day; 0 = none yet
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] <= 0) continue;
    const std::size_t pos = i + 1;
    if (previous == 0) {
      z = static_cast<double>(y[i]);
      p = static_cast<double>(pos);
    } else {
      z = z + kSbaAlpha * (static_cast<double>(y[i]) - z);
      p = p + kSbaAlpha * (static_cast<double>(pos - previous) - p);
    }
    previous = pos;
  }
  return previous == 0 ? 0.0 : kSbaCorrection * z / p;
}

DemandForecast ForecastDemand(std::span<const std::int64_t> y) {
  const NonZeroStats st = Stats(y);
  DemandForecast fc;
  fc.clasificacion = ClassOf(st);
  if (fc.clasificacion == DemandClass::kInsufficientData) {
    double sum = 0;
    for (std::int64_t v : y) sum += static_cast<double>(v);
    fc.metodo = ForecastMethod::kSma;
    fc.demanda_diaria = std::max(sum / static_cast<double>(st.t), 0.0);
    return fc;
  }
  fc.adi = static_cast<double>(st.t) / static_cast<double>(st.n);
  fc.cv2 = static_cast<double>(Cv2Numerator(st)) / static_cast<double>(Cv2Denominator(st));
  if (fc.clasificacion == DemandClass::kSmooth) {
    const SesFit fit = FitSes(y);
    fc.metodo = ForecastMethod::kSes;
    fc.alpha = fit.alpha;
    fc.demanda_diaria = std::max(fit.level, 0.0);
  } else {
    fc.metodo = ForecastMethod::kSba;
    fc.alpha = kSbaAlpha;
    fc.demanda_diaria = std::max(SbaForecast(y), 0.0);
  }
  return fc;
}

}  // namespace iam::domain
