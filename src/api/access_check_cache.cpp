#include "api/access_check_cache.hpp"

#include "cache/detail/memory_tier_impl.hpp"

namespace iam::cache {
template class BasicMemoryTier<api::RememberedAccess>;
}  // namespace iam::cache

namespace iam::api {

std::size_t ValueBytes(const RememberedAccess& r) {
  return sizeof(RememberedAccess) + r.who.email.size() + r.who.rol.size() + r.who.jti.size();
}

AccessCheckCache::AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes)
    : max_age_(max_age), entries_(max_age.count() > 0 ? max_bytes : 0) {}

std::shared_ptr<const Principal> AccessCheckCache::Get(std::string_view token, std::int64_t now_s,
                                                       cache::CacheClock::time_point not_before) {
  auto found = entries_.Get(token, cache::CacheClock::now(), not_before);
  // One stored before a BumpAll carries an older epoch: no reader accepts it.
  if (!found || found->epoch != epoch() || found->who.expires_s <= now_s) return nullptr;
  const Principal* who = &found->who;
  return std::shared_ptr<const Principal>(std::move(found), who);  // owns the entry, points at its who
}

void AccessCheckCache::Put(std::string_view token, const Principal& who, std::uint64_t epoch) {
  entries_.Put(std::string(token), std::make_shared<const RememberedAccess>(RememberedAccess{who, epoch}),
               cache::CacheClock::now() + max_age_);
}

}  // namespace iam::api
