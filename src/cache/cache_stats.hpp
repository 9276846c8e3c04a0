// CacheStats: lock-free counters of the cache, per tier and category (cache.md guarantee 7), read
// by /auth/admin/cache-stats and /metrics. Counters only grow; Snapshot() copies them.
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
  void Hit(Tier t, Category c) { Add(tiers_[I(t)][I(c)].hits); }
  void Miss(Tier t, Category c) { Add(tiers_[I(t)][I(c)].misses); }
  void Error(Tier t, Category c) { Add(tiers_[I(t)][I(c)].errors); }
  void Computation(Category c) { Add(computations_[I(c)]); }
  void Invalidation() { Add(invalidations_); }
  void Served(Category c, Outcome o) { Add(outcomes_[I(c)][I(o)]); }
  void StaleFailsafe() { Add(stale_failsafe_); }
  void StaleRevalidate() { Add(stale_revalidate_); }
  void EarlyRefresh() { Add(early_refreshes_); }
  void BackgroundRefresh() { Add(background_refreshes_); }
  void LockAcquired() { Add(lock_acquired_); }
  void LockWait() { Add(lock_waits_); }
  void LockWaitHit() { Add(lock_wait_hits_); }
  void LockWaitTimeout() { Add(lock_wait_timeouts_); }
  void RefreshAheadRun() { Add(refresh_ahead_runs_); }

  StatsSnapshot Snapshot() const;

 private:
  struct AtomicCounts {
    std::atomic<std::uint64_t> hits{0}, misses{0}, errors{0};
  };
  template <typename E>
  static constexpr std::size_t I(E e) { return static_cast<std::size_t>(e); }
  static void Add(std::atomic<std::uint64_t>& a) { a.fetch_add(1, std::memory_order_relaxed); }

  std::array<std::array<AtomicCounts, kCategoryCount>, kTierCount> tiers_;
  std::array<std::atomic<std::uint64_t>, kCategoryCount> computations_{};
  std::atomic<std::uint64_t> invalidations_{0};
  std::atomic<std::uint64_t> stale_failsafe_{0}, stale_revalidate_{0}, early_refreshes_{0}, background_refreshes_{0},
      lock_acquired_{0}, lock_waits_{0}, lock_wait_hits_{0}, lock_wait_timeouts_{0}, refresh_ahead_runs_{0};
  std::array<std::array<std::atomic<std::uint64_t>, kOutcomeCount>, kCategoryCount> outcomes_{};
};

}  // namespace iam::cache
