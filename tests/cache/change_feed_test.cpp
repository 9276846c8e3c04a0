// The L1 age bound and its lease (Cache::ConfirmChangesApplied), and ChangeFeed: changes applied in
// order and batched, a CaughtUp confirmed only after the invalidations announced before it. L1 only
// (no Redis): what is tested is the ordering and the bound, not a tier.
#include "cache/change_feed.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <string>
#include <thread>

#include "cache/cache.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Source {
  std::string data = "v1";
  int reads = 0;
  Cache::Factory factory() {
    return [this]() -> asio::awaitable<Result<std::string>> {
      ++reads;
      co_return data;
    };
  }
};

Outcome Read(Cache& cache, domain::Id tenant, const Cache::Factory& f) {
  asio::io_context ctx;
  const std::string variant = "v";
  auto fut = asio::co_spawn(ctx, cache.GetOrSet(Category::kKpis, tenant, variant, f), asio::use_future);
  ctx.run();
  auto r = fut.get();
  EXPECT_TRUE(r.has_value());
  return r ? r->outcome : Outcome::kMiss;
}

TEST(L1AgeBoundTest, OldEntriesAreServedOnlyWhileTheChangesAreConfirmedRecently) {
  Cache cache(CacheOptions{.l1_max_bytes = 1 << 20, .ttls = {}, .l1_max_age = 40ms}, nullptr);
  Source src;
  const auto f = src.factory();
  EXPECT_FALSE(cache.ChangeLag().has_value());
  EXPECT_EQ(Read(cache, 1, f), Outcome::kMiss);
  EXPECT_EQ(Read(cache, 1, f), Outcome::kHitL1);
  std::this_thread::sleep_for(80ms);
  // Older than the bound and no confirmation: not served (recomputed, and stored again).
  EXPECT_EQ(Read(cache, 1, f), Outcome::kMiss);
  EXPECT_EQ(src.reads, 2);
  std::this_thread::sleep_for(80ms);
  // Confirmed just now that every earlier change is applied: the old entry is exact, served.
  cache.ConfirmChangesApplied(CacheClock::now());
  EXPECT_EQ(Read(cache, 1, f), Outcome::kHitL1);
  ASSERT_TRUE(cache.ChangeLag().has_value());
  EXPECT_LT(*cache.ChangeLag(), 40ms);
  // An older confirmation does not move it back; once it is itself older than the bound, the
  // entry's own age decides again.
  cache.ConfirmChangesApplied(CacheClock::now() - 1h);
  EXPECT_EQ(Read(cache, 1, f), Outcome::kHitL1);
  std::this_thread::sleep_for(80ms);
  EXPECT_EQ(Read(cache, 1, f), Outcome::kMiss);
  EXPECT_EQ(src.reads, 3);
}

TEST(L1AgeBoundTest, NoBoundMeansTheTtl) {
  Cache cache(CacheOptions{.l1_max_bytes = 1 << 20, .ttls = {}, .l1_max_age = 0ms}, nullptr);
  Source src;
  const auto f = src.factory();
  EXPECT_EQ(Read(cache, 1, f), Outcome::kMiss);
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(Read(cache, 1, f), Outcome::kHitL1);
}

TEST(ChangeFeedTest, ChangesInvalidateAndCaughtUpConfirmsAfterThem) {
  Cache cache(CacheOptions{.l1_max_bytes = 1 << 20, .ttls = {}, .l1_max_age = 1h}, nullptr);
  Source src;
  const auto f = src.factory();
  for (domain::Id t : {1, 2, 3}) EXPECT_EQ(Read(cache, t, f), Outcome::kMiss);

  asio::io_context io;
  ChangeFeed feed(io.get_executor(), cache);
  const auto covered = CacheClock::now();
  // Announced from another thread, as the listener does; nothing runs until the io_context does.
  std::thread([&] {
    feed.Changed(2);
    feed.Changed(2);
    feed.Changed(3);
    feed.CaughtUp(covered);
  }).join();
  EXPECT_FALSE(cache.ChangeLag().has_value()) << "confirmed before its invalidations ran";
  EXPECT_EQ(Read(cache, 2, f), Outcome::kHitL1);
  io.run();
  EXPECT_EQ(feed.batches(), 1u) << "what arrived together is one batch";
  EXPECT_TRUE(cache.ChangeLag().has_value());
  EXPECT_EQ(Read(cache, 1, f), Outcome::kHitL1);
  EXPECT_EQ(Read(cache, 2, f), Outcome::kMiss);
  EXPECT_EQ(Read(cache, 3, f), Outcome::kMiss);
  EXPECT_EQ(cache.Snapshot().invalidations, 2u) << "tenant 2 announced twice, invalidated once";

  // Resync: every L1 entry goes, whoever it belongs to.
  io.restart();
  feed.Resync({});
  io.run();
  for (domain::Id t : {1, 2, 3}) EXPECT_EQ(Read(cache, t, f), Outcome::kMiss);
  EXPECT_EQ(feed.batches(), 2u);
}

}  // namespace
}  // namespace iam::cache
