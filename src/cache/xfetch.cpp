#include "cache/xfetch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace iam::cache {

bool XFetchRefreshDue(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point expiry,
                      std::chrono::steady_clock::duration delta, double beta, double u) {
  if (now >= expiry) return true;
  if (beta <= 0 || delta <= std::chrono::steady_clock::duration::zero()) return false;
  u = std::clamp(u, std::numeric_limits<double>::min(), 1.0);
  // −ln(u) ≥ 0: how far ahead of `now` this draw looks, in units of delta·beta.
  const double ahead_s = -std::chrono::duration<double>(delta).count() * beta * std::log(u);
  const double left_s = std::chrono::duration<double>(expiry - now).count();
  return ahead_s >= left_s;
}

double XFetchUniform() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  // uniform_real_distribution is [0, 1); 1 − x is (0, 1].
  return 1.0 - std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace iam::cache
