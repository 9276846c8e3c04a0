#include "domain/demand_forecast.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace iam::domain {
namespace {

using Series = std::vector<std::int64_t>;

// n copies of v.
Series Repeat(std::int64_t v, std::size_t n) { return Series(n, v); }
Series Concat(Series a, const Series& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(DemandForecastTest, DemandSeriesLengthAndPlacement) {
  const EpochDay today = 1000;
  const std::vector<DailyUnits> rows = {
      {821, 3},  // today − 179: the first day of a full series
      {1000, 4}, {1000, 1},  // the same day twice: summed
      {820, 99},             // today − 180: too old
      {1001, 99},            // future
      {985, 7},
  };
  struct Case {
    const char* name;
    EpochDay creado_en;
    std::size_t length;
    std::size_t index_of_985;  // where day 985 lands, or length when cut
  };
  const Case kCases[] = {
      {"old product", 0, 180, 985 - 821},
      {"created exactly 179 days ago", 821, 180, 985 - 821},
      {"created 180 days ago", 820, 180, 985 - 821},
      {"created 178 days ago", 822, 179, 985 - 822},
      {"created inside the window, after day 985", 990, 11, 11},
      {"created today", 1000, 1, 1},
      {"created after today counts as today", 1005, 1, 1},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Series y = DemandSeries(rows, c.creado_en, today);
    ASSERT_EQ(y.size(), c.length);
    EXPECT_EQ(y.back(), 5);  // 4 + 1 on today
    std::int64_t total = 0;
    for (std::int64_t v : y) total += v;
    const std::int64_t first = c.length == 180 ? 3 : 0;  // day 821 only in full series
    const std::int64_t at985 = c.index_of_985 < c.length ? 7 : 0;
    EXPECT_EQ(total, 5 + first + at985);
    if (c.length == 180) {
      EXPECT_EQ(y.front(), 3);
    }
    if (at985 != 0) {
      EXPECT_EQ(y[c.index_of_985], 7);
    }
  }
  EXPECT_EQ(DemandSeries({}, 0, today), Repeat(0, 180));
}

TEST(DemandForecastTest, ClassificationIsExactAtTheBoundaries) {
  struct Case {
    const char* name;
    Series y;
    DemandClass expected;
  };
  const Case kCases[] = {
      {"all zeros", Repeat(0, 180), DemandClass::kInsufficientData},
      {"one value", {5}, DemandClass::kInsufficientData},
      {"one non-zero day", {0, 7, 0}, DemandClass::kInsufficientData},
      // n = 2, T = 2: adi 1; n·Q − S² = 2·32 − 64 = 0 → cv2 0
      {"n = 2 equal", {4, 4}, DemandClass::kSmooth},
      // S = 80, Q = 3·169 + 1681 = 2188, n·Q − S² = 8752 − 6400 = 2352;
      // 100·4·2352 = 940 800 = 49·3·6400 → cv2 = 0.49 exactly ((s/m)² in doubles: 0.48999999999999994)
      {"cv2 exactly 0.49", {13, 13, 13, 41}, DemandClass::kErratic},
      // S = 79, Q = 2107, n·Q − S² = 2187; 100·4·2187 = 874 800 < 49·3·6241 = 917 427
      {"cv2 just under", {13, 13, 13, 40}, DemandClass::kSmooth},
      // T = 7, n = 4: adi 1.75; cv2 0.49 as above
      {"lumpy", {13, 0, 13, 0, 13, 0, 41}, DemandClass::kLumpy},
      {"intermittent", {13, 0, 13, 0, 13, 0, 40}, DemandClass::kIntermittent},
      // T = 33, n = 25: 100·33 = 3300 = 132·25 → adi = 1.32 exactly
      {"adi exactly 1.32", Concat(Repeat(0, 8), Repeat(2, 25)), DemandClass::kIntermittent},
      // T = 33, n = 26: 3300 < 3432
      {"adi just under", Concat(Repeat(0, 7), Repeat(2, 26)), DemandClass::kSmooth},
      // T = 132, n = 100: adi 1.32 exactly on a longer series
      {"adi 132/100", Concat(Repeat(0, 32), Repeat(9, 100)), DemandClass::kIntermittent},
      // S = 11, Q = 101: n·Q − S² = 81; cv2 = 2·81/121 = 1.34
      {"erratic pair", {1, 10}, DemandClass::kErratic},
      // S = 2e14, Q = 2e28: n·Q − S² = 0 (needs 128 bits)
      {"huge equal values", {100'000'000'000'000, 100'000'000'000'000}, DemandClass::kSmooth},
      {"huge and tiny", {1, 100'000'000'000'000}, DemandClass::kErratic},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Classify(c.y), c.expected);
  }
}

struct ForecastCase {
  const char* name;
  Series y;
  ForecastMethod metodo;
  DemandClass clase;
  std::optional<double> alpha, adi, cv2;
  double f;
};

void ExpectForecast(const ForecastCase& c) {
  SCOPED_TRACE(c.name);
  const DemandForecast fc = ForecastDemand(c.y);
  EXPECT_EQ(fc.metodo, c.metodo);
  EXPECT_EQ(fc.clasificacion, c.clase);
  EXPECT_EQ(fc.alpha.has_value(), c.alpha.has_value());
  if (fc.alpha && c.alpha) {
    EXPECT_NEAR(*fc.alpha, *c.alpha, 1e-12);
  }
  EXPECT_EQ(fc.adi.has_value(), c.adi.has_value());
  if (fc.adi && c.adi) {
    EXPECT_NEAR(*fc.adi, *c.adi, 1e-9);
  }
  EXPECT_EQ(fc.cv2.has_value(), c.cv2.has_value());
  if (fc.cv2 && c.cv2) {
    EXPECT_NEAR(*fc.cv2, *c.cv2, 1e-9);
  }
  EXPECT_NEAR(fc.demanda_diaria, c.f, 1e-9 * std::max(1.0, c.f));
}

TEST(DemandForecastTest, SmaWhenFewerThanTwoDemandDays) {
  const auto sma = ForecastMethod::kSma;
  const auto none = DemandClass::kInsufficientData;
  const ForecastCase kCases[] = {
      {"all zeros", Repeat(0, 180), sma, none, {}, {}, {}, 0},
      {"one sale in 180 days", Concat(Repeat(0, 179), {90}), sma, none, {}, {}, {}, 0.5},  // 90/180
      {"T = 1", {6}, sma, none, {}, {}, {}, 6},
      {"n = 1, T = 3", {0, 0, 9}, sma, none, {}, {}, {}, 3},
      {"a single huge value", {0, 0, 0, 100'000'000'000'000}, sma, none, {}, {}, {}, 25'000'000'000'000},  // 1e14/4
  };
  for (const ForecastCase& c : kCases) ExpectForecast(c);
}

TEST(DemandForecastTest, SesGridSearch) {
  const auto ses = ForecastMethod::kSes;
  const auto smooth = DemandClass::kSmooth;
  const ForecastCase kCases[] = {
      // every α gives SSE (4 − 4)² = 0: tie → the smallest α
      {"n = 2, constant", {4, 4}, ses, smooth, 0.05, 1, 0, 4},
      // ℓ stays 5 until the last day: SSE = (9 − 5)² = 16 for every α → 0.05; f = 5 + 0.05·4 = 5.2
      // cv2: S = 24, Q = 156, n·Q − S² = 48 → 4·48/(3·576) = 0.1111…
      {"equal SSEs", {5, 5, 5, 9}, ses, smooth, 0.05, 1, 1.0 / 9, 5.2},
      // SSE(α) = 40² + (21 − 40α)²: α = 0.50 and 0.55 both give 1601 → 0.50;
      // f = ℓ₂ + 0.5·(121 − ℓ₂) with ℓ₂ = 100 + 0.5·40 = 120 → 120.5
      // cv2: S = 361, Q = 44 241, n·Q − S² = 132 723 − 130 321 = 2402 → 3·2402/(2·130 321)
      {"tie between 0.50 and 0.55", {100, 140, 121}, ses, smooth, 0.5, 1, 7206.0 / 260642, 120.5},
      // SSE(α) = 40² + (3 − 40α)²: α = 0.05 and 0.10 both give 1601 → 0.05;
      // ℓ₂ = 102, f = 102 + 0.05·1 = 102.05; cv2: S = 343, Q = 40 209 → 3·2978/(2·117 649)
      {"tie between 0.05 and 0.10", {100, 140, 103}, ses, smooth, 0.05, 1, 8934.0 / 235298, 102.05},
      // SSE(α) = 4 + (1 − 2α)²: minimum 4 at α = 0.5; ℓ₂ = 11, f = 11; cv2 = 3·6/(2·1089)
      {"interior minimum", {10, 12, 11}, ses, smooth, 0.5, 1, 18.0 / 2178, 11},
      // SSE(α) = 100 + (20 − 10α)², decreasing → 0.95; ℓ₂ = 19.5, f = 19.5 + 0.95·10.5 = 29.475
      // cv2: S = 60, Q = 1400 → 3·600/(2·3600) = 0.25
      {"rising: largest α", {10, 20, 30}, ses, smooth, 0.95, 1, 0.25, 29.475},
      // ℓ₂ = 20.5, f = 20.5 + 0.95·(10 − 20.5) = 10.525
      {"falling: largest α", {30, 20, 10}, ses, smooth, 0.95, 1, 0.25, 10.525},
      // T = 5, n = 4 (adi 1.25), cv2 0. Level gaps d₂ = 5α, d_t = (1 − α)·d_{t−1}:
      // SSE = 25 + 25α² + 25α²(1 − α)² + 25α²(1 − α)⁴ grows with α → 0.05;
      // f = 5 − 5α(1 − α)³ = 5 − 0.25·0.857375 = 4.78565625
      {"a zero inside a smooth series", {5, 0, 5, 5, 5}, ses, smooth, 0.05, 1.25, 0, 4.78565625},
      // T = 33, n = 26 (adi 33/26): SSE = 4·Σ_{k<26} (1 − α)^{2k} decreases with α → 0.95;
      // f = 2·(1 − 0.05^26) = 2 within 1e-9
      {"leading zeros", Concat(Repeat(0, 7), Repeat(2, 26)), ses, smooth, 0.95, 33.0 / 26, 0, 2},
  };
  for (const ForecastCase& c : kCases) ExpectForecast(c);
}

TEST(DemandForecastTest, SbaForNonSmoothClasses) {
  const auto sba = ForecastMethod::kSba;
  const ForecastCase kCases[] = {
      // z = 13, p = 1; days 2, 3: q = 1, unchanged; day 4: z = 13 + 0.1·28 = 15.8 → f = 0.95·15.8 = 15.01
      {"cv2 exactly 0.49", {13, 13, 13, 41}, sba, DemandClass::kErratic, 0.1, 1, 0.49, 15.01},
      // p: 1 → 1 + 0.1·(2 − 1) = 1.1 → 1.19 → 1.271; z = 15.8 at the end; f = 15.01/1.271 = 11.8095987…
      {"lumpy", {13, 0, 13, 0, 13, 0, 41}, sba, DemandClass::kLumpy, 0.1, 1.75, 0.49, 15.01 / 1.271},
      // first non-zero at position 3: z = 6, p = 3; q = 2 → p = 2.9; q = 3 → p = 2.91;
      // f = 0.95·6/2.91 = 5.7/2.91 = 1.9587628…
      {"intermittent", {0, 0, 6, 0, 6, 0, 0, 6}, sba, DemandClass::kIntermittent, 0.1, 8.0 / 3, 0, 5.7 / 2.91},
      // p = 5 (1-based), then q = 1: p = 5 + 0.1·(1 − 5) = 4.6; f = 4.75/4.6 = 1.0326…
      {"late first sale", {0, 0, 0, 0, 5, 5}, sba, DemandClass::kIntermittent, 0.1, 3, 0, 4.75 / 4.6},
      // z = 1, p = 1; then z = 1 + 0.1·9 = 1.9; f = 0.95·1.9 = 1.805; cv2 = 162/121
      {"n = 2 erratic", {1, 10}, sba, DemandClass::kErratic, 0.1, 1, 162.0 / 121, 1.805},
      // p = 9, then 24 steps with q = 1: p = 1 + 8·0.9^24 = 1 + 8·0.0797664… = 1.6381315…;
      // f = 1.9/1.6381315… = 1.1598580…
      {"adi exactly 1.32", Concat(Repeat(0, 8), Repeat(2, 25)), sba, DemandClass::kIntermittent, 0.1, 1.32, 0,
       1.1598580139951873},
      // z = 1 + 0.1·(1e14 − 1) = 1e13 + 0.9; f = 0.95·z = 9.5e12 + 0.855
      // cv2 = 2·(1e28 − 2e14 + 1)/(1e28 + 2e14 + 1) = 2 within 1e-9
      {"huge and tiny", {1, 100'000'000'000'000}, sba, DemandClass::kErratic, 0.1, 1, 2, 9'500'000'000'000.855},
  };
  for (const ForecastCase& c : kCases) ExpectForecast(c);
}

TEST(DemandForecastTest, FitSesAndSbaDirectly) {
  const SesFit single = FitSes(Series{9});  // no errors at all: every α ties at SSE 0
  EXPECT_NEAR(single.alpha, 0.05, 1e-15);
  EXPECT_EQ(single.level, 9);
  EXPECT_EQ(single.sse, 0);
  const SesFit rising = FitSes(Series{10, 20, 30});
  EXPECT_NEAR(rising.alpha, 0.95, 1e-15);
  EXPECT_NEAR(rising.sse, 210.25, 1e-9);  // 100 + (20 − 9.5)²
  EXPECT_EQ(SbaForecast(Series{}), 0);
  EXPECT_EQ(SbaForecast(Series{0, 0}), 0);
  EXPECT_NEAR(SbaForecast(Series{0, 3}), 1.425, 1e-12);  // 0.95·3/2
}

TEST(DemandForecastTest, Names) {
  EXPECT_EQ(DemandClassName(DemandClass::kSmooth), "SMOOTH");
  EXPECT_EQ(DemandClassName(DemandClass::kIntermittent), "INTERMITTENT");
  EXPECT_EQ(DemandClassName(DemandClass::kErratic), "ERRATIC");
  EXPECT_EQ(DemandClassName(DemandClass::kLumpy), "LUMPY");
  EXPECT_EQ(DemandClassName(DemandClass::kInsufficientData), "INSUFFICIENT_DATA");
  EXPECT_EQ(ForecastMethodName(ForecastMethod::kSma), "SMA");
  EXPECT_EQ(ForecastMethodName(ForecastMethod::kSes), "SES");
  EXPECT_EQ(ForecastMethodName(ForecastMethod::kSba), "SBA");
}

}  // namespace
}  // namespace iam::domain
