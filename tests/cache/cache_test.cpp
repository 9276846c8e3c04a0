// Cache with L1 only (remote = nullptr): miss then hit and the statistics, distinct variants,
// Invalidate / InvalidateMany / Clear, forceRefresh, errors never cached, the stale-set race
// reproduced deterministically, single-flight of concurrent misses, and a concurrent check that
// no read started after an Invalidate returned sees data from before it.
#include "cache/cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Factory = Cache::Factory;

constexpr Category kAllCategories[] = {Category::kKpis,       Category::kFinancialKpis, Category::kProductKpis,
                                       Category::kMovementKpis, Category::kPredictiveKpis, Category::kProductos,
                                       Category::kProveedores,  Category::kEmpresa,        Category::kUsuario,
                                       Category::kSession};
static_assert(std::size(kAllCategories) == kCategoryCount);

std::size_t I(Category c) { return static_cast<std::size_t>(c); }
std::size_t I(Outcome o) { return static_cast<std::size_t>(o); }
std::size_t I(Tier t) { return static_cast<std::size_t>(t); }

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kHitL1: return "HIT-L1";
    case Outcome::kHitL2: return "HIT-L2";
    case Outcome::kShared: return "SHARED";
    case Outcome::kMiss: return "MISS";
    case Outcome::kBypass: return "BYPASS";
    case Outcome::kStale: return "STALE";
  }
  return "?";
}

// Runs one awaitable to completion on a fresh single-threaded io_context.
template <typename T>
T RunSync(asio::awaitable<T> a) {
  asio::io_context ctx;
  auto fut = asio::co_spawn(ctx, std::move(a), asio::use_future);
  ctx.run();
  return fut.get();
}

// Suspends (1 ms timer steps) until pred() holds or `limit` passes; returns whether it held.
asio::awaitable<bool> WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 20s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    timer.expires_after(1ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

bool RunThreads(asio::io_context& ctx, int threads, std::chrono::seconds limit = 60s) {
  std::vector<std::thread> pool;
  std::atomic<bool> timed_out{false};
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      ctx.run_for(limit);
      if (!ctx.stopped()) timed_out = true;
    });
  for (auto& t : pool) t.join();
  if (timed_out) ctx.stop();
  return !timed_out;
}

// A data source the factories read: a string that tests change, and how often it was read.
struct Source {
  std::string data = "v1";
  int reads = 0;
  Factory factory() {
    return [this]() -> asio::awaitable<Result<std::string>> {
      ++reads;
      co_return data;
    };
  }
};

// One synchronous GetOrSet (the variant string and factory outlive the call).
Result<Served> Get(Cache& cache, Category c, domain::Id tenant, const std::string& variant, const Factory& f,
                   bool force_refresh = false) {
  return RunSync(cache.GetOrSet(c, tenant, variant, f, force_refresh));
}

// Expects a successful GetOrSet with the given outcome and body.
void ExpectServed(const Result<Served>& r, Outcome outcome, const std::string& body) {
  ASSERT_TRUE(r.has_value()) << r.error().code << " " << r.error().message;
  EXPECT_EQ(OutcomeName(r->outcome), std::string(OutcomeName(outcome)));
  ASSERT_NE(r->body, nullptr);
  EXPECT_EQ(*r->body, body);
}

// ---------------------------------------------------------------- miss, hit, statistics

TEST(CacheTest, MissThenHitInEveryCategory) {
  for (Category c : kAllCategories) {
    SCOPED_TRACE(std::string(CategoryName(c)));
    Cache cache(CacheOptions{}, nullptr);
    Source src;
    const Factory f = src.factory();
    EXPECT_EQ(cache.Snapshot().HitRate(), 0.0);  // before any request

    auto first = Get(cache, c, 7, "page=1", f);
    ExpectServed(first, Outcome::kMiss, "v1");
    auto second = Get(cache, c, 7, "page=1", f);
    ExpectServed(second, Outcome::kHitL1, "v1");
    EXPECT_EQ(src.reads, 1);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->body.get(), second->body.get());  // the stored value itself

    StatsSnapshot s = cache.Snapshot();
    EXPECT_EQ(s.outcomes[I(c)][I(Outcome::kMiss)], 1u);
    EXPECT_EQ(s.outcomes[I(c)][I(Outcome::kHitL1)], 1u);
    EXPECT_EQ(s.tiers[I(Tier::kL1)][I(c)].hits, 1u);
    EXPECT_EQ(s.tiers[I(Tier::kL1)][I(c)].misses, 1u);
    EXPECT_EQ(s.tiers[I(Tier::kL1)][I(c)].errors, 0u);
    EXPECT_EQ(s.computations[I(c)], 1u);
    // Nothing is counted under another category or on L2.
    for (Category other : kAllCategories) {
      if (other == c) continue;
      EXPECT_EQ(s.computations[I(other)], 0u) << CategoryName(other);
      for (std::size_t o = 0; o < kOutcomeCount; ++o) EXPECT_EQ(s.outcomes[I(other)][o], 0u) << CategoryName(other);
    }
    for (Category any : kAllCategories) {
      EXPECT_EQ(s.tiers[I(Tier::kL2)][I(any)].hits + s.tiers[I(Tier::kL2)][I(any)].misses, 0u);
    }
    EXPECT_EQ(s.Hits(), 1u);
    EXPECT_EQ(s.Misses(), 1u);
    EXPECT_DOUBLE_EQ(s.HitRate(), 0.5);
    EXPECT_EQ(s.single_flight_shared, 0u);
    EXPECT_EQ(s.invalidations, 0u);
    EXPECT_EQ(s.pending_remote_invalidations, 0u);

    for (int i = 0; i < 2; ++i) ExpectServed(Get(cache, c, 7, "page=1", f), Outcome::kHitL1, "v1");
    s = cache.Snapshot();
    EXPECT_EQ(s.Hits(), 3u);
    EXPECT_EQ(s.Misses(), 1u);
    EXPECT_DOUBLE_EQ(s.HitRate(), 0.75);
    EXPECT_GT(cache.l1().entries(), 0u);
  }
}

TEST(CacheTest, VariantsTenantsAndCategoriesAreDistinctKeys) {
  struct Req {
    Category c;
    domain::Id tenant;
    std::string variant;
  };
  // Pairs of requests that must not share an entry.
  const std::vector<std::pair<Req, Req>> pairs = {
      {{Category::kKpis, 1, "a"}, {Category::kKpis, 1, "b"}},
      {{Category::kKpis, 1, ""}, {Category::kKpis, 1, "x"}},
      {{Category::kKpis, 1, "page=1"}, {Category::kKpis, 1, "page=10"}},
      {{Category::kKpis, 1, "a:b"}, {Category::kKpis, 1, "a"}},
      {{Category::kKpis, 1, "from=2024-01-01&to=2024-02-01"}, {Category::kKpis, 1, "from=2024-01-01&to=2024-03-01"}},
      {{Category::kKpis, 1, "v"}, {Category::kKpis, 2, "v"}},
      {{Category::kKpis, 1, "v"}, {Category::kKpis, 11, "v"}},
      {{Category::kKpis, 1, "v"}, {Category::kProductKpis, 1, "v"}},
      {{Category::kProductos, 1, "v"}, {Category::kProveedores, 1, "v"}},
      {{Category::kKpis, 1, "1:v"}, {Category::kKpis, 11, "v"}},
  };
  for (const auto& [a, b] : pairs) {
    SCOPED_TRACE(std::string(CategoryName(a.c)) + "/" + std::to_string(a.tenant) + "/'" + a.variant + "' vs " +
                 std::string(CategoryName(b.c)) + "/" + std::to_string(b.tenant) + "/'" + b.variant + "'");
    Cache cache(CacheOptions{}, nullptr);
    Source sa{"value of a"}, sb{"value of b"};
    const Factory fa = sa.factory(), fb = sb.factory();
    ExpectServed(Get(cache, a.c, a.tenant, a.variant, fa), Outcome::kMiss, "value of a");
    ExpectServed(Get(cache, b.c, b.tenant, b.variant, fb), Outcome::kMiss, "value of b");
    ExpectServed(Get(cache, a.c, a.tenant, a.variant, fa), Outcome::kHitL1, "value of a");
    ExpectServed(Get(cache, b.c, b.tenant, b.variant, fb), Outcome::kHitL1, "value of b");
    EXPECT_EQ(sa.reads, 1);
    EXPECT_EQ(sb.reads, 1);
  }
}

// ---------------------------------------------------------------- invalidation

const std::vector<std::string> kVariants = {"", "page=1", "page=2&limit=50", "id=42"};

// Fills every (tenant, category, variant) with "t<tenant>" and checks it now hits.
void Populate(Cache& cache, const std::vector<domain::Id>& tenants, std::map<domain::Id, Source>& sources,
              std::map<domain::Id, Factory>& factories) {
  for (domain::Id t : tenants) {
    sources[t].data = "t" + std::to_string(t) + " v1";
    factories[t] = sources[t].factory();
  }
  for (domain::Id t : tenants)
    for (Category c : kAllCategories)
      for (const auto& v : kVariants) {
        auto r = Get(cache, c, t, v, factories[t]);
        ASSERT_TRUE(r.has_value());
        ASSERT_EQ(r->outcome, Outcome::kMiss);
      }
}

// Reads everything again: tenants in `missing` must recompute (and see version 2), the others hit.
void ExpectAfterInvalidation(Cache& cache, const std::vector<domain::Id>& tenants, const std::vector<domain::Id>& missing,
                             std::map<domain::Id, Source>& sources, std::map<domain::Id, Factory>& factories) {
  for (domain::Id t : tenants) sources[t].data = "t" + std::to_string(t) + " v2";  // the "write"
  for (domain::Id t : tenants) {
    const bool miss = std::find(missing.begin(), missing.end(), t) != missing.end();
    for (Category c : kAllCategories)
      for (const auto& v : kVariants) {
        SCOPED_TRACE("tenant " + std::to_string(t) + " " + std::string(CategoryName(c)) + " '" + v + "'");
        ExpectServed(Get(cache, c, t, v, factories[t]), miss ? Outcome::kMiss : Outcome::kHitL1,
                     "t" + std::to_string(t) + (miss ? " v2" : " v1"));
        // Either way, the entry now hits.
        ExpectServed(Get(cache, c, t, v, factories[t]), Outcome::kHitL1,
                     "t" + std::to_string(t) + (miss ? " v2" : " v1"));
      }
  }
}

TEST(CacheTest, InvalidateMakesEveryEntryOfTheTenantMissAndNoOther) {
  const std::vector<domain::Id> tenants = {1, 2, 3};
  Cache cache(CacheOptions{}, nullptr);
  std::map<domain::Id, Source> sources;
  std::map<domain::Id, Factory> factories;
  Populate(cache, tenants, sources, factories);

  RunSync(cache.Invalidate(2));
  ExpectAfterInvalidation(cache, tenants, {2}, sources, factories);
  const std::size_t per_tenant = kCategoryCount * kVariants.size();
  EXPECT_EQ(sources[1].reads, static_cast<int>(per_tenant));
  EXPECT_EQ(sources[2].reads, static_cast<int>(2 * per_tenant));
  EXPECT_EQ(sources[3].reads, static_cast<int>(per_tenant));
  EXPECT_EQ(cache.Snapshot().invalidations, 1u);
  EXPECT_EQ(cache.Snapshot().pending_remote_invalidations, 0u);  // no remote tier: nothing pending

  // A tenant never seen before can be invalidated too, and repeated invalidations keep working.
  RunSync(cache.Invalidate(999));
  RunSync(cache.Invalidate(2));
  RunSync(cache.Invalidate(2));
  for (Category c : kAllCategories) {
    SCOPED_TRACE(std::string(CategoryName(c)));
    ExpectServed(Get(cache, c, 2, "", factories[2]), Outcome::kMiss, "t2 v2");
    ExpectServed(Get(cache, c, 1, "", factories[1]), Outcome::kHitL1, "t1 v1");
  }
  EXPECT_EQ(cache.Snapshot().invalidations, 4u);
}

TEST(CacheTest, InvalidateMany) {
  struct Case {
    const char* name;
    std::vector<domain::Id> invalidate;
    bool all_local;
    std::vector<domain::Id> missing;
  };
  const std::vector<Case> cases = {
      {"all_local with no tenants: everything misses", {}, true, {1, 2, 3}},
      {"all_local with one tenant: everything misses", {2}, true, {1, 2, 3}},
      {"one tenant", {1}, false, {1}},
      {"two tenants", {1, 3}, false, {1, 3}},
      {"a tenant with no entries", {42}, false, {}},
      {"no tenants, not all_local: nothing changes", {}, false, {}},
  };
  const std::vector<domain::Id> tenants = {1, 2, 3};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Cache cache(CacheOptions{}, nullptr);
    std::map<domain::Id, Source> sources;
    std::map<domain::Id, Factory> factories;
    Populate(cache, tenants, sources, factories);
    RunSync(cache.InvalidateMany(c.invalidate, c.all_local));
    ExpectAfterInvalidation(cache, tenants, c.missing, sources, factories);
    EXPECT_EQ(cache.Snapshot().invalidations, c.invalidate.size());
  }
}

TEST(CacheTest, ClearWithoutRemote) {
  struct Case {
    const char* name;
    std::optional<domain::Id> tenant;
    std::vector<domain::Id> missing;
  };
  const std::vector<Case> cases = {
      {"one tenant", 2, {2}},
      {"everything", std::nullopt, {1, 2, 3}},
  };
  const std::vector<domain::Id> tenants = {1, 2, 3};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Cache cache(CacheOptions{}, nullptr);
    std::map<domain::Id, Source> sources;
    std::map<domain::Id, Factory> factories;
    Populate(cache, tenants, sources, factories);
    auto cleared = RunSync(cache.Clear(c.tenant));
    ASSERT_TRUE(cleared.has_value());
    EXPECT_EQ(*cleared, 0u);  // no Redis keys to delete
    if (!c.tenant) {
      EXPECT_EQ(cache.l1().entries(), 0u);
      EXPECT_EQ(cache.l1().bytes(), 0u);
    }
    ExpectAfterInvalidation(cache, tenants, c.missing, sources, factories);
  }
}

// ---------------------------------------------------------------- forceRefresh

TEST(CacheTest, ForceRefreshComputesAndTheNextReadHitsTheNewValue) {
  struct Case {
    const char* name;
    bool warm;  // an entry exists before the refresh
  };
  for (const Case c : {Case{"warm key", true}, Case{"cold key", false}}) {
    SCOPED_TRACE(c.name);
    Cache cache(CacheOptions{}, nullptr);
    Source src;
    const Factory f = src.factory();
    if (c.warm) ExpectServed(Get(cache, Category::kKpis, 1, "v", f), Outcome::kMiss, "v1");
    src.data = "v2";  // changed without an Invalidate: a normal read still sees v1
    if (c.warm) ExpectServed(Get(cache, Category::kKpis, 1, "v", f), Outcome::kHitL1, "v1");
    const int reads = src.reads;
    ExpectServed(Get(cache, Category::kKpis, 1, "v", f, /*force_refresh=*/true), Outcome::kBypass, "v2");
    EXPECT_EQ(src.reads, reads + 1);  // computed without looking
    ExpectServed(Get(cache, Category::kKpis, 1, "v", f), Outcome::kHitL1, "v2");
    EXPECT_EQ(src.reads, reads + 1);

    const StatsSnapshot s = cache.Snapshot();
    EXPECT_EQ(s.outcomes[I(Category::kKpis)][I(Outcome::kBypass)], 1u);
    EXPECT_EQ(s.computations[I(Category::kKpis)], c.warm ? 2u : 1u);
    // A bypass counts neither as a hit nor as a miss.
    EXPECT_EQ(s.Misses(), c.warm ? 1u : 0u);
    EXPECT_EQ(s.Hits(), c.warm ? 2u : 1u);
  }
}

TEST(CacheTest, ForceRefreshWithAValueTooLargeForL1DoesNotLeaveTheOldOneBehind) {
  CacheOptions options;
  options.l1_max_bytes = 16 * 4096;  // 4 KiB per shard
  Cache cache(options, nullptr);
  Source src;
  const Factory f = src.factory();
  ExpectServed(Get(cache, Category::kKpis, 1, "v", f), Outcome::kMiss, "v1");
  src.data = std::string(8192, 'x');  // the refreshed value no longer fits in L1
  auto refreshed = Get(cache, Category::kKpis, 1, "v", f, true);
  ASSERT_TRUE(refreshed.has_value());
  EXPECT_EQ(refreshed->body->size(), 8192u);
  // The next read must not be answered with the value the refresh replaced.
  auto next = Get(cache, Category::kKpis, 1, "v", f);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body->size(), 8192u) << "served '" << *next->body << "' (" << OutcomeName(next->outcome) << ")";
}

// ---------------------------------------------------------------- errors

TEST(CacheTest, FactoryErrorsAreReturnedAndNeverCached) {
  enum class How { kResult, kThrow };
  struct Case {
    const char* name;
    How how;
    Error error;
    bool force_refresh;
  };
  const std::vector<Case> cases = {
      {"not found", How::kResult, Error::NotFound("No existe"), false},
      {"unavailable", How::kResult, Error::Unavailable("BD caída"), false},
      {"conflict", How::kResult, Error::Conflict("x"), false},
      {"thrown exception becomes internal", How::kThrow, Error::Internal(), false},
      {"error under forceRefresh", How::kResult, Error::Unavailable("BD caída"), true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Cache cache(CacheOptions{}, nullptr);
    int calls = 0;
    bool fail = true;
    const How how = c.how;
    const Error error = c.error;
    const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
      ++calls;
      if (fail && how == How::kThrow) throw std::runtime_error("boom");
      if (fail) co_return Fail(error);
      co_return std::string("ok");
    };
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto r = Get(cache, Category::kProductos, 5, "list", f, c.force_refresh);
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().kind, c.error.kind);
      EXPECT_EQ(r.error().code, c.error.code);
    }
    EXPECT_EQ(calls, 2);  // the error was not served from the cache the second time
    EXPECT_EQ(cache.l1().entries(), 0u);
    fail = false;
    ExpectServed(Get(cache, Category::kProductos, 5, "list", f), Outcome::kMiss, "ok");
    ExpectServed(Get(cache, Category::kProductos, 5, "list", f), Outcome::kHitL1, "ok");
    EXPECT_EQ(calls, 3);
    const StatsSnapshot s = cache.Snapshot();
    EXPECT_EQ(s.Hits(), 1u);
    EXPECT_EQ(s.Misses(), 1u);  // failed requests are answered by neither
  }
}

TEST(CacheTest, FailedForceRefreshKeepsThePreviousValue) {
  Cache cache(CacheOptions{}, nullptr);
  bool fail = false;
  const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
    if (fail) co_return Fail(Error::Unavailable("BD caída"));
    co_return std::string("good");
  };
  ExpectServed(Get(cache, Category::kEmpresa, 1, "", f), Outcome::kMiss, "good");
  fail = true;
  EXPECT_FALSE(Get(cache, Category::kEmpresa, 1, "", f, true).has_value());
  ExpectServed(Get(cache, Category::kEmpresa, 1, "", f), Outcome::kHitL1, "good");
}

// ---------------------------------------------------------------- the stale-set race

// A computation reads version 1, then blocks; meanwhile the data changes to version 2 and the
// tenant is invalidated. The blocked call still answers version 1 (it started before the write),
// but no call started after Invalidate returned may see version 1, whether it starts while the
// stale computation is still in flight or after that computation has stored its result.
TEST(CacheTest, StaleSetRaceIsHarmless) {
  struct Case {
    const char* name;
    bool read_before_release;  // the post-invalidation read runs while the stale one is blocked
  };
  // Also with the intelligent cache on (fail-safe, stale-while-revalidate, XFetch with a draw that
  // never refreshes early, so the counts below stay exact): none of them may bring version 1 back.
  const CacheOptions smart{.failsafe_max_age = 300s, .swr_window = 60s, .xfetch_beta = 1.0, .random = [] { return 1.0; }};
  for (const bool with_smart : {false, true})
  for (const Case c : {Case{"read while the stale computation is in flight", true},
                       Case{"read after the stale computation stored its result", false}}) {
    SCOPED_TRACE(c.name);
    SCOPED_TRACE(with_smart ? "intelligent cache on" : "plain");
    asio::io_context ctx;
    Cache cache(with_smart ? smart : CacheOptions{}, nullptr);
    asio::experimental::channel<void(boost::system::error_code)> gate(ctx, 1);
    std::string data = "version 1";
    int computations = 0;
    bool blocked = false;
    const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
      const std::string snapshot = data;  // the "query"
      if (++computations == 1) {
        blocked = true;
        co_await gate.async_receive(asio::as_tuple(asio::use_awaitable));
        blocked = false;
      }
      co_return snapshot;
    };
    const std::string variant = "all";

    std::optional<Result<Served>> in_flight;
    // The blocked receive does not count as work: keep ctx from stopping between the steps, and
    // step it with a bound so that a bug fails the test instead of hanging it.
    auto work = asio::make_work_guard(ctx);
    auto step = [&] { return ctx.run_one_for(5s) == 1; };
    const Factory background = with_smart ? f : Factory{};
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
          in_flight = co_await cache.GetOrSet(Category::kKpis, 1, variant, f, false, background);
        },
        asio::detached);
    while (!blocked) ASSERT_TRUE(step());

    data = "version 2";  // the write commits...
    auto invalidate = asio::co_spawn(ctx, cache.Invalidate(1), asio::use_future);
    while (invalidate.wait_for(0s) != std::future_status::ready) ASSERT_TRUE(step());
    invalidate.get();  // ...and is acknowledged: from here on nobody may read version 1
    ASSERT_TRUE(blocked);
    ASSERT_FALSE(in_flight.has_value());

    auto read_after = [&]() -> Result<Served> {
      auto fut = asio::co_spawn(ctx, cache.GetOrSet(Category::kKpis, 1, variant, f, false, background), asio::use_future);
      while (fut.wait_for(0s) != std::future_status::ready)
        if (!step()) return Fail(Error::Internal("timed out: the read waits for the blocked computation"));
      return fut.get();
    };
    if (c.read_before_release) {
      // Must not join the blocked computation either: it would wait for and return version 1.
      ExpectServed(read_after(), Outcome::kMiss, "version 2");
      ASSERT_TRUE(blocked);
    }
    gate.try_send(boost::system::error_code{});
    while (!in_flight.has_value()) ASSERT_TRUE(step());
    ExpectServed(*in_flight, Outcome::kMiss, "version 1");  // started before the write: fine

    // The stale result was stored under the old generation, where nobody looks.
    if (c.read_before_release) {
      ExpectServed(read_after(), Outcome::kHitL1, "version 2");
    } else {
      ExpectServed(read_after(), Outcome::kMiss, "version 2");
      ExpectServed(read_after(), Outcome::kHitL1, "version 2");
    }
    EXPECT_EQ(computations, 2);
    work.reset();
    ctx.run();
  }
}

// ---------------------------------------------------------------- concurrency

TEST(CacheTest, HundredConcurrentMissesComputeOnce) {
  constexpr int kCallers = 100;
  Cache cache(CacheOptions{}, nullptr);
  std::atomic<int> computations{0};
  std::atomic<bool> all_joined{false};
  const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
    ++computations;
    // Keep the computation open until every other caller has joined it.
    all_joined = co_await WaitUntil([&] { return cache.Snapshot().single_flight_shared >= kCallers - 1; });
    co_return std::string("{\"total\":1}");
  };
  const std::string variant = "summary";

  asio::io_context ctx(4);
  std::vector<std::optional<Result<Served>>> results(kCallers);
  std::atomic<int> threw{0};
  for (int i = 0; i < kCallers; ++i)
    asio::co_spawn(
        ctx,
        [&, i]() -> asio::awaitable<void> {
          results[i] = co_await cache.GetOrSet(Category::kKpis, 3, variant, f);
        },
        [&](std::exception_ptr e) {
          if (e) ++threw;
        });
  ASSERT_TRUE(RunThreads(ctx, 4));

  EXPECT_TRUE(all_joined.load());
  EXPECT_EQ(computations.load(), 1);
  EXPECT_EQ(threw.load(), 0);
  std::map<Outcome, int> outcomes;
  const std::string* body = nullptr;
  for (int i = 0; i < kCallers; ++i) {
    SCOPED_TRACE("caller " + std::to_string(i));
    ASSERT_TRUE(results[i].has_value());
    ASSERT_TRUE(results[i]->has_value());
    ++outcomes[(*results[i])->outcome];
    EXPECT_EQ(*(*results[i])->body, "{\"total\":1}");
    if (body == nullptr) body = (*results[i])->body.get();
    EXPECT_EQ((*results[i])->body.get(), body);
  }
  EXPECT_EQ(outcomes[Outcome::kMiss], 1);
  EXPECT_EQ(outcomes[Outcome::kShared], kCallers - 1);

  const StatsSnapshot s = cache.Snapshot();
  const std::size_t k = I(Category::kKpis);
  EXPECT_EQ(s.single_flight_shared, std::uint64_t{kCallers - 1});
  EXPECT_EQ(s.computations[k], 1u);
  EXPECT_EQ(s.outcomes[k][I(Outcome::kMiss)], 1u);
  EXPECT_EQ(s.outcomes[k][I(Outcome::kShared)], std::uint64_t{kCallers - 1});
  EXPECT_EQ(s.tiers[I(Tier::kL1)][k].misses, std::uint64_t{kCallers});
  EXPECT_EQ(s.Hits(), std::uint64_t{kCallers - 1});  // joining a computation counts as a hit
  EXPECT_EQ(s.Misses(), 1u);

  ExpectServed(Get(cache, Category::kKpis, 3, variant, f), Outcome::kHitL1, "{\"total\":1}");
  EXPECT_EQ(computations.load(), 1);
}

// Writers bump a version and invalidate; readers on 4 threads check that a read started after an
// invalidation was acknowledged never returns a version older than the acknowledged one.
TEST(CacheTest, NoReadAfterInvalidateSeesOlderData) {
  constexpr int kWrites = 150, kReaders = 8, kReadsEach = 300;
  Cache cache(CacheOptions{}, nullptr);
  std::atomic<int> version{0}, acknowledged{0}, violations{0}, errors{0}, readers_done{0}, max_seen{0},
      older_than_now{0};
  const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
    const int v = version.load();
    // Widen the window between reading the data and storing the result.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return std::to_string(v);
  };
  const std::vector<std::string> variants = {"a", "b", "c"};

  asio::io_context ctx(4);
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        for (int w = 1; w <= kWrites && readers_done.load() < kReaders; ++w) {
          version.store(w);
          co_await cache.Invalidate(9);
          acknowledged.store(w);
          co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        }
      },
      asio::detached);
  for (int r = 0; r < kReaders; ++r)
    asio::co_spawn(
        ctx,
        [&, r]() -> asio::awaitable<void> {
          for (int i = 0; i < kReadsEach; ++i) {
            const int floor = acknowledged.load();
            auto got = co_await cache.GetOrSet(Category::kKpis, 9, variants[(r + i) % variants.size()], f);
            if (!got) {
              ++errors;
            } else {
              const int seen = std::stoi(*got->body);
              if (seen < floor) ++violations;
              int m = max_seen.load();
              while (seen > m && !max_seen.compare_exchange_weak(m, seen)) {
              }
              if (seen > 0 && seen < acknowledged.load()) ++older_than_now;  // reads overlapped writes
            }
          }
          ++readers_done;
        },
        asio::detached);
  ASSERT_TRUE(RunThreads(ctx, 4));
  EXPECT_EQ(readers_done.load(), kReaders);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(violations.load(), 0);
  // The run really interleaved: readers saw many versions while writes kept landing.
  EXPECT_GT(max_seen.load(), 1);
  EXPECT_GT(acknowledged.load(), 1);
  std::cout << "[ info ] writes acknowledged " << acknowledged.load() << ", highest version read "
            << max_seen.load() << ", reads overtaken by a later write " << older_than_now.load() << "\n";
}

// ---------------------------------------------------------------- L1 age (cross-instance bound)

// l1_max_age bounds how long after a write another instance may still serve a value from before it
// (when the write's notification is lost). It counts from the start of the read that fetched the
// value: a computation that took longer than the bound stores a value already too old to serve.
TEST(CacheTest, L1MaxAgeCountsFromTheStartOfTheReadThatFetchedTheValue) {
  Cache cache(CacheOptions{.l1_max_bytes = 1u << 20, .ttls = {}, .l1_max_age = 100ms}, nullptr);
  std::string data = "before";
  const Factory slow = [&data]() -> asio::awaitable<Result<std::string>> {
    std::string snapshot = data;  // read at the start, as a database snapshot would be
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(300ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return snapshot;
  };
  ExpectServed(Get(cache, Category::kKpis, 1, "v", slow), Outcome::kMiss, "before");
  data = "after";  // a write another instance acknowledged; this instance is not told
  Source now;
  now.data = "after";
  const Factory fast = now.factory();
  ExpectServed(Get(cache, Category::kKpis, 1, "v", fast), Outcome::kMiss, "after");
}

}  // namespace
}  // namespace iam::cache
