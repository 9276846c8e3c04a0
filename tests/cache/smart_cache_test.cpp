// The intelligent cache with L1 only (remote = nullptr): fail-safe (last good value for a failing
// factory, within its max age, never for domain errors or forceRefresh, never in normal operation
// after a write), stale-while-revalidate (an entry past its TTL served STALE while one background
// computation refreshes it; never an invalidated entry), XFetch early refresh with an injected
// random source, refresh-ahead after writes (debounced, only hot keys), and their counters.
// TTLs are whole seconds, so the tests that let an entry expire sleep past 1 s.
#include "cache/cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Factory = Cache::Factory;

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

// Runs one awaitable, and every background task it started, to completion on a fresh io_context.
template <typename T>
T RunSync(asio::awaitable<T> a) {
  asio::io_context ctx;
  auto fut = asio::co_spawn(ctx, std::move(a), asio::use_future);
  ctx.run();
  return fut.get();
}

// A database the factories read: its data, whether it is down, and how often it was read.
struct Db {
  std::string data = "v1";
  bool down = false;
  bool throws = false;
  std::optional<Error> domain_error;
  int reads = 0;
  Factory factory() {
    return [this]() -> asio::awaitable<Result<std::string>> {
      ++reads;
      if (throws) throw std::runtime_error("connection reset");
      if (down) co_return Fail(Error::Unavailable("BD caída"));
      if (domain_error) co_return Fail(*domain_error);
      co_return data;
    };
  }
};

struct Reader {
  Cache& cache;
  Factory f;
  bool owning = true;  // pass f as the background factory too
  Result<Served> operator()(bool force = false, domain::Id tenant = 1, Category c = Category::kKpis) const {
    return RunSync(cache.GetOrSet(c, tenant, "kpis;d=1", f, force, owning ? f : Factory{}));
  }
};

void ExpectServed(const Result<Served>& r, Outcome outcome, const std::string& body) {
  ASSERT_TRUE(r.has_value()) << r.error().code << " " << r.error().message;
  EXPECT_EQ(OutcomeName(r->outcome), std::string(OutcomeName(outcome)));
  ASSERT_NE(r->body, nullptr);
  EXPECT_EQ(*r->body, body);
}

CacheTtls OneSecondKpis() {
  CacheTtls t;
  t.kpis = 1s;
  return t;
}

// ---------------------------------------------------------------- fail-safe

TEST(FailSafeTest, ServesTheLastGoodValueAcrossAWriteOnlyWhileTheDatabaseFails) {
  for (bool throws : {false, true}) {
    SCOPED_TRACE(throws ? "factory throws (500)" : "factory answers kUnavailable (503)");
    Cache cache(CacheOptions{.failsafe_max_age = 300s}, nullptr);
    Db db;
    Reader read{cache, db.factory()};
    ExpectServed(read(), Outcome::kMiss, "v1");

    // Normal operation: a write is always seen, fail-safe or not (read-your-writes).
    db.data = "v2";
    RunSync(cache.Invalidate(1));
    ExpectServed(read(), Outcome::kMiss, "v2");
    ExpectServed(read(), Outcome::kHitL1, "v2");

    // Another write, then the database fails: the last good value answers, marked STALE.
    db.data = "v3";
    RunSync(cache.Invalidate(1));
    (throws ? db.throws : db.down) = true;
    ExpectServed(read(), Outcome::kStale, "v2");
    ExpectServed(read(), Outcome::kStale, "v2");
    EXPECT_EQ(db.reads, 4) << "each read tried the database first";
    // forceRefresh asks for the database explicitly: its error is returned.
    EXPECT_FALSE(read(true).has_value());
    // The database is back: the write is seen at once.
    db.down = db.throws = false;
    ExpectServed(read(), Outcome::kMiss, "v3");
    const StatsSnapshot s = cache.Snapshot();
    EXPECT_EQ(s.stale_failsafe, 2u);
    EXPECT_EQ(s.outcomes[static_cast<std::size_t>(Category::kKpis)][static_cast<std::size_t>(Outcome::kStale)], 2u);
  }
}

TEST(FailSafeTest, NeverForDomainErrorsOtherKeysOrWhenOff) {
  {
    Cache cache(CacheOptions{.failsafe_max_age = 300s}, nullptr);
    Db db;
    Reader read{cache, db.factory()};
    ExpectServed(read(), Outcome::kMiss, "v1");
    RunSync(cache.Invalidate(1));
    for (Error e : {Error::NotFound("No existe"), Error::Conflict("x"), Error::InvalidArgument("bad")}) {
      db.domain_error = e;
      auto r = read();
      ASSERT_FALSE(r.has_value()) << e.code;  // the database answered: its answer stands
      EXPECT_EQ(r.error().kind, e.kind);
    }
    db.domain_error.reset();
    db.down = true;
    EXPECT_FALSE(read(false, 2).has_value()) << "another tenant has no last good value";
    EXPECT_FALSE(read(false, 1, Category::kFinancialKpis).has_value()) << "nor another category";
    ExpectServed(read(), Outcome::kStale, "v1");
  }
  {
    Cache cache(CacheOptions{}, nullptr);  // failsafe_max_age 0: off
    Db db;
    Reader read{cache, db.factory()};
    ExpectServed(read(), Outcome::kMiss, "v1");
    RunSync(cache.Invalidate(1));
    db.down = true;
    EXPECT_FALSE(read().has_value());
    EXPECT_EQ(cache.Snapshot().stale_failsafe, 0u);
  }
}

TEST(FailSafeTest, LastGoodValueOlderThanTheMaxAgeIsNotServed) {
  Cache cache(CacheOptions{.failsafe_max_age = 1s}, nullptr);
  Db db;
  Reader read{cache, db.factory()};
  ExpectServed(read(), Outcome::kMiss, "v1");
  RunSync(cache.Invalidate(1));
  db.down = true;
  ExpectServed(read(), Outcome::kStale, "v1");
  std::this_thread::sleep_for(1100ms);
  auto r = read();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
}

// ---------------------------------------------------------------- stale-while-revalidate

TEST(StaleWhileRevalidateTest, ExpiredEntryIsServedStaleAndRefreshedInTheBackground) {
  Cache cache(CacheOptions{.ttls = OneSecondKpis(), .swr_window = 60s}, nullptr);
  Db db;
  Reader read{cache, db.factory()};
  ExpectServed(read(), Outcome::kMiss, "v1");
  ExpectServed(read(), Outcome::kHitL1, "v1");
  // The data changes WITHOUT a write through the cache (TTL is the only bound, as for SQLite
  // writes by another process): past the TTL the old value answers once, and is refreshed.
  db.data = "v2";
  std::this_thread::sleep_for(1100ms);
  ExpectServed(read(), Outcome::kStale, "v1");  // RunSync also ran the background refresh
  EXPECT_EQ(cache.BackgroundInFlight(), 0);
  EXPECT_EQ(db.reads, 2);
  ExpectServed(read(), Outcome::kHitL1, "v2");
  const StatsSnapshot s = cache.Snapshot();
  EXPECT_EQ(s.stale_revalidate, 1u);
  EXPECT_EQ(s.background_refreshes, 1u);
}

// Read-your-writes: an entry that was invalidated is never served stale, expired or not.
TEST(StaleWhileRevalidateTest, NeverServesAnInvalidatedEntry) {
  Cache cache(CacheOptions{.ttls = OneSecondKpis(), .swr_window = 60s}, nullptr);
  Db db;
  Reader read{cache, db.factory()};
  ExpectServed(read(), Outcome::kMiss, "v1");
  std::this_thread::sleep_for(1100ms);  // past the TTL, within the window
  db.data = "v2";
  RunSync(cache.Invalidate(1));
  ExpectServed(read(), Outcome::kMiss, "v2");
  EXPECT_EQ(cache.Snapshot().stale_revalidate, 0u);
}

TEST(StaleWhileRevalidateTest, WithoutAnOwningFactoryOrWindowTheExpiredEntryIsRecomputedInTheRequest) {
  for (bool owning : {false, true}) {
    SCOPED_TRACE(owning ? "window 0" : "no background factory");
    Cache cache(CacheOptions{.ttls = OneSecondKpis(), .swr_window = owning ? 0s : 60s}, nullptr);
    Db db;
    Reader read{cache, db.factory(), owning};
    ExpectServed(read(), Outcome::kMiss, "v1");
    db.data = "v2";
    std::this_thread::sleep_for(1100ms);
    ExpectServed(read(), Outcome::kMiss, "v2");
    EXPECT_EQ(cache.Snapshot().stale_revalidate, 0u);
  }
}

TEST(StaleWhileRevalidateTest, FailedBackgroundRefreshKeepsServingAndLaterSucceeds) {
  Cache cache(CacheOptions{.ttls = OneSecondKpis(), .swr_window = 60s}, nullptr);
  Db db;
  Reader read{cache, db.factory()};
  ExpectServed(read(), Outcome::kMiss, "v1");
  std::this_thread::sleep_for(1100ms);
  db.down = true;
  ExpectServed(read(), Outcome::kStale, "v1");
  ExpectServed(read(), Outcome::kStale, "v1");
  db.down = false;
  db.data = "v2";
  ExpectServed(read(), Outcome::kStale, "v1");
  ExpectServed(read(), Outcome::kHitL1, "v2");
  EXPECT_EQ(db.reads, 4);
}

// ---------------------------------------------------------------- XFetch

TEST(XFetchCacheTest, HitsRefreshEarlyPerTheInjectedDraw) {
  struct Case {
    const char* name;
    double draw;
    bool early;
  };
  for (const Case c : {Case{"draw 1: never before expiry", 1.0, false},
                       Case{"draw ~0: looks far ahead", 1e-300, true}}) {
    SCOPED_TRACE(c.name);
    // TTL 1 s: with delta ≈ 2 ms, the smallest draw looks ≈ 1.4 s ahead, past the expiry.
    Cache cache(CacheOptions{.ttls = OneSecondKpis(), .xfetch_beta = 1.0, .random = [d = c.draw] { return d; }},
                nullptr);
    Db db;
    Factory slowish = [&db]() -> asio::awaitable<Result<std::string>> {
      // A measurable compute time (delta > 0): XFetch weighs the draw by it.
      std::this_thread::sleep_for(2ms);
      ++db.reads;
      co_return db.data;
    };
    Reader read{cache, slowish};
    ExpectServed(read(), Outcome::kMiss, "v1");
    db.data = "v2";
    ExpectServed(read(), Outcome::kHitL1, "v1");  // served from the cache either way
    EXPECT_EQ(cache.Snapshot().early_refreshes, c.early ? 1u : 0u);
    EXPECT_EQ(db.reads, c.early ? 2 : 1);
    if (c.early) ExpectServed(read(), Outcome::kHitL1, "v2");  // the early refresh replaced the entry
  }
}

// ---------------------------------------------------------------- refresh-ahead

TEST(RefreshAheadTest, HotKeysAreRecomputedOnceAfterABurstOfWrites) {
  Cache cache(CacheOptions{.refresh_ahead_min_reads = 3, .refresh_ahead_debounce = 50ms}, nullptr);
  Db hot_db, cold_db;
  Reader hot{cache, hot_db.factory()};
  Reader cold{cache, cold_db.factory()};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(hot(false, 1).has_value());
  ASSERT_TRUE(cold(false, 1, Category::kFinancialKpis).has_value());  // read once: not hot
  EXPECT_EQ(hot_db.reads, 1);

  // A burst of 5 writes, 10 ms apart, on one io_context: one refresh 50 ms after the last.
  hot_db.data = "v2";
  cold_db.data = "v2";
  asio::io_context ctx;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor);
        for (int i = 0; i < 5; ++i) {
          co_await cache.Invalidate(1);
          t.expires_after(10ms);
          co_await t.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
  ctx.run();  // runs the writes and the refresh they scheduled
  EXPECT_EQ(cache.BackgroundInFlight(), 0);
  EXPECT_EQ(cache.Snapshot().refresh_ahead_runs, 1u);
  EXPECT_EQ(hot_db.reads, 2);
  ExpectServed(hot(false, 1), Outcome::kHitL1, "v2");  // already recomputed after the write
  EXPECT_EQ(hot_db.reads, 2);
  ExpectServed(cold(false, 1, Category::kFinancialKpis), Outcome::kMiss, "v2");
  // Another tenant's write refreshes nothing of tenant 1.
  RunSync(cache.Invalidate(2));
  EXPECT_EQ(cache.Snapshot().refresh_ahead_runs, 1u);
}

// The registry is a bounded LRU: with room for 2 keys, the key read least recently is forgotten
// and not refreshed, however hot it was.
TEST(RefreshAheadTest, TheRegistryIsBounded) {
  Cache cache(CacheOptions{.refresh_ahead_min_reads = 1, .refresh_ahead_debounce = 0ms, .refresh_ahead_capacity = 2},
              nullptr);
  Db db;
  const Factory f = db.factory();
  for (Category c : {Category::kKpis, Category::kFinancialKpis, Category::kMovementKpis})
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(RunSync(cache.GetOrSet(c, 1, "v", f, false, f)).has_value());
  EXPECT_EQ(db.reads, 3);
  RunSync(cache.Invalidate(1));
  EXPECT_EQ(cache.Snapshot().refresh_ahead_runs, 2u) << "kpis was evicted from the registry";
  EXPECT_EQ(db.reads, 5);
}

// Reads of a key already hot skip the registry (a per-thread memo): a hot key the registry forgot
// for room is noted again on its very next read, memo or not.
TEST(RefreshAheadTest, AHotKeyForgottenForRoomIsNotedAgainOnItsNextRead) {
  Cache cache(CacheOptions{.refresh_ahead_min_reads = 1, .refresh_ahead_debounce = 0ms, .refresh_ahead_capacity = 1},
              nullptr);
  Db kpis_db, financial_db;
  Reader kpis{cache, kpis_db.factory()};
  Reader financial{cache, financial_db.factory()};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(kpis().has_value());  // hot: its next reads are memoized
  ASSERT_TRUE(financial(false, 1, Category::kFinancialKpis).has_value());  // the registry forgets kpis
  ASSERT_TRUE(kpis().has_value());  // ...and notes it again, forgetting financial
  RunSync(cache.Invalidate(1));
  EXPECT_EQ(cache.Snapshot().refresh_ahead_runs, 1u);
  EXPECT_EQ(kpis_db.reads, 2) << "kpis, read last, is the key refreshed";
  EXPECT_EQ(financial_db.reads, 1);
}

// The memo skips a hot key's reads only while the key is in its shard's front half (fewer than
// capacity/2 keys noted since it was): one read after that moves it to the front again, so a key
// read within the last capacity/2 notes is never the one forgotten. Keys "0".."4" of one tenant
// (one registry shard), min_reads 1; `present` are the keys the registry still has at the write.
TEST(RefreshAheadTest, TheMemoNeverLetsARecentlyReadKeyBeForgotten) {
  struct Case {
    const char* name;
    std::size_t capacity;
    std::vector<int> reads;
    std::vector<int> refreshed;
  };
  const std::vector<Case> cases = {
      // 0's second read is skipped (1 note since, < 2), its third is not (2 notes since).
      {"capacity 4", 4, {0, 1, 0, 2, 0, 3, 4}, {0, 2, 3, 4}},
      // capacity/2 = 1: only a read with no note since may be skipped.
      {"capacity 2", 2, {0, 1, 0, 2}, {0, 2}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Cache cache(CacheOptions{.refresh_ahead_min_reads = 1,
                             .refresh_ahead_debounce = 0ms,
                             .refresh_ahead_capacity = c.capacity},
                nullptr);
    std::array<Db, 5> dbs;
    std::array<Factory, 5> factories;
    for (std::size_t i = 0; i < dbs.size(); ++i) factories[i] = dbs[i].factory();
    for (int k : c.reads) {
      const Factory& f = factories[static_cast<std::size_t>(k)];
      ASSERT_TRUE(RunSync(cache.GetOrSet(Category::kKpis, 1, std::to_string(k), f, false, f)).has_value());
    }
    RunSync(cache.Invalidate(1));
    for (int k = 0; k < 5; ++k) {
      SCOPED_TRACE("key " + std::to_string(k));
      const bool read = std::find(c.reads.begin(), c.reads.end(), k) != c.reads.end();
      const bool refreshed = std::find(c.refreshed.begin(), c.refreshed.end(), k) != c.refreshed.end();
      EXPECT_EQ(dbs[static_cast<std::size_t>(k)].reads, (read ? 1 : 0) + (refreshed ? 1 : 0));
    }
  }
}

// Each Cache has its own memo slots: a key hot in one cache is not taken as noted in another. The
// second cache first notes another key of the tenant, so that its registry shard has moved as many
// keys to the front as the first's had when it memoized: only the owner tells the two apart.
TEST(RefreshAheadTest, AnotherCacheNotesTheSameKeyForItself) {
  const CacheOptions options{.refresh_ahead_min_reads = 1, .refresh_ahead_debounce = 0ms};
  Cache first(options, nullptr), second(options, nullptr);
  Db first_db, second_db, other_db;
  ASSERT_TRUE(Reader(first, first_db.factory())().has_value());
  ASSERT_TRUE(Reader(second, other_db.factory())(false, 1, Category::kFinancialKpis).has_value());
  ASSERT_TRUE(Reader(second, second_db.factory())().has_value());
  RunSync(second.Invalidate(1));
  EXPECT_EQ(second.Snapshot().refresh_ahead_runs, 2u);  // the other key and this one
  EXPECT_EQ(second_db.reads, 2);
}

TEST(RefreshAheadTest, OffByDefault) {
  Cache cache(CacheOptions{}, nullptr);
  Db db;
  Reader read{cache, db.factory()};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(read().has_value());
  RunSync(cache.Invalidate(1));
  EXPECT_EQ(cache.Snapshot().refresh_ahead_runs, 0u);
  EXPECT_EQ(db.reads, 1);
}

}  // namespace
}  // namespace iam::cache
