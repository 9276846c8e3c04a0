// AccessCheckCache: the per-request authentication (JWT verification, then the user's state and
// the token's revocation in the database) remembered in process for a short while, so an
// authenticated cache hit costs neither a signature check nor a database round trip. Only
// successful authentications are kept, keyed by the exact token string (a forged or altered
// token never matches), as the Principal itself (a hit parses nothing; Get shares the stored one),
// and stamped with an epoch: BumpAll() (after any write to users, sessions or tenants, see
// endpoint.cpp) voids every remembered one at once, and one made before the bump
// carries the old epoch, which no reader accepts. Entries live at most max_age and never
// past the token's own expiry, and a reader may refuse older ones (`not_before`: on PostgreSQL the
// cache's OldestServable, which the change feed's heartbeats and "auth" notifications keep
// exact). Byte-bounded (BasicMemoryTier<RememberedAccess>, instantiated in access_check_cache.cpp).
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/principal.hpp"
#include "cache/memory_tier.hpp"

namespace iam::api {

// What AccessCheckCache stores per token.
struct RememberedAccess {
  Principal who;
  std::uint64_t epoch = 0;
};
std::size_t ValueBytes(const RememberedAccess& r);  // charged against the byte budget

}  // namespace iam::api

namespace iam::cache {
extern template class BasicMemoryTier<api::RememberedAccess>;
}  // namespace iam::cache

namespace iam::api {

class AccessCheckCache {
 public:
  // max_age 0 or max_bytes 0: nothing is remembered.
  explicit AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes = 8u << 20);

  // The principal of `token` if it authenticated within max_age, no BumpAll since, and the token
  // has not expired at `now_s`.
  // Null otherwise. Shared with the cache (immutable): valid for as long as the caller holds it.
  std::shared_ptr<const Principal> Get(std::string_view token, std::int64_t now_s,
                                       cache::CacheClock::time_point not_before = cache::CacheClock::time_point::min());
  // `epoch` is epoch() read before the authentication began.
  void Put(std::string_view token, const Principal& who, std::uint64_t epoch);
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  void BumpAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::chrono::milliseconds max_age_;
  cache::BasicMemoryTier<RememberedAccess> entries_;
  std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace iam::api
