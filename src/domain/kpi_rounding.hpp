// Rounding and boundary helpers for the KPI math (kpis.md "Conventions"): Round2 is the last step of
// every non-integer output; the *Tol functions decide floor/ceil/<= on doubles the way exact
// arithmetic would, treating a value within kBoundaryTolerance (relative above magnitude 1, absolute
// below) of a boundary as lying on it. Pure, thread-safe; no "not found" case.
#pragma once

#include <cstdint>
#include <optional>

namespace iam::domain {

inline constexpr double kBoundaryTolerance = 1e-9;

// Rounds to 2 decimals, half away from zero, for the real number the double stands for: a value
// within min(1e-9·max(1, |x|), 1e-6) below a half-cent boundary counts as on it, so 1.005 → 1.01 and
// 2.675 → 2.68 although their doubles lie just below. The 1e-6 cap keeps the tolerance far below a
// cent for large money values (a plain relative 1e-9 would be 0.1 at 1e8). Never returns -0.0.
// Non-finite values are returned unchanged (callers never produce one; ratios use SafeRatio).
double Round2(double x);
std::optional<double> Round2(std::optional<double> x);

// num / den, or 0 when den <= 0 ("every ratio whose denominator is <= 0 is 0").
double SafeRatio(double num, double den);
// num / den, or nullopt when den <= 0 (the fields whose definition says `null`).
std::optional<double> RatioOrNull(double num, double den);

// |a − b| <= 1e-9 · max(1, |a|, |b|).
bool NearlyEqual(double a, double b);
// a <= b, with a within tolerance of b counting as equal.
bool LessOrEqualTol(double a, double b);
// floor(x) / ceil(x), except that x within tolerance of an integer is that integer.
// REQUIRES: |x| < 9e18.
std::int64_t FloorTol(double x);
std::int64_t CeilTol(double x);

}  // namespace iam::domain
