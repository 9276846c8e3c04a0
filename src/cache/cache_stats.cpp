#include "cache/cache_stats.hpp"

namespace iam::cache {

StatsSnapshot CacheStats::Snapshot() const {
  StatsSnapshot s;
  for (std::size_t t = 0; t < kTierCount; ++t)
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      s.tiers[t][c].hits = tiers_[t][c].hits.load(std::memory_order_relaxed);
      s.tiers[t][c].misses = tiers_[t][c].misses.load(std::memory_order_relaxed);
      s.tiers[t][c].errors = tiers_[t][c].errors.load(std::memory_order_relaxed);
    }
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    s.computations[c] = computations_[c].load(std::memory_order_relaxed);
  }
  s.invalidations = invalidations_.load(std::memory_order_relaxed);
  s.stale_failsafe = stale_failsafe_.load(std::memory_order_relaxed);
  s.stale_revalidate = stale_revalidate_.load(std::memory_order_relaxed);
  s.early_refreshes = early_refreshes_.load(std::memory_order_relaxed);
  s.background_refreshes = background_refreshes_.load(std::memory_order_relaxed);
  s.lock_acquired = lock_acquired_.load(std::memory_order_relaxed);
  s.lock_waits = lock_waits_.load(std::memory_order_relaxed);
  s.lock_wait_hits = lock_wait_hits_.load(std::memory_order_relaxed);
  s.lock_wait_timeouts = lock_wait_timeouts_.load(std::memory_order_relaxed);
  s.refresh_ahead_runs = refresh_ahead_runs_.load(std::memory_order_relaxed);
  for (std::size_t c = 0; c < kCategoryCount; ++c)
    for (std::size_t o = 0; o < kOutcomeCount; ++o) s.outcomes[c][o] = outcomes_[c][o].load(std::memory_order_relaxed);
  return s;
}

std::uint64_t StatsSnapshot::Hits() const {
  std::uint64_t n = 0;
  for (const auto& o : outcomes)
    n += o[static_cast<std::size_t>(Outcome::kHitL1)] + o[static_cast<std::size_t>(Outcome::kHitL2)] +
         o[static_cast<std::size_t>(Outcome::kShared)] + o[static_cast<std::size_t>(Outcome::kStale)];
  return n;
}

std::uint64_t StatsSnapshot::Misses() const {
  std::uint64_t n = 0;
  for (const auto& o : outcomes) n += o[static_cast<std::size_t>(Outcome::kMiss)];
  return n;
}

double StatsSnapshot::HitRate() const {
  const std::uint64_t h = Hits(), m = Misses();
  return h + m == 0 ? 0.0 : static_cast<double>(h) / static_cast<double>(h + m);
}

}  // namespace iam::cache
