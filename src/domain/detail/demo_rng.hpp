// DemoRng: a tiny deterministic pseudo-random generator (SplitMix64) with the few distributions
// the demo data generator needs. Unlike std:: distributions its output is the same with every
// standard library, so a seed names one data set everywhere. Not for cryptography; one per thread.
#pragma once

#include <cmath>
#include <cstdint>

namespace iam::domain::detail {

class DemoRng {
 public:
  explicit DemoRng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform in [lo, hi] (the modulo bias is far below what demo data could show).
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Poisson(lambda) by Knuth's product method; REQUIRES: 0 <= lambda <= ~30 (small demo means).
  int Poisson(double lambda) {
    const double limit = std::exp(-lambda);
    int k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  std::uint64_t state_;
};

}  // namespace iam::domain::detail
