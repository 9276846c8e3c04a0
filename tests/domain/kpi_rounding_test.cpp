#include "domain/kpi_rounding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <cstdint>
#include <optional>

#include "domain/kpi_exact.hpp"
#include "domain/kpi_window.hpp"

namespace iam::domain {
namespace {

TEST(KpiRoundingTest, Round2HalfAwayFromZeroOnTheIntendedDecimal) {
  struct Case {
    double in, expected;
  };
  const Case kCases[] = {
      {0, 0},
      {1.005, 1.01},    // double is 1.00499999999999989…: still the half-cent boundary
      {-1.005, -1.01},
      {2.675, 2.68},    // double is 2.67499999999999982…
      {-2.675, -2.68},
      {1.015, 1.02},    // double 1.01499999999999990…
      {10.075, 10.08},  // double 10.0749999999999992…
      {8.345, 8.35},
      {-8.345, -8.35},
      {0.015, 0.02},
      {99.995, 100.0},  // carries into the integer part
      {0.125, 0.13},    // exact binary half: away from zero
      {-0.125, -0.13},
      {2.5, 2.5},
      {1.004, 1.0},
      {1.0049, 1.0},
      {-1.0049, -1.0},
      {0.1 + 0.2, 0.3},  // 0.30000000000000004
      {1.0 / 3, 0.33},
      {-2.0 / 3, -0.67},
      {123456789.125, 123456789.13},  // exact binary half at a large magnitude
      {123456789.123, 123456789.12},  // a plain relative 1e-9 (0.12) would have rounded this up
      {1234.56499, 1234.56},          // 1e-5 below the boundary: beyond the 1e-6 cap
      {1234.5649999, 1234.57},        // 1e-7 below: treated as on the boundary
      {0.004999999999, 0.01},         // 1e-12 below 0.005 (absolute tolerance 1e-9 under magnitude 1)
      {0.00499, 0.0},
      {-0.005, -0.01},
      {1e-10, 0.0},
      {1e12 + 0.25, 1e12 + 0.25},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << std::setprecision(17) << c.in);
    EXPECT_EQ(Round2(c.in), c.expected);
  }
}

TEST(KpiRoundingTest, Round2NeverReturnsNegativeZero) {
  for (double x : {-0.0, -0.0049, -1e-12, -0.004999}) {
    SCOPED_TRACE(x);
    EXPECT_EQ(Round2(x), 0.0);
    EXPECT_FALSE(std::signbit(Round2(x)));
  }
}

TEST(KpiRoundingTest, Round2OptionalKeepsNull) {
  EXPECT_EQ(Round2(std::optional<double>()), std::nullopt);
  EXPECT_EQ(Round2(std::optional<double>(2.675)), 2.68);
}

TEST(KpiRoundingTest, SafeRatioAndRatioOrNull) {
  struct Case {
    double num, den, safe;
    std::optional<double> or_null;
  };
  const Case kCases[] = {
      {3, 4, 0.75, 0.75}, {-3, 4, -0.75, -0.75}, {1, 0, 0, std::nullopt},
      {0, 0, 0, std::nullopt}, {5, -1, 0, std::nullopt}, {0, 7, 0, 0.0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.num << "/" << c.den);
    EXPECT_EQ(SafeRatio(c.num, c.den), c.safe);
    EXPECT_EQ(RatioOrNull(c.num, c.den), c.or_null);
  }
}

TEST(KpiRoundingTest, ToleranceDecisions) {
  struct Case {
    double x;
    std::int64_t floor, ceil;
  };
  const Case kCases[] = {
      {7, 7, 7},
      {2.5, 2, 3},
      {-0.5, -1, 0},
      {2.9999999999, 3, 3},    // 1e-10 below 3: on it
      {3.0000000001, 3, 3},    // 1e-10 above 3: on it
      {2.999, 2, 3},
      {-2.00000000001, -2, -2},
      {1e10 + 1e-3, 10'000'000'000, 10'000'000'000},  // relative: 1e-3 is within 1e-9·1e10 = 10
      {1e10 + 11, 10'000'000'011, 10'000'000'011},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << std::setprecision(17) << c.x);
    EXPECT_EQ(FloorTol(c.x), c.floor);
    EXPECT_EQ(CeilTol(c.x), c.ceil);
  }
}

TEST(KpiRoundingTest, NearlyEqualAndLessOrEqual) {
  struct Case {
    double a, b;
    bool nearly, less_or_equal;
  };
  const Case kCases[] = {
      {1, 1 + 1e-10, true, true},   {1 + 1e-10, 1, true, true},   {1 + 2e-9, 1, false, false},
      {0, 1e-10, true, true},       {2e-9, 0, false, false},      {1e9 + 0.5, 1e9, true, true},
      {1e9 + 2, 1e9, false, false}, {29, 30, false, true},        {30.00000000001, 30, true, true},
      {30.1, 30, false, false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << std::setprecision(17) << c.a << " vs " << c.b);
    EXPECT_EQ(NearlyEqual(c.a, c.b), c.nearly);
    EXPECT_EQ(LessOrEqualTol(c.a, c.b), c.less_or_equal);
  }
}

TEST(KpiExactTest, CompareRatio) {
  struct Case {
    std::int64_t num, den, p, q;
    int expected;
  };
  const Case kCases[] = {
      {1, 10, 1, 10, 0},     {2, 20, 1, 10, 0},    {11, 100, 1, 10, 1},  {9, 100, 1, 10, -1},
      {-1, 10, -1, 10, 0},   {1, -10, -1, 10, 0},  {1, -9, -1, 10, -1},  // −1/9 < −1/10
      {-11, 100, -1, 10, -1}, {INT64_MAX, 1, 1, 10, 1}, {INT64_MIN, 1, 1, 10, -1},
      {INT64_MAX, INT64_MAX, 1, 1, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.num << "/" << c.den << " vs " << c.p << "/" << c.q);
    EXPECT_EQ(CompareRatio(c.num, c.den, c.p, c.q), c.expected);
  }
}

TEST(KpiWindowTest, DaysAndWindows) {
  struct Case {
    std::int64_t ms;
    EpochDay day;
  };
  const Case kCases[] = {
      {0, 0}, {86'399'999, 0}, {86'400'000, 1}, {-1, -1}, {-86'400'000, -1}, {-86'400'001, -2},
      {1'764'201'600'000, 20419},  // 2025-11-27T00:00Z = 20419 × 86 400 000
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.ms);
    EXPECT_EQ(DayOfMs(c.ms), c.day);
  }
  EXPECT_EQ(FormatEpochDay(20419), "2025-11-27");
  EXPECT_EQ(FormatEpochDay(0), "1970-01-01");
  const DayWindow w = LastDays(100, 30);
  EXPECT_EQ(w.first, 71);
  EXPECT_EQ(w.last, 100);
  EXPECT_EQ(w.Days(), 30);
  EXPECT_TRUE(w.Contains(71));
  EXPECT_TRUE(w.Contains(100));
  EXPECT_FALSE(w.Contains(70));
  EXPECT_FALSE(w.Contains(101));
  EXPECT_EQ(LastDays(100, 1).Days(), 1);
  EXPECT_EQ(LastDays(100, 0).Days(), 0);
  EXPECT_FALSE(LastDays(100, 0).Contains(100));
}

}  // namespace
}  // namespace iam::domain
