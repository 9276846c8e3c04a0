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
  std::array<std::array<std::atomic<std::uint64_t>, kOutcomeCount>, kCategoryCount> outcomes_{};
};

}  // namespace iam::cache
