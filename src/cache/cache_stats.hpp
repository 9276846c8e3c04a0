// CacheStats: lock-free counters of the cache, per tier and category (cache.md guarantee 7), read
// by /auth/admin/cache-stats and /metrics. Counters only grow; Snapshot() sums them. Every counter
// exists once per stripe (a cache line apart), and each thread counts in its own stripe: the I/O
// threads do not fight over one cache line on every request.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "cache/category.hpp"

namespace iam::cache {

enum class Tier : std::size_t { kL1, kL2 };
inline constexpr std::size_t kTierCount = 2;

struct CategoryCounts {
  std::uint64_t hits = 0, misses = 0, errors = 0;
};

// How one cacheable request was answered (the X-Cache header it got).
enum class Outcome : std::size_t { kHitL1, kHitL2, kShared, kMiss, kBypass, kStale };
inline constexpr std::size_t kOutcomeCount = 6;

struct StatsSnapshot {
  std::array<std::array<std::uint64_t, kOutcomeCount>, kCategoryCount> outcomes{};  // [category][outcome]
  std::array<std::array<CategoryCounts, kCategoryCount>, kTierCount> tiers{};
  std::array<std::uint64_t, kCategoryCount> computations{};  // factory runs
  std::uint64_t single_flight_shared = 0;                     // callers that joined another's computation
  std::uint64_t invalidations = 0;                            // tenant invalidations requested
  std::uint64_t pending_remote_invalidations = 0;             // bumps waiting for Redis to return
  // The intelligent cache (docs/caching.md "Stale values, early refresh, stampedes").
  std::uint64_t stale_failsafe = 0;       // answered with a last-good value because the factory failed
  std::uint64_t stale_revalidate = 0;     // answered with an entry past its TTL while it was refreshed
  std::uint64_t early_refreshes = 0;      // XFetch refreshes started before expiry
  std::uint64_t background_refreshes = 0; // background computations run (SWR, XFetch, refresh-ahead)
  std::uint64_t lock_acquired = 0;        // cross-instance locks taken before computing
  std::uint64_t lock_waits = 0;           // misses that waited for another instance's computation
  std::uint64_t lock_wait_hits = 0;       // ... and got its value from Redis
  std::uint64_t lock_wait_timeouts = 0;   // ... and computed themselves after all
  std::uint64_t refresh_ahead_runs = 0;   // hot keys recomputed after a write

  // Requests answered from a tier or by joining another request's computation, and requests
  // whose own computation answered them (forceRefresh bypasses count in neither).
  std::uint64_t Hits() const;
  std::uint64_t Misses() const;
  double HitRate() const;  // Hits / (Hits + Misses); 0 before any request
};

class CacheStats {
 public:
  void Hit(Tier t, Category c) { Add(Mine().tiers[I(t)][I(c)].hits); }
  void Miss(Tier t, Category c) { Add(Mine().tiers[I(t)][I(c)].misses); }
  void Error(Tier t, Category c) { Add(Mine().tiers[I(t)][I(c)].errors); }
  void Computation(Category c) { Add(Mine().computations[I(c)]); }
  void Invalidation() { Add(Mine().invalidations); }
  void Served(Category c, Outcome o) { Add(Mine().outcomes[I(c)][I(o)]); }
  void StaleFailsafe() { Add(Mine().stale_failsafe); }
  void StaleRevalidate() { Add(Mine().stale_revalidate); }
  void EarlyRefresh() { Add(Mine().early_refreshes); }
  void BackgroundRefresh() { Add(Mine().background_refreshes); }
  void LockAcquired() { Add(Mine().lock_acquired); }
  void LockWait() { Add(Mine().lock_waits); }
  void LockWaitHit() { Add(Mine().lock_wait_hits); }
  void LockWaitTimeout() { Add(Mine().lock_wait_timeouts); }
  void RefreshAheadRun() { Add(Mine().refresh_ahead_runs); }

  StatsSnapshot Snapshot() const;

 private:
  static constexpr std::size_t kStripes = 8;
  using Counter = std::atomic<std::uint64_t>;
  struct AtomicCounts {
    Counter hits{0}, misses{0}, errors{0};
  };
  struct alignas(64) Stripe {
    std::array<std::array<AtomicCounts, kCategoryCount>, kTierCount> tiers;
    std::array<Counter, kCategoryCount> computations{};
    Counter invalidations{0};
    Counter stale_failsafe{0}, stale_revalidate{0}, early_refreshes{0}, background_refreshes{0}, lock_acquired{0},
        lock_waits{0}, lock_wait_hits{0}, lock_wait_timeouts{0}, refresh_ahead_runs{0};
    std::array<std::array<Counter, kOutcomeCount>, kCategoryCount> outcomes{};
  };
  template <typename E>
  static constexpr std::size_t I(E e) { return static_cast<std::size_t>(e); }
  static void Add(Counter& a) { a.fetch_add(1, std::memory_order_relaxed); }
  // This thread's stripe (threads are given stripes round-robin, once).
  Stripe& Mine() { return stripes_[ThreadStripe()]; }
  static std::size_t ThreadStripe();

  std::array<Stripe, kStripes> stripes_;
};

}  // namespace iam::cache
