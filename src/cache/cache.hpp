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
// Beyond exactness (docs/caching.md "Stale values, early refresh, stampedes"), all optional:
// * fail-safe: when the factory fails with kUnavailable/kInternal (database down, timeout), the
//   last good value of the same (category, tenant, variant) is served as Outcome::kStale if it is
//   younger than failsafe_max_age, whatever generation it was read under. This is the one place
//   where read-your-writes yields, and only while the database is failing.
// * stale-while-revalidate: an L1 entry of the CURRENT generation past its TTL (and within
//   swr_window) is served as kStale while one background computation refreshes it. Never an entry
//   of an older generation: invalidation stays exact.
// * XFetch early refresh of L1 hits (xfetch.hpp), in the background.
// * cross-instance stampede lock in L2 (RemoteTier::TryLock) around a computation.
// * refresh-ahead: after Invalidate(tenant), the tenant's hot keys are recomputed in the
//   background, debounced.
// Background work needs an owning factory (GetOrSet's `background`), safe to call after the request
// is gone; without one, none of these run for that read. Background tasks run on the executor of
// the call that started them; the Cache must outlive them (BackgroundInFlight()).
//
// Thread-safe; coroutines may call it from any executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

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

  // Fail-safe: how old a last good value may be to answer for a failing factory (0: off).
  std::chrono::seconds failsafe_max_age{0};
  // Stale-while-revalidate: how long past its TTL an L1 entry may answer while refreshed (0: off).
  std::chrono::seconds swr_window{0};
  // XFetch beta for early refresh of L1 hits (0: off; 1 as in the paper).
  double xfetch_beta = 0;
  // Random source in (0, 1] for XFetch (null: XFetchUniform).
  std::function<double()> random;
  // Cross-instance stampede lock: held at most this long; a miss that finds it taken polls L2 for
  // the holder's value for up to this long, then computes itself (0: off).
  std::chrono::milliseconds lock_ttl{0};
  // Refresh-ahead: keys read at least this many times in the last minute are recomputed after a
  // write to their tenant (0: off), refresh_ahead_debounce after the last write of a burst.
  int refresh_ahead_min_reads = 0;
  std::chrono::milliseconds refresh_ahead_debounce{200};
  // Keys remembered for refresh-ahead, per shard of the registry (LRU; kHotShards shards by
  // tenant, so at most kHotShards times this many in all).
  std::size_t refresh_ahead_capacity = 128;
  // L2 starts closed: neither read nor written until SetRemoteOpen(true) (invalidations still reach it).
  // For start-up, while it is not yet known whether a predecessor died with invalidations that
  // never reached Redis (instance_registry.hpp).
  bool remote_starts_closed = false;
};

inline constexpr std::size_t kHotShards = 8;  // shards of the refresh-ahead registry

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
  // `background`: the same computation as an owning factory (it captures by value what it needs, so
  // the cache may call it after this call returned); enables stale-while-revalidate, early refresh
  // and refresh-ahead for this key. Empty: the value is always computed within the call.
  boost::asio::awaitable<Result<Served>> GetOrSet(Category category, domain::Id tenant, std::string_view variant,
                                                  const Factory& factory, bool force_refresh = false,
                                                  const Factory& background = NoBackground());
  // GetOrSet's answer when L1 alone gives it (a hit, or a stale value served while `background`
  // refreshes it on `ex`), without a coroutine: the hot path of a cached read. nullopt: call
  // GetOrSet (it counts the read then; a call that returns a value has counted it).
  std::optional<Served> TryL1(const boost::asio::any_io_executor& ex, Category category, domain::Id tenant,
                              std::string_view variant, const Factory& background = NoBackground());
  // The empty factory, in static storage: a defaulted `background` must not be a temporary, which
  // would die before a GetOrSet awaitable created in one expression and awaited later runs.
  static const Factory& NoBackground();

  // After a write to the tenant's data has committed, before acknowledging it: every entry of
  // the tenant (all categories, all variants) misses from now on. Never fails. Schedules the
  // refresh-ahead of the tenant's hot keys (CacheOptions::refresh_ahead_min_reads).
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

  // Lets reads and stores use L2, or stops them (see CacheOptions::remote_starts_closed);
  // invalidations reach it either way.
  void SetRemoteOpen(bool open) { remote_open_.store(open, std::memory_order_release); }
  // Pushes the bumps remembered during a Redis outage; true when none is left. Until then the
  // pending tenants' L2 is skipped (a clean stop needs none left).
  boost::asio::awaitable<bool> FlushPending();

  // Admin clear: the tenant's entries (invalidated, then deleted from Redis), or every entry of
  // this application (scope all). Returns the number of Redis keys deleted.
  boost::asio::awaitable<Result<std::uint64_t>> Clear(std::optional<domain::Id> tenant);

  const CacheStats& stats() const { return stats_; }
  StatsSnapshot Snapshot() const;
  const MemoryTier& l1() const { return l1_; }
  RemoteTier* remote() const { return remote_; }
  bool RemoteConnected() const { return remote_ != nullptr && remote_->Connected(); }
  const CacheTtls& ttls() const { return options_.ttls; }
  const CacheOptions& options() const { return options_; }
  // Background computations started and not finished (tests wait for 0 before tearing down).
  int BackgroundInFlight() const { return background_.load(std::memory_order_acquire); }

 private:
  bool RemotePending(domain::Id tenant);
  // Whether this call may use L2 for the tenant: Redis usable and no bump of the tenant pending
  // (pending bumps are retried first).
  boost::asio::awaitable<bool> UseRemote(domain::Id tenant);
  CacheClock::time_point L1Expiry(Category category) const;
  boost::asio::awaitable<Result<Value>> ComputeAndStore(Category category, domain::Id tenant, std::string_view variant,
                                                        const std::string& l1_key, CacheClock::time_point started,
                                                        const std::optional<std::string>& remote_generation,
                                                        const Factory& factory);
  // The leader's path after an L1 miss: L2 (when read_l2), the stampede lock, the factory.
  boost::asio::awaitable<Result<Value>> Lead(Category category, domain::Id tenant, std::string_view variant,
                                             const std::string& l1_key, CacheClock::time_point started,
                                             const Factory& factory, bool read_l2, Outcome& outcome);
  enum class Waited { kValue, kLockTaken, kGaveUp };
  // Another instance holds the lock: poll L2 for its value, or take the lock once it is free.
  boost::asio::awaitable<Value> ValueStoredBeforeLock(Category category, domain::Id tenant, std::string_view variant,
                                                      const std::string& generation, const std::string& token);
  boost::asio::awaitable<Waited> WaitForHolder(Category category, domain::Id tenant, std::string_view variant,
                                               const std::string& generation, const std::string& token,
                                               Value& value);
  void PutL1(const std::string& l1_key, Category category, domain::Id tenant, std::string_view variant,
             const Value& v, CacheClock::time_point started, CacheClock::duration compute_time);
  std::string LastGoodKey(Category category, domain::Id tenant, std::string_view variant) const;
  // "<category>:<tenant>:<epoch>.<generation>:<variant>": the L1 key under the tenant's current
  // local generation.
  std::string L1Key(Category category, domain::Id tenant, std::string_view variant) const;
  void AppendL1Key(std::string& out, Category category, domain::Id tenant, std::string_view variant) const;
  // "<category>:<tenant>:<variant>": a key of the refresh-ahead registry (no generation).
  static std::string HotKeyText(Category category, domain::Id tenant, std::string_view variant);
  Value FailSafe(Category category, domain::Id tenant, std::string_view variant, const Error& error);
  double Uniform() const;
  // Starts one background recomputation of l1_key (none if one is running already).
  void SpawnRefresh(const boost::asio::any_io_executor& ex, Category category, domain::Id tenant, std::string variant,
                    std::string l1_key, Factory factory);
  boost::asio::awaitable<void> BackgroundRefresh(Category category, domain::Id tenant, std::string variant,
                                                 std::string l1_key, Factory factory);
  // The L1 part of GetOrSet for l1_key at `now` (the read already noted).
  std::optional<Served> ServeFromL1(const boost::asio::any_io_executor& ex, Category category, domain::Id tenant,
                                    std::string_view variant, const std::string& l1_key, CacheClock::time_point now,
                                    const Factory& background);
  // Refresh-ahead registry.
  void NoteRead(Category category, domain::Id tenant, std::string_view variant, const Factory& background,
                CacheClock::time_point now);
  void ScheduleRefreshAhead(const boost::asio::any_io_executor& ex, domain::Id tenant);
  boost::asio::awaitable<void> RefreshAhead(domain::Id tenant);
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

  std::atomic<int> background_{0};
  std::atomic<std::uint64_t> lock_tokens_{0};
  std::atomic<bool> remote_open_;
  const std::string instance_id_;  // random, distinguishes this process's lock tokens
  const std::uint64_t memo_owner_;  // process-unique: this Cache's slots in NoteRead's hot-read memo
  std::mutex refreshing_mu_;
  std::unordered_set<std::string> refreshing_;  // l1 keys with a background refresh running

  struct HotKey {
    Category category;
    domain::Id tenant;
    std::string variant;
    Factory factory;
    CacheClock::time_point window_start;
    int reads = 0;
  };
  // The refresh-ahead registry, sharded by tenant: every read notes itself in it, and one lock
  // for all would be taken by every I/O thread on every request.
  struct HotShard {
    std::mutex mu;
    std::list<HotKey> lru;  // front: most recently read
    std::unordered_map<std::string, std::list<HotKey>::iterator> index;
    std::unordered_map<domain::Id, int> per_tenant;  // registry entries per tenant
    std::atomic<std::uint64_t> front_moves{0};       // notes so far (each moves a key to the front)
  };
  HotShard& HotShardOf(domain::Id tenant) { return hot_[static_cast<std::uint64_t>(tenant) % hot_.size()]; }
  std::array<HotShard, kHotShards> hot_;
  std::mutex ahead_mu_;
  std::unordered_map<domain::Id, CacheClock::time_point> ahead_due_;  // tenant -> last write (debounce)
};

}  // namespace iam::cache
