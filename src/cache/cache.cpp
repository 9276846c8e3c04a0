#include "cache/cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <vector>

namespace iam::cache {

namespace asio = boost::asio;

Cache::Cache(CacheOptions options, RemoteTier* remote)
    : options_(std::move(options)), remote_(remote), l1_(options_.l1_max_bytes) {}

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
  if (remote_ == nullptr) co_return false;
  co_await FlushPending();
  co_return !RemotePending(tenant);
}

asio::awaitable<Result<Served>> Cache::GetOrSet(Category category, domain::Id tenant, std::string_view variant,
                                                const Factory& factory, bool force_refresh) {
  // The local generation is read before anything else: whatever this call stores is keyed by it,
  // so an Invalidate that lands while it runs makes the result unreachable.
  const std::string l1_key =
      fmt::format("{}:{}:{}:{}", CategoryName(category), tenant, generations_.Stamp(tenant), variant);
  // What this call stores in L1 is as old as this moment (CacheOptions::l1_max_age).
  const CacheClock::time_point started = CacheClock::now();
  if (force_refresh) {
    stats_.Served(category, Outcome::kBypass);
    auto r = co_await Refresh(category, tenant, variant, l1_key, started, factory);
    if (!r) co_return Fail(r.error());
    r->outcome = Outcome::kBypass;
    co_return r;
  }
  const CacheClock::time_point now = CacheClock::now();
  if (Value v = l1_.Get(l1_key, now, OldestServable(now))) {
    stats_.Hit(Tier::kL1, category);
    stats_.Served(category, Outcome::kHitL1);
    co_return Served{std::move(v), Outcome::kHitL1};
  }
  stats_.Miss(Tier::kL1, category);

  Outcome leader_outcome = Outcome::kMiss;
  const SingleFlight::Factory lead = [&]() -> asio::awaitable<Result<Value>> {
    // Look in L2 first (also under the flight, so N local misses cost one Redis round trip).
    std::optional<std::string> remote_generation;
    if (co_await UseRemote(tenant)) {
      auto found = co_await remote_->Get(tenant, category, variant);
      if (found) {
        remote_generation = std::move(found->generation);
        if (found->value) {
          stats_.Hit(Tier::kL2, category);
          leader_outcome = Outcome::kHitL2;
          l1_.Put(l1_key, found->value, L1Expiry(category), started);
          co_return found->value;
        }
        stats_.Miss(Tier::kL2, category);
      } else {
        stats_.Error(Tier::kL2, category);
      }
    }
    co_return co_await ComputeAndStore(category, tenant, variant, l1_key, started, remote_generation, factory);
  };
  auto outcome = co_await flights_.Do(l1_key, lead);
  if (!outcome.value) co_return Fail(outcome.value.error());
  const Outcome served = outcome.shared ? Outcome::kShared : leader_outcome;
  stats_.Served(category, served);
  co_return Served{std::move(*outcome.value), served};
}

// Runs the factory and stores its value: in L1 under `l1_key`, in L2 under `remote_generation`
// when L2 was consulted. A throwing factory is a 500, never an escaping exception.
asio::awaitable<Result<Value>> Cache::ComputeAndStore(Category category, domain::Id tenant, std::string_view variant,
                                                      const std::string& l1_key, CacheClock::time_point started,
                                                      const std::optional<std::string>& remote_generation,
                                                      const Factory& factory) {
  stats_.Computation(category);
  std::optional<Result<std::string>> computed;
  try {
    computed.emplace(co_await factory());
  } catch (...) {
    computed.emplace(Fail(Error::Internal()));
  }
  if (!*computed) co_return Fail(computed->error());
  Value v = std::make_shared<const std::string>(std::move(**computed));
  l1_.Put(l1_key, v, L1Expiry(category), started);
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

asio::awaitable<void> Cache::Invalidate(domain::Id tenant) {
  const domain::Id one[] = {tenant};
  co_await InvalidateMany(one, false);
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
