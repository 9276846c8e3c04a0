#include "cache/cache_stats.hpp"

namespace iam::cache {

std::size_t CacheStats::ThreadStripe() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t stripe = next.fetch_add(1, std::memory_order_relaxed) % kStripes;
  return stripe;
}

StatsSnapshot CacheStats::Snapshot() const {
  StatsSnapshot s;
  const auto load = [](const Counter& c) { return c.load(std::memory_order_relaxed); };
  for (const Stripe& st : stripes_) {
    for (std::size_t t = 0; t < kTierCount; ++t)
      for (std::size_t c = 0; c < kCategoryCount; ++c) {
        s.tiers[t][c].hits += load(st.tiers[t][c].hits);
        s.tiers[t][c].misses += load(st.tiers[t][c].misses);
        s.tiers[t][c].errors += load(st.tiers[t][c].errors);
      }
    for (std::size_t c = 0; c < kCategoryCount; ++c) s.computations[c] += load(st.computations[c]);
    s.invalidations += load(st.invalidations);
    s.stale_failsafe += load(st.stale_failsafe);
    s.stale_revalidate += load(st.stale_revalidate);
    s.early_refreshes += load(st.early_refreshes);
    s.background_refreshes += load(st.background_refreshes);
    s.lock_acquired += load(st.lock_acquired);
    s.lock_waits += load(st.lock_waits);
    s.lock_wait_hits += load(st.lock_wait_hits);
    s.lock_wait_timeouts += load(st.lock_wait_timeouts);
    s.refresh_ahead_runs += load(st.refresh_ahead_runs);
    for (std::size_t c = 0; c < kCategoryCount; ++c)
      for (std::size_t o = 0; o < kOutcomeCount; ++o) s.outcomes[c][o] += load(st.outcomes[c][o]);
  }
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
