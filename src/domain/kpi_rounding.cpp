#include "domain/kpi_rounding.hpp"

#include <algorithm>
#include <cmath>

namespace iam::domain {
namespace {

// Largest distance below a half-cent boundary that still rounds up; see Round2's contract.
constexpr double kRoundingToleranceCap = 1e-6;

}  // namespace

double Round2(double x) {
  if (!std::isfinite(x)) return x;
  const double a = std::fabs(x);
  const double tol = std::min(kBoundaryTolerance * std::max(1.0, a), kRoundingToleranceCap);
  double cents = std::floor(a * 100);
  // The half-cent boundary above `cents`; reaching it (within tol) rounds away from zero.
  if (a >= (cents + 0.5) / 100 - tol) cents += 1;
  if (cents == 0) return 0.0;
  return std::copysign(cents / 100, x);
}

std::optional<double> Round2(std::optional<double> x) {
  if (!x) return std::nullopt;
  return Round2(*x);
}

double SafeRatio(double num, double den) { return den <= 0 ? 0.0 : num / den; }

std::optional<double> RatioOrNull(double num, double den) {
  if (den <= 0) return std::nullopt;
  return num / den;
}

bool NearlyEqual(double a, double b) {
  const double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= kBoundaryTolerance * scale;
}

bool LessOrEqualTol(double a, double b) { return a <= b || NearlyEqual(a, b); }

std::int64_t FloorTol(double x) {
  const double nearest = std::round(x);
  return static_cast<std::int64_t>(NearlyEqual(x, nearest) ? nearest : std::floor(x));
}

std::int64_t CeilTol(double x) {
  const double nearest = std::round(x);
  return static_cast<std::int64_t>(NearlyEqual(x, nearest) ? nearest : std::ceil(x));
}

}  // namespace iam::domain
