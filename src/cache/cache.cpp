#include "cache/cache.hpp"

#include "cache/xfetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/container_hash/hash.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <exception>
#include <random>
#include <vector>

namespace iam::cache {

namespace asio = boost::asio;

namespace {

std::string RandomInstanceId() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

// The hot-read memo of NoteRead: per thread, a direct-mapped table of keys found hot, each valid
// for its owner (a Cache, by a process-unique number), until a time, and while its registry shard
// has moved fewer than capacity/2 keys to the front since. A collision only overwrites a slot (the
// key is then noted again).
struct HotMemoSlot {
  std::uint64_t owner = 0;
  std::uint64_t key_hash = 0;
  std::uint64_t shard_front_moves = 0;
  CacheClock::time_point until{};
};
constexpr std::size_t kHotMemoSlots = 4096;  // 128 KiB a thread
constexpr auto kHotMemoFor = std::chrono::seconds(1);  // how stale the registry's recency may get
thread_local std::array<HotMemoSlot, kHotMemoSlots> hot_memo{};
std::atomic<std::uint64_t> hot_memo_owners{0};

std::uint64_t HotMemoHash(Category category, domain::Id tenant, std::string_view variant) {
  std::size_t h = std::hash<std::string_view>{}(variant);
  boost::hash_combine(h, tenant);
  boost::hash_combine(h, static_cast<int>(category));
  return h;
}

}  // namespace

Cache::Cache(CacheOptions options, RemoteTier* remote)
    : options_(std::move(options)), remote_(remote), l1_(options_.l1_max_bytes),
      remote_open_(!options_.remote_starts_closed),
      instance_id_(RandomInstanceId()),
      memo_owner_(hot_memo_owners.fetch_add(1, std::memory_order_relaxed) + 1) {}

CacheClock::time_point Cache::L1Expiry(Category category) const {
  return CacheClock::now() + options_.ttls.For(category);
}

CacheClock::time_point Cache::OldestServable(CacheClock::time_point now) const {
  if (options_.l1_max_age.count() <= 0) return CacheClock::time_point::min();
  const CacheClock::rep covered = covered_.load(std::memory_order_acquire);
  if (covered != std::numeric_limits<CacheClock::rep>::min() &&
      now - CacheClock::time_point(CacheClock::duration(covered)) <= options_.l1_max_age)
    return CacheClock::time_point::min();  // every change older than l1_max_age is applied
  return now - options_.l1_max_age;
}

void Cache::ConfirmChangesApplied(CacheClock::time_point covered) {
  const CacheClock::rep ticks = covered.time_since_epoch().count();
  CacheClock::rep seen = covered_.load(std::memory_order_relaxed);
  while (seen < ticks && !covered_.compare_exchange_weak(seen, ticks, std::memory_order_release)) {
  }
}

std::optional<std::chrono::milliseconds> Cache::ChangeLag() const {
  const CacheClock::rep covered = covered_.load(std::memory_order_acquire);
  if (covered == std::numeric_limits<CacheClock::rep>::min()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(CacheClock::now() -
                                                               CacheClock::time_point(CacheClock::duration(covered)));
}

StatsSnapshot Cache::Snapshot() const {
  StatsSnapshot s = stats_.Snapshot();
  s.single_flight_shared = flights_.shared_count();
  {
    std::lock_guard lock(pending_mu_);
    s.pending_remote_invalidations = pending_.size();
  }
  return s;
}

bool Cache::RemotePending(domain::Id tenant) {
  std::lock_guard lock(pending_mu_);
  return pending_.contains(tenant);
}

// Pushes the remembered bumps to Redis; true when none is left. Until then the pending tenants'
// L2 is skipped, so an entry written before the outage can never be read after it.
asio::awaitable<bool> Cache::FlushPending() {
  std::vector<std::pair<domain::Id, std::uint64_t>> marks;
  {
    std::lock_guard lock(pending_mu_);
    if (pending_.empty()) co_return true;
    marks.assign(pending_.begin(), pending_.end());
  }
  std::vector<domain::Id> tenants;
  tenants.reserve(marks.size());
  for (const auto& m : marks) tenants.push_back(m.first);
  auto r = co_await remote_->Invalidate(tenants);
  if (!r) co_return false;
  std::lock_guard lock(pending_mu_);
  for (const auto& [t, seq] : marks)
    if (auto it = pending_.find(t); it != pending_.end() && it->second == seq) pending_.erase(it);
  co_return pending_.empty();
}

asio::awaitable<bool> Cache::UseRemote(domain::Id tenant) {
  if (remote_ == nullptr || !remote_open_.load(std::memory_order_acquire)) co_return false;
  co_await FlushPending();
  co_return !RemotePending(tenant);
}

const Cache::Factory& Cache::NoBackground() {
  static const Factory none;
  return none;
}

std::string Cache::LastGoodKey(Category category, domain::Id tenant, std::string_view variant) const {
  // No generation: the last good value survives invalidations (fail-safe only; see FailSafe).
  return fmt::format("lastgood|{}:{}:{}", CategoryName(category), tenant, variant);
}

namespace {
// "<category>:<tenant>:" (of HotKeyText and L1Key), built by hand: it runs on every read.
void AppendCategoryTenant(std::string& out, Category category, domain::Id tenant) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, tenant).ptr;
  out.append(CategoryName(category)).append(1, ':').append(digits, end).append(1, ':');
}
}  // namespace

std::string Cache::L1Key(Category category, domain::Id tenant, std::string_view variant) const {
  std::string key;
  key.reserve(CategoryName(category).size() + variant.size() + 48);
  AppendL1Key(key, category, tenant, variant);
  return key;
}

void Cache::AppendL1Key(std::string& out, Category category, domain::Id tenant, std::string_view variant) const {
  AppendCategoryTenant(out, category, tenant);
  generations_.AppendStamp(out, tenant);
  out.append(1, ':').append(variant);
}

std::string Cache::HotKeyText(Category category, domain::Id tenant, std::string_view variant) {
  std::string key;
  key.reserve(CategoryName(category).size() + variant.size() + 24);
  AppendCategoryTenant(key, category, tenant);
  key.append(variant);
  return key;
}

double Cache::Uniform() const { return options_.random ? options_.random() : XFetchUniform(); }

void Cache::PutL1(const std::string& l1_key, Category category, domain::Id tenant, std::string_view variant,
                  const Value& v, CacheClock::time_point started, CacheClock::duration compute_time) {
  const CacheClock::time_point soft = L1Expiry(category);
  l1_.Put(l1_key, v, soft + options_.swr_window, started, {.soft_expires_at = soft, .compute_time = compute_time});
  if (options_.failsafe_max_age.count() > 0)
    l1_.PutIfNewer(LastGoodKey(category, tenant, variant), v, started + options_.failsafe_max_age, started);
}

// Fail-safe: a failing database (kUnavailable: down, timeout, pool exhausted; kInternal: a thrown
// or unexpected failure) is answered with the last good value when it is recent enough. Domain
// errors (404, 409, 400...) are answers of the database and are returned as they are.
Value Cache::FailSafe(Category category, domain::Id tenant, std::string_view variant, const Error& error) {
  if (options_.failsafe_max_age.count() <= 0) return nullptr;
  if (error.kind != ErrorKind::kUnavailable && error.kind != ErrorKind::kInternal) return nullptr;
  Value v = l1_.Get(LastGoodKey(category, tenant, variant), CacheClock::now());
  if (v) stats_.StaleFailsafe();
  return v;
}

std::optional<Served> Cache::TryL1(const asio::any_io_executor& ex, Category category, domain::Id tenant,
                                   std::string_view variant, const Factory& background) {
  if (l1_.max_bytes() == 0) return std::nullopt;  // no L1 (L2 only): GetOrSet builds the key once
  // Built in a per-thread buffer (no allocation per hit); nothing below keeps a view of it.
  thread_local std::string l1_key;
  l1_key.clear();
  AppendL1Key(l1_key, category, tenant, variant);
  const CacheClock::time_point now = CacheClock::now();
  auto served = ServeFromL1(ex, category, tenant, variant, l1_key, now, background);
  if (served && background) NoteRead(category, tenant, variant, background, now);
  return served;
}

std::optional<Served> Cache::ServeFromL1(const asio::any_io_executor& ex, Category category, domain::Id tenant,
                                         std::string_view variant, const std::string& l1_key,
                                         CacheClock::time_point now, const Factory& background) {
  // Under l1_key, so of the current generation: past its TTL it is at worst "expired", never
  // "invalidated" (stale-while-revalidate must not weaken read-your-writes).
  auto found = l1_.Find(l1_key, now, OldestServable(now));
  if (!found) return std::nullopt;
  if (now < found->soft_expires_at) {
    if (background && options_.xfetch_beta > 0 &&
        XFetchRefreshDue(now, found->soft_expires_at, found->compute_time, options_.xfetch_beta, Uniform())) {
      stats_.EarlyRefresh();
      SpawnRefresh(ex, category, tenant, std::string(variant), l1_key, background);
    }
    stats_.Hit(Tier::kL1, category);
    stats_.Served(category, Outcome::kHitL1);
    return Served{std::move(found->value), Outcome::kHitL1};
  }
  if (background && options_.swr_window.count() > 0) {
    stats_.StaleRevalidate();
    SpawnRefresh(ex, category, tenant, std::string(variant), l1_key, background);
    stats_.Served(category, Outcome::kStale);
    return Served{std::move(found->value), Outcome::kStale};
  }
  return std::nullopt;  // past its TTL and nobody to refresh it in the background: a miss
}

asio::awaitable<Result<Served>> Cache::GetOrSet(Category category, domain::Id tenant, std::string_view variant,
                                                const Factory& factory, bool force_refresh, const Factory& background) {
  // The local generation is read before anything else: whatever this call stores is keyed by it,
  // so an Invalidate that lands while it runs makes the result unreachable.
  const std::string l1_key = L1Key(category, tenant, variant);
  // What this call stores in L1 is as old as this moment (CacheOptions::l1_max_age).
  const CacheClock::time_point started = CacheClock::now();
  if (background) NoteRead(category, tenant, variant, background, started);
  if (force_refresh) {
    stats_.Served(category, Outcome::kBypass);
    auto r = co_await Refresh(category, tenant, variant, l1_key, started, factory);
    if (!r) co_return Fail(r.error());
    r->outcome = Outcome::kBypass;
    co_return r;
  }
  if (auto served = ServeFromL1(co_await asio::this_coro::executor, category, tenant, variant, l1_key, started,
                                background))
    co_return std::move(*served);
  stats_.Miss(Tier::kL1, category);

  Outcome leader_outcome = Outcome::kMiss;
  const SingleFlight::Factory lead = [&]() -> asio::awaitable<Result<Value>> {
    co_return co_await Lead(category, tenant, variant, l1_key, started, factory, true, leader_outcome);
  };
  auto outcome = co_await flights_.Do(l1_key, lead);
  if (!outcome.value) {
    if (Value last_good = FailSafe(category, tenant, variant, outcome.value.error())) {
      stats_.Served(category, Outcome::kStale);
      co_return Served{std::move(last_good), Outcome::kStale};
    }
    co_return Fail(outcome.value.error());
  }
  const Outcome served = outcome.shared ? Outcome::kShared : leader_outcome;
  stats_.Served(category, served);
  co_return Served{std::move(*outcome.value), served};
}

asio::awaitable<Result<Value>> Cache::Lead(Category category, domain::Id tenant, std::string_view variant,
                                           const std::string& l1_key, CacheClock::time_point started,
                                           const Factory& factory, bool read_l2, Outcome& outcome) {
  // Look in L2 first (also under the flight, so N local misses cost one Redis round trip).
  std::optional<std::string> remote_generation;
  if (co_await UseRemote(tenant)) {
    auto found = co_await remote_->Get(tenant, category, variant);
    if (found) {
      remote_generation = std::move(found->generation);
      if (read_l2 && found->value) {
        stats_.Hit(Tier::kL2, category);
        outcome = Outcome::kHitL2;
        PutL1(l1_key, category, tenant, variant, found->value, started, {});
        co_return found->value;
      }
      if (read_l2) stats_.Miss(Tier::kL2, category);
    } else {
      stats_.Error(Tier::kL2, category);
    }
  }
  // Cross-instance stampede protection: one instance computes, the others wait for its value.
  std::string token;
  bool locked = false;
  if (remote_generation && read_l2 && options_.lock_ttl.count() > 0) {
    token = fmt::format("{}-{}", instance_id_, lock_tokens_.fetch_add(1, std::memory_order_relaxed));
    auto taken = co_await remote_->TryLock(tenant, category, *remote_generation, variant, token, options_.lock_ttl);
    if (taken && *taken) {
      locked = true;
      stats_.LockAcquired();
      if (Value v = co_await ValueStoredBeforeLock(category, tenant, variant, *remote_generation, token)) {
        stats_.Hit(Tier::kL2, category);
        outcome = Outcome::kHitL2;
        PutL1(l1_key, category, tenant, variant, v, started, {});
        co_return v;
      }
    } else if (taken) {
      stats_.LockWait();
      Value v;
      switch (co_await WaitForHolder(category, tenant, variant, *remote_generation, token, v)) {
        case Waited::kValue:
          stats_.LockWaitHit();
          stats_.Hit(Tier::kL2, category);
          outcome = Outcome::kHitL2;
          PutL1(l1_key, category, tenant, variant, v, started, {});
          co_return v;
        case Waited::kLockTaken:
          locked = true;
          stats_.LockAcquired();
          break;
        case Waited::kGaveUp: stats_.LockWaitTimeout(); break;
      }
    }  // else Redis failed: compute without a lock
  }
  auto v = co_await ComputeAndStore(category, tenant, variant, l1_key, started, remote_generation, factory);
  if (locked) co_await remote_->Unlock(tenant, category, *remote_generation, variant, token);
  co_return v;
}

// Polls L2 with a growing back-off, for up to lock_ttl: the holder's value (kValue), or the lock
// once the holder released it without a value (its factory failed) or it expired (kLockTaken).
// Any Redis failure gives up at once: the caller computes (never waits on a Redis that is away).
asio::awaitable<Cache::Waited> Cache::WaitForHolder(Category category, domain::Id tenant, std::string_view variant,
                                                    const std::string& generation, const std::string& token,
                                                    Value& value) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = CacheClock::now() + options_.lock_ttl;
  auto pause = std::chrono::milliseconds(2);
  while (CacheClock::now() < deadline) {
    timer.expires_after(std::min<CacheClock::duration>(pause, deadline - CacheClock::now()));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    pause = std::min(pause * 2, std::chrono::milliseconds(25));
    auto found = co_await remote_->Get(tenant, category, variant);
    if (!found) co_return Waited::kGaveUp;
    if (found->value) {
      value = std::move(found->value);
      co_return Waited::kValue;
    }
    if (found->generation != generation) co_return Waited::kGaveUp;  // invalidated meanwhile
    auto taken = co_await remote_->TryLock(tenant, category, generation, variant, token, options_.lock_ttl);
    if (!taken) co_return Waited::kGaveUp;
    if (*taken) {
      value = co_await ValueStoredBeforeLock(category, tenant, variant, generation, token);
      co_return value ? Waited::kValue : Waited::kLockTaken;
    }
  }
  co_return Waited::kGaveUp;
}

// Just after taking the lock: another instance may have computed, stored and released between
// this one's L2 miss and the lock (a holder stores before it releases), so one more lookup sees
// its value if there is one. With a value, the lock is released at once.
asio::awaitable<Value> Cache::ValueStoredBeforeLock(Category category, domain::Id tenant, std::string_view variant,
                                                    const std::string& generation, const std::string& token) {
  auto again = co_await remote_->Get(tenant, category, variant);
  if (!again || !again->value) co_return nullptr;
  co_await remote_->Unlock(tenant, category, generation, variant, token);
  co_return std::move(again->value);
}

// Runs the factory and stores its value: in L1 under `l1_key`, in L2 under `remote_generation`
// when L2 was consulted. A throwing factory is a 500, never an escaping exception.
asio::awaitable<Result<Value>> Cache::ComputeAndStore(Category category, domain::Id tenant, std::string_view variant,
                                                      const std::string& l1_key, CacheClock::time_point started,
                                                      const std::optional<std::string>& remote_generation,
                                                      const Factory& factory) {
  stats_.Computation(category);
  std::optional<Result<std::string>> computed;
  const CacheClock::time_point began = CacheClock::now();
  try {
    computed.emplace(co_await factory());
  } catch (...) {
    computed.emplace(Fail(Error::Internal()));
  }
  if (!*computed) co_return Fail(computed->error());
  Value v = std::make_shared<const std::string>(std::move(**computed));
  PutL1(l1_key, category, tenant, variant, v, started, CacheClock::now() - began);
  if (remote_generation) {
    auto put = co_await remote_->Put(tenant, category, *remote_generation, variant, *v, options_.ttls.For(category));
    if (!put) stats_.Error(Tier::kL2, category);
  }
  co_return v;
}

// forceRefresh: compute now and replace the stored value (L1 under the generation read at the
// start; L2 under the generation Redis reports before the computation).
asio::awaitable<Result<Served>> Cache::Refresh(Category category, domain::Id tenant, std::string_view variant,
                                               const std::string& l1_key, CacheClock::time_point started,
                                               const Factory& factory) {
  std::optional<std::string> remote_generation;
  if (co_await UseRemote(tenant)) {
    auto found = co_await remote_->Get(tenant, category, variant);
    if (found) remote_generation = std::move(found->generation);
    else stats_.Error(Tier::kL2, category);
  }
  auto v = co_await ComputeAndStore(category, tenant, variant, l1_key, started, remote_generation, factory);
  if (!v) co_return Fail(v.error());
  co_return Served{std::move(*v), Outcome::kBypass};
}

// ---------------------------------------------------------------- background work

void Cache::SpawnRefresh(const asio::any_io_executor& ex, Category category, domain::Id tenant, std::string variant,
                         std::string l1_key, Factory factory) {
  {
    std::lock_guard lock(refreshing_mu_);
    if (!refreshing_.insert(l1_key).second) return;
  }
  background_.fetch_add(1, std::memory_order_acq_rel);
  asio::co_spawn(ex, BackgroundRefresh(category, tenant, std::move(variant), std::move(l1_key), std::move(factory)),
                 [this](const std::exception_ptr&) { background_.fetch_sub(1, std::memory_order_acq_rel); });
}

// Recomputes under the single-flight of l1_key (so foreground misses join it) and stores in both
// tiers; does not read L2's value (it may be as old as the L1 entry being refreshed). Errors are
// dropped: the entry keeps answering until it expires, and the next read tries again.
asio::awaitable<void> Cache::BackgroundRefresh(Category category, domain::Id tenant, std::string variant,
                                               std::string l1_key, Factory factory) {
  stats_.BackgroundRefresh();
  const CacheClock::time_point started = CacheClock::now();
  Outcome ignored = Outcome::kMiss;
  const SingleFlight::Factory lead = [&]() -> asio::awaitable<Result<Value>> {
    co_return co_await Lead(category, tenant, variant, l1_key, started, factory, false, ignored);
  };
  try {
    co_await flights_.Do(l1_key, lead);
  } catch (...) {
  }
  std::lock_guard lock(refreshing_mu_);
  refreshing_.erase(l1_key);
}

// Counts reads per key in a one-minute window; remembers the key's owning factory (bounded LRU).
// A read of a key that has its min_reads in the current window changes nothing refresh-ahead
// decides on (the count matters only up to min_reads, and the window restarts only once it has
// ended) but the key's recency in the LRU. So a thread that finds a key hot remembers it (the hot-
// read memo above) and skips the registry for that key's reads for up to kHotMemoFor, never past
// the window's end, and only while fewer than capacity/2 keys of its shard have moved to the front
// since the key last did (so it is still in the front half): a hot key's read costs a hash and a
// thread-local slot instead of a lock, a string and two map lookups. What that changes: the
// registry forgets a key once capacity/2 other keys (not capacity - 1, as an exact LRU would) have
// been noted since its last read that was not skipped.
void Cache::NoteRead(Category category, domain::Id tenant, std::string_view variant, const Factory& background,
                     CacheClock::time_point now) {
  if (options_.refresh_ahead_min_reads <= 0 || options_.refresh_ahead_capacity == 0) return;
  HotShard& shard = HotShardOf(tenant);
  const std::uint64_t memo_hash = HotMemoHash(category, tenant, variant);
  HotMemoSlot& memo = hot_memo[memo_hash % kHotMemoSlots];
  if (memo.owner == memo_owner_ && memo.key_hash == memo_hash && now < memo.until &&
      shard.front_moves.load(std::memory_order_acquire) - memo.shard_front_moves < options_.refresh_ahead_capacity / 2)
    return;
  std::string key = HotKeyText(category, tenant, variant);
  std::lock_guard lock(shard.mu);
  const auto remember_if_hot = [&](const HotKey& h) {
    if (h.reads >= options_.refresh_ahead_min_reads)
      memo = {.owner = memo_owner_,
              .key_hash = memo_hash,
              .shard_front_moves = shard.front_moves.load(std::memory_order_relaxed),
              .until = std::min(now + kHotMemoFor, h.window_start + std::chrono::minutes(1))};
  };
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    HotKey& h = *it->second;
    if (now - h.window_start > std::chrono::minutes(1)) {
      h.window_start = now;
      h.reads = 0;
    }
    ++h.reads;
    if (it->second != shard.lru.begin()) shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    shard.front_moves.fetch_add(1, std::memory_order_release);
    remember_if_hot(h);
    return;
  }
  if (shard.lru.size() >= options_.refresh_ahead_capacity) {
    auto last = std::prev(shard.lru.end());
    if (--shard.per_tenant[last->tenant] <= 0) shard.per_tenant.erase(last->tenant);
    shard.index.erase(HotKeyText(last->category, last->tenant, last->variant));
    shard.lru.erase(last);
  }
  shard.lru.push_front(HotKey{category, tenant, std::string(variant), background, now, 1});
  shard.index.emplace(std::move(key), shard.lru.begin());
  ++shard.per_tenant[tenant];
  shard.front_moves.fetch_add(1, std::memory_order_release);
  remember_if_hot(shard.lru.front());
}

// Debounced: a burst of writes to one tenant is followed by one refresh, refresh_ahead_debounce
// after its last write. O(1) here; the work happens in RefreshAhead.
void Cache::ScheduleRefreshAhead(const asio::any_io_executor& ex, domain::Id tenant) {
  if (options_.refresh_ahead_min_reads <= 0) return;
  {
    HotShard& shard = HotShardOf(tenant);
    std::lock_guard lock(shard.mu);
    if (!shard.per_tenant.contains(tenant)) return;
  }
  {
    std::lock_guard lock(ahead_mu_);
    auto [it, first] = ahead_due_.insert_or_assign(tenant, CacheClock::now());
    if (!first) return;  // a refresh of the tenant is already waiting: it now waits longer
  }
  background_.fetch_add(1, std::memory_order_acq_rel);
  asio::co_spawn(ex, RefreshAhead(tenant),
                 [this](const std::exception_ptr&) { background_.fetch_sub(1, std::memory_order_acq_rel); });
}

asio::awaitable<void> Cache::RefreshAhead(domain::Id tenant) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  struct Job {
    Category category;
    std::string variant;
    Factory factory;
  };
  std::vector<Job> jobs;
  for (;;) {
    CacheClock::time_point due;
    bool ready = false;
    {
      std::lock_guard lock(ahead_mu_);
      due = ahead_due_.at(tenant) + options_.refresh_ahead_debounce;
      if (CacheClock::now() >= due) {
        ahead_due_.erase(tenant);
        ready = true;
      }
    }
    if (ready) {
      HotShard& shard = HotShardOf(tenant);
      std::lock_guard lock(shard.mu);
      const CacheClock::time_point now = CacheClock::now();
      for (const HotKey& h : shard.lru)
        if (h.tenant == tenant && now - h.window_start <= std::chrono::minutes(1) &&
            h.reads >= options_.refresh_ahead_min_reads)
          jobs.push_back({h.category, h.variant, h.factory});
      break;
    }
    timer.expires_at(due);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // One after the other: a burst of hot keys must not take every database connection at once.
  for (Job& job : jobs) {
    stats_.RefreshAheadRun();
    std::string l1_key = L1Key(job.category, tenant, job.variant);
    {
      std::lock_guard lock(refreshing_mu_);
      if (!refreshing_.insert(l1_key).second) continue;
    }
    co_await BackgroundRefresh(job.category, tenant, std::move(job.variant), std::move(l1_key), std::move(job.factory));
  }
}

asio::awaitable<void> Cache::Invalidate(domain::Id tenant) {
  const domain::Id one[] = {tenant};
  co_await InvalidateMany(one, false);
  ScheduleRefreshAhead(co_await asio::this_coro::executor, tenant);
}

asio::awaitable<void> Cache::InvalidateMany(std::span<const domain::Id> tenants, bool all_local) {
  for (std::size_t i = 0; i < tenants.size(); ++i) stats_.Invalidation();
  // Redis first, then this process: were it the other way round, a read between the two steps
  // could miss L1, find the old entry in L2 and copy it into L1 under the new local generation.
  std::uint64_t started = 0;
  {
    std::lock_guard lock(pending_mu_);
    started = pending_seq_;
  }
  bool told_remote = false;
  if (remote_ != nullptr && !tenants.empty()) {
    auto r = co_await remote_->Invalidate(tenants);
    told_remote = r.has_value();
  }
  if (remote_ != nullptr && !tenants.empty()) {
    std::lock_guard lock(pending_mu_);
    if (told_remote) {
      // Delivered: earlier failed bumps of these tenants are superseded (not those that failed
      // after this one started).
      for (domain::Id t : tenants)
        if (auto it = pending_.find(t); it != pending_.end() && it->second <= started) pending_.erase(it);
    } else {
      ++pending_seq_;
      for (domain::Id t : tenants) pending_[t] = pending_seq_;
    }
  }
  if (all_local) generations_.BumpAll();
  for (domain::Id t : tenants) generations_.Bump(t);
  // A refresh-ahead waiting for these tenants waits longer: the change feed's own notice of a write
  // (which bumps the generations again, ms after Invalidate) must land before the refresh, or the
  // refreshed values would be stored under a generation that is already gone.
  if (options_.refresh_ahead_min_reads > 0 && !tenants.empty()) {
    std::lock_guard lock(ahead_mu_);
    const CacheClock::time_point now = CacheClock::now();
    for (domain::Id t : tenants)
      if (auto it = ahead_due_.find(t); it != ahead_due_.end()) it->second = std::max(it->second, now);
  }
}

asio::awaitable<Result<std::uint64_t>> Cache::Clear(std::optional<domain::Id> tenant) {
  if (tenant) {
    co_await Invalidate(*tenant);
  } else {
    co_await InvalidateMany({}, true);
    l1_.Clear();
  }
  if (remote_ == nullptr) co_return std::uint64_t{0};
  co_return co_await remote_->Clear(tenant);
}

}  // namespace iam::cache
