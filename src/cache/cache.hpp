// Cache: cache-aside over two tiers, an in-process MemoryTier (L1) and an optional RemoteTier
// (L2, Redis), for values stored as the serialized JSON the HTTP layer sends.
//
// Invalidation scheme (docs/caching.md): every key embeds a per-tenant generation. L1 keys use
// this process's GenerationTable, L2 keys the generation kept in Redis. Invalidate(tenant) first
// advances the Redis generation, then the local one, so that once it returns no read that starts
// afterwards can reach an entry written before: a computation that started before the write stores
// its (stale) result under the old generation, where nobody looks (the stale-set race is harmless
// by construction). When Redis cannot be told, the tenant is remembered as pending and its L2 is
// neither read nor written until the bump has reached Redis, so entries from before an outage are
// never served after it. No key enumeration, no growing sets: O(1) per write.
//
// Thread-safe; coroutines may call it from any executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cache/cache_stats.hpp"
#include "cache/category.hpp"
#include "cache/generation_table.hpp"
#include "cache/memory_tier.hpp"
#include "cache/remote_tier.hpp"
#include "cache/single_flight.hpp"
#include "domain/entities.hpp"
#include "domain/error.hpp"

namespace iam::cache {

struct CacheOptions {
  std::size_t l1_max_bytes = 16u << 20;
  CacheTtls ttls;
  // The bound on how stale an L1 entry may be served when others may write (0: no bound, one
  // writer). An entry lives its category TTL, but is served only while it is younger than
  // l1_max_age, or while the change feed has confirmed, less than l1_max_age ago, that every change
  // committed up to then has been applied (ConfirmChangesApplied): a write not yet applied is then
  // younger than l1_max_age, so no entry is staler than that either way. An entry's age counts
  // from the start of the read that fetched it (from L2 or the factory), not from when it was
  // stored: a slow computation that began before a write must not extend the window.
  std::chrono::milliseconds l1_max_age{0};
};

struct Served {
  Value body;
  Outcome outcome = Outcome::kMiss;
};

class Cache {
 public:
  using Factory = std::function<boost::asio::awaitable<Result<std::string>>()>;

  // `remote` may be null (no Redis configured: L1 alone); it must outlive the Cache.
  Cache(CacheOptions options, RemoteTier* remote);

  // The value of (category, tenant, variant): from L1, else from L2, else computed by `factory`
  // (once per key in this process however many callers miss together) and stored in both tiers
  // with the category's TTL. force_refresh computes without looking and stores the result
  // (Outcome::kBypass). Errors of the factory are returned and never stored; errors of the tiers
  // only turn into misses. `variant` must hold every parameter the value depends on.
  boost::asio::awaitable<Result<Served>> GetOrSet(Category category, domain::Id tenant, std::string_view variant,
                                                  const Factory& factory, bool force_refresh = false);

  // After a write to the tenant's data has committed, before acknowledging it: every entry of
  // the tenant (all categories, all variants) misses from now on. Never fails.
  boost::asio::awaitable<void> Invalidate(domain::Id tenant);
  // The same for several tenants, and (all_local) every L1 entry of every tenant: used when
  // changes may have been missed (database listener reconnected).
  boost::asio::awaitable<void> InvalidateMany(std::span<const domain::Id> tenants, bool all_local);

  // From the change feed (change_feed.hpp): every change committed before `covered` has been
  // applied (its invalidation done). Monotonic: an older time than one already confirmed is ignored.
  void ConfirmChangesApplied(CacheClock::time_point covered);
  // How far behind the confirmed changes are (now − covered); nullopt before the first confirmation.
  std::optional<std::chrono::milliseconds> ChangeLag() const;
  // The oldest in-process entry a read at `now` may serve (see CacheOptions::l1_max_age); also used
  // by other in-process caches of database state that the change feed keeps exact.
  CacheClock::time_point OldestServable(CacheClock::time_point now) const;

  // Admin clear: the tenant's entries (invalidated, then deleted from Redis), or every entry of
  // this application (scope all). Returns the number of Redis keys deleted.
  boost::asio::awaitable<Result<std::uint64_t>> Clear(std::optional<domain::Id> tenant);

  const CacheStats& stats() const { return stats_; }
  StatsSnapshot Snapshot() const;
  const MemoryTier& l1() const { return l1_; }
  RemoteTier* remote() const { return remote_; }
  bool RemoteConnected() const { return remote_ != nullptr && remote_->Connected(); }
  const CacheTtls& ttls() const { return options_.ttls; }

 private:
  bool RemotePending(domain::Id tenant);
  // Whether this call may use L2 for the tenant: Redis usable and no bump of the tenant pending
  // (pending bumps are retried first).
  boost::asio::awaitable<bool> UseRemote(domain::Id tenant);
  CacheClock::time_point L1Expiry(Category category) const;
  boost::asio::awaitable<bool> FlushPending();
  boost::asio::awaitable<Result<Value>> ComputeAndStore(Category category, domain::Id tenant, std::string_view variant,
                                                        const std::string& l1_key, CacheClock::time_point started,
                                                        const std::optional<std::string>& remote_generation,
                                                        const Factory& factory);
  boost::asio::awaitable<Result<Served>> Refresh(Category category, domain::Id tenant, std::string_view variant,
                                                 const std::string& l1_key, CacheClock::time_point started,
                                                 const Factory& factory);

  CacheOptions options_;
  RemoteTier* remote_;
  MemoryTier l1_;
  GenerationTable generations_;
  SingleFlight flights_;
  CacheStats stats_;
  mutable std::mutex pending_mu_;
  // Tenants whose Redis generation still needs a bump, with the sequence number of the latest
  // failed bump: a flush only forgets a tenant if no newer bump failed meanwhile.
  std::unordered_map<domain::Id, std::uint64_t> pending_;
  std::uint64_t pending_seq_ = 0;
  // ConfirmChangesApplied's latest `covered`, as CacheClock ticks since its epoch (min: never).
  std::atomic<CacheClock::rep> covered_{std::numeric_limits<CacheClock::rep>::min()};
};

}  // namespace iam::cache
