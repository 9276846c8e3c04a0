// AccessCheckCache: the per-request token check (user state + revocation, store::CheckAccessToken)
// remembered in process for a short while, so an authenticated cache hit costs no database round
// trip. Only passing checks are kept, keyed by (user, jti) and stamped with an epoch: BumpAll()
// (called after any write to users, sessions or tenants, see endpoint.cpp) makes every remembered
// check void at once, and a check that was read before the bump is stored under the old epoch,
// where it is never found. Entries also age out after max_age (the cross-instance bound on
// PostgreSQL; the usuario TTL on SQLite). Byte-bounded (MemoryTier). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cache/memory_tier.hpp"
#include "domain/entities.hpp"
#include "store/session_repository.hpp"

namespace iam::api {

class AccessCheckCache {
 public:
  // max_age 0 or max_bytes 0: nothing is remembered.
  AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes = 2u << 20);

  std::optional<store::AccessCheck> Get(domain::Id user, std::string_view jti);
  // `epoch` is epoch() read before the check was made.
  void Put(domain::Id user, std::string_view jti, const store::AccessCheck& check, std::uint64_t epoch);
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  void BumpAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  std::string Key(domain::Id user, std::string_view jti, std::uint64_t epoch) const;

  std::chrono::milliseconds max_age_;
  cache::MemoryTier entries_;
  std::atomic<std::uint64_t> epoch_{0}, hits_{0}, misses_{0};
};

}  // namespace iam::api
