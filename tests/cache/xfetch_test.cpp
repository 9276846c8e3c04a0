// XFetchRefreshDue as a table: the decision now − delta·beta·ln(u) ≥ expiry with chosen draws u,
// including the edges (beta 0, delta 0, u at and outside (0, 1]), and the empirical probability
// with the real random source at a point where the paper's formula gives a known value.
#include "cache/xfetch.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace iam::cache {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(XFetchTest, DecisionTable) {
  const Clock::time_point expiry = Clock::time_point{} + 1000s;
  struct Row {
    const char* name;
    Clock::duration left;   // expiry − now
    Clock::duration delta;  // recompute time
    double beta, u;
    bool due;
  };
  const double e1 = std::exp(-1.0);  // −ln(u) = 1: looks exactly delta·beta ahead
  const Row rows[] = {
      {"expired", -1s, 1s, 1, 1.0, true},
      {"at expiry", 0s, 1s, 1, 1.0, true},
      {"u = 1 never looks ahead", 1ms, 1s, 1, 1.0, false},
      {"looks delta ahead, expiry nearer", 900ms, 1s, 1, e1, true},
      {"looks delta ahead, expiry farther", 1100ms, 1s, 1, e1, false},
      {"beta 2 looks twice as far", 1900ms, 1s, 2, e1, true},
      {"beta 2, expiry farther still", 2100ms, 1s, 2, e1, false},
      {"beta 0: only at expiry", 1ms, 10s, 0, 1e-300, false},
      {"delta 0: only at expiry", 1ms, 0s, 1, 1e-300, false},
      {"tiny draw looks far ahead", 600s, 1s, 1, 1e-300, true},  // −ln(1e-300) ≈ 690
      {"draw 0 clamped: most eager, still finite", 100000s, 1s, 1, 0.0, false},
      {"draw 0 clamped within reach", 700s, 1s, 1, 0.0, true},  // −ln(DBL_MIN) ≈ 708
      {"draw above 1 clamped to 1", 1ms, 1s, 1, 5.0, false},
      {"longer computation refreshes earlier", 3s, 4s, 1, e1, true},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(XFetchRefreshDue(expiry - r.left, expiry, r.delta, r.beta, r.u), r.due) << r.name;
  }
}

// With delta·beta = 1 s and 1 s left, refresh happens when −ln(u) ≥ 1, i.e. u ≤ e^−1 ≈ 0.368.
TEST(XFetchTest, RealRandomSourceRefreshesWithThePapersProbability) {
  const Clock::time_point expiry = Clock::time_point{} + 1000s;
  constexpr int kDraws = 20000;
  int due = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double u = XFetchUniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
    due += XFetchRefreshDue(expiry - 1s, expiry, 1s, 1.0, u);
  }
  const double p = static_cast<double>(due) / kDraws;
  EXPECT_NEAR(p, std::exp(-1.0), 0.02);  // ±0.02 is > 5 standard deviations at 20,000 draws
}

}  // namespace
}  // namespace iam::cache
