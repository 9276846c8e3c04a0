// InstanceRegistry and RedisTier's heartbeat against the harness's real Redis (each test under a
// prefix of its own): a process killed after a write committed and before its invalidation reached
// Redis leaves an entry that another reader would serve (shown first, as the control); its
// successor under the same name invalidates every tenant before it uses L2, another instance does
// so once the silent one lapses, and a clean stop leaves the shared entries alone.
#include "cache/instance_registry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.hpp"
#include "cache/redis_client.hpp"
#include "cache/redis_tier.hpp"
#include "support/io_threads.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::IoThreads;

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds max = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + max;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// One "process" sharing the test's Redis and prefix: a client, its tier, a Cache (L2 only, so that
// every read shows what Redis would serve) and, when started, a registry that invalidates the
// tenants of `tenants` through this Cache.
struct Instance {
  std::unique_ptr<RedisClient> client;
  std::unique_ptr<RedisTier> tier;
  std::unique_ptr<Cache> cache;
  std::unique_ptr<InstanceRegistry> registry;
  std::atomic<int> invalidations{0};
  std::atomic<int> refuse_invalidations{0};  // this many invalidate_all calls fail first
};

class InstanceRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = test::EnvOrNull("IAM_TEST_REDIS_URL");
    if (!url) {
      if (test::ServicesRequired()) FAIL() << "IAM_TEST_REDIS_URL is not set but services are required";
      GTEST_SKIP() << "IAM_TEST_REDIS_URL is not set: run through scripts/test.sh (make test)";
    }
    url_ = *url;
    std::mt19937_64 rng{std::random_device{}()};
    prefix_ = "iam-registry-test-" + std::to_string(rng() % 1'000'000'000'000ULL);
    io_ = std::make_unique<IoThreads>();
  }
  void TearDown() override {
    for (auto& i : instances_)
      if (i->registry) io_->Run(i->registry->Leave());
    instances_.clear();
    io_.reset();
  }

  Instance& Add(bool starts_closed) {
    auto opts = ParseRedisUrl(url_);
    EXPECT_TRUE(opts) << opts.error().message;
    RedisOptions o = opts ? *opts : RedisOptions{};
    o.command_timeout = 2000ms;
    auto i = std::make_unique<Instance>();
    i->client = std::make_unique<RedisClient>(io_->ioc().get_executor(), o);
    i->client->Start();
    auto up = io_->Run(i->client->WaitConnected(5s));
    EXPECT_TRUE(up) << up.error().message;
    i->tier = std::make_unique<RedisTier>(*i->client, prefix_, 600s);
    i->cache = std::make_unique<Cache>(
        CacheOptions{.l1_max_bytes = 0, .ttls = {}, .l1_max_age = {}, .remote_starts_closed = starts_closed},
        i->tier.get());
    instances_.push_back(std::move(i));
    return *instances_.back();
  }

  void StartRegistry(Instance& i, const std::string& name, std::chrono::milliseconds interval = 5000ms,
                     std::chrono::milliseconds lapse_after = 20000ms) {
    Instance* self = &i;
    i.registry = std::make_unique<InstanceRegistry>(
        io_->ioc().get_executor(), *i.tier,
        InstanceRegistryOptions{.name = name, .interval = interval, .lapse_after = lapse_after},
        InstanceRegistry::Callbacks{
            .invalidate_all = [this, self]() -> asio::awaitable<bool> {
              if (self->refuse_invalidations.load() > 0) {
                --self->refuse_invalidations;
                co_return false;
              }
              co_await self->cache->InvalidateMany(tenants_, true);
              ++self->invalidations;  // counts finished invalidations
              co_return true;
            },
            .on_ready = [self] { self->cache->OpenRemote(); },
            .settle_pending = [self] { return self->cache->SettlePending(); }});
    i.registry->Start();
  }

  Result<Served> Get(Instance& i, domain::Id tenant) {
    return io_->Run(i.cache->GetOrSet(Category::kKpis, tenant, "days=30",
                                      [this]() -> asio::awaitable<Result<std::string>> {
                                        co_return "v" + std::to_string(version_.load());
                                      }));
  }
  static void Expect(const Result<Served>& r, Outcome outcome, const std::string& body, const std::string& what) {
    ASSERT_TRUE(r.has_value()) << what << ": " << r.error().message;
    EXPECT_EQ(static_cast<int>(r->outcome), static_cast<int>(outcome)) << what;
    ASSERT_NE(r->body, nullptr) << what;
    EXPECT_EQ(*r->body, body) << what;
  }
  RedisReply Redis(Instance& via, std::vector<std::string> args) {
    auto r = io_->Run(via.client->Execute(std::move(args)));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RedisReply{};
  }
  // What a process that was killed leaves behind: its record, beaten just now.
  void LeaveRecordOfAKilledProcess(Instance& via, const std::string& name) {
    auto beat = io_->Run(via.tier->Heartbeat(name, 60s));
    ASSERT_TRUE(beat) << beat.error().message;
  }

  std::string url_, prefix_;
  std::unique_ptr<IoThreads> io_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<domain::Id> tenants_{7, 8};
  std::atomic<int> version_{1};
};

TEST_F(InstanceRegistryTest, HeartbeatsRecordInstancesAndReportTheLapsedOnce) {
  Instance& a = Add(false);
  const std::string key = a.tier->InstancesKey();
  EXPECT_EQ(key, prefix_ + ":instances");

  auto first = io_->Run(a.tier->Heartbeat("a:1", 60s));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->was_registered);
  EXPECT_TRUE(first->lapsed.empty());
  auto again = io_->Run(a.tier->Heartbeat("a:1", 60s));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->was_registered);
  const std::int64_t ttl = Redis(a, {"TTL", key}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 600);

  // A record older than the lapse, and one that is not a number: both lapsed, reported to the
  // first beat that sees them and removed, so no one else acts on them again.
  ASSERT_TRUE(io_->Run(a.tier->Heartbeat("b:1", 60s)));  // another live instance: never lapsed
  Redis(a, {"HSET", key, "old:1", "1000", "junk:1", "x"});
  auto seen = io_->Run(a.tier->Heartbeat("a:1", 60s));
  ASSERT_TRUE(seen);
  std::vector<std::string> lapsed = seen->lapsed;
  std::sort(lapsed.begin(), lapsed.end());
  EXPECT_EQ(lapsed, (std::vector<std::string>{"junk:1", "old:1"}));
  auto later = io_->Run(a.tier->Heartbeat("b:1", 60s));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->lapsed.empty());
  EXPECT_EQ(Redis(a, {"HLEN", key}).integer, 2);

  ASSERT_TRUE(io_->Run(a.tier->Deregister("a:1")));
  EXPECT_EQ(Redis(a, {"HEXISTS", key, "a:1"}).integer, 0);
  EXPECT_EQ(Redis(a, {"HEXISTS", key, "b:1"}).integer, 1);
}

TEST_F(InstanceRegistryTest, TheSuccessorOfAKilledProcessInvalidatesEveryTenantBeforeUsingL2) {
  // The killed process: it cached v1, committed a write (v2) and died before telling Redis.
  Instance& killed = Add(false);
  Expect(Get(killed, 7), Outcome::kMiss, "v1", "cached before the write");
  version_ = 2;
  LeaveRecordOfAKilledProcess(killed, "host:8080");

  // Control: a reader without a registry is served the entry from before the write.
  Instance& plain = Add(false);
  Expect(Get(plain, 7), Outcome::kHitL2, "v1", "what the write left in Redis");

  // Its successor under the same name: L2 closed until its first beat's invalidation is done.
  Instance& next = Add(true);
  Expect(Get(next, 7), Outcome::kMiss, "v2", "L2 closed before the first beat");
  StartRegistry(next, "host:8080");
  ASSERT_TRUE(WaitFor([&] { return next.registry->ready(); }));
  EXPECT_EQ(next.invalidations.load(), 1);
  EXPECT_EQ(next.registry->unclean_stops_seen(), 1u);
  Expect(Get(next, 7), Outcome::kMiss, "v2", "after the invalidation");
  Expect(Get(plain, 7), Outcome::kHitL2, "v2", "every reader, through Redis");
}

TEST_F(InstanceRegistryTest, ACleanStopKeepsTheSharedEntries) {
  Instance& first = Add(true);
  StartRegistry(first, "host:8081");
  ASSERT_TRUE(WaitFor([&] { return first.registry->ready(); }));
  EXPECT_EQ(first.invalidations.load(), 0);
  Expect(Get(first, 8), Outcome::kMiss, "v1", "first run");
  EXPECT_TRUE(io_->Run(first.registry->Leave()));
  EXPECT_EQ(Redis(first, {"HEXISTS", first.tier->InstancesKey(), "host:8081"}).integer, 0);

  Instance& next = Add(true);
  StartRegistry(next, "host:8081");
  ASSERT_TRUE(WaitFor([&] { return next.registry->ready(); }));
  EXPECT_EQ(next.invalidations.load(), 0);
  Expect(Get(next, 8), Outcome::kHitL2, "v1", "the restart keeps the warm cache");
}

TEST_F(InstanceRegistryTest, AnotherInstanceNoticesOneThatFallsSilent) {
  Instance& dying = Add(false);
  Expect(Get(dying, 7), Outcome::kMiss, "v1", "cached before the write");
  version_ = 2;
  LeaveRecordOfAKilledProcess(dying, "pod-a:8080");  // fresh: not lapsed yet

  Instance& other = Add(true);
  StartRegistry(other, "pod-b:8080", 50ms, 400ms);
  ASSERT_TRUE(WaitFor([&] { return other.registry->ready(); }));
  ASSERT_TRUE(WaitFor([&] { return other.invalidations.load() == 1; }));
  EXPECT_EQ(other.registry->unclean_stops_seen(), 1u);
  Expect(Get(other, 7), Outcome::kMiss, "v2", "after the lapse");
  std::this_thread::sleep_for(200ms);  // several more beats: the lapse is acted on once
  EXPECT_EQ(other.invalidations.load(), 1);
  EXPECT_EQ(Redis(other, {"HEXISTS", other.tier->InstancesKey(), "pod-a:8080"}).integer, 0);
}

TEST_F(InstanceRegistryTest, AFailedInvalidationKeepsL2ClosedIsRetriedAndBlocksDeregistering) {
  Instance& killed = Add(false);
  Expect(Get(killed, 7), Outcome::kMiss, "v1", "cached before the write");
  version_ = 2;
  LeaveRecordOfAKilledProcess(killed, "host:8082");

  // The tenant list cannot be read (database down): L2 stays closed, beat after beat.
  Instance& next = Add(true);
  constexpr int kMany = 1'000'000;
  next.refuse_invalidations = kMany;
  StartRegistry(next, "host:8082", 50ms, 60s);
  ASSERT_TRUE(WaitFor([&] { return next.refuse_invalidations.load() <= kMany - 3; }));
  EXPECT_FALSE(next.registry->ready());
  Expect(Get(next, 7), Outcome::kMiss, "v2", "while the invalidation is owed");
  // A stop meanwhile does not deregister: the next run must still invalidate.
  EXPECT_FALSE(io_->Run(next.registry->Leave()));
  EXPECT_EQ(Redis(next, {"HEXISTS", next.tier->InstancesKey(), "host:8082"}).integer, 1);

  // The next run, with the database back: invalidates, then opens L2.
  Instance& again = Add(true);
  StartRegistry(again, "host:8082", 50ms, 60s);
  ASSERT_TRUE(WaitFor([&] { return again.registry->ready(); }));
  EXPECT_EQ(again.invalidations.load(), 1);
  Expect(Get(again, 7), Outcome::kMiss, "v2", "after the invalidation");
  Expect(Get(again, 7), Outcome::kHitL2, "v2", "L2 open");
}

// Redis away at start-up: the first beat fails within the command timeout, the server may start
// (on_first_beat), and L2 stays closed; nothing is deregistered on the way out.
TEST_F(InstanceRegistryTest, WithRedisAwayTheFirstBeatIsTriedAndL2StaysClosed) {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  o.command_timeout = 200ms;
  o.connect_timeout = 200ms;
  RedisClient client(io_->ioc().get_executor(), o);
  client.Start();
  RedisTier tier(client, prefix_, 600s);
  Cache cache(CacheOptions{.l1_max_bytes = 0, .ttls = {}, .l1_max_age = {}, .remote_starts_closed = true}, &tier);
  std::atomic<bool> first_beat{false}, opened{false};
  InstanceRegistry registry(io_->ioc().get_executor(), tier, {.name = "host:8084", .interval = 50ms},
                            {.invalidate_all = []() -> asio::awaitable<bool> { co_return true; },
                             .on_ready = [&] { opened = true; },
                             .settle_pending = [&] { return cache.SettlePending(); },
                             .on_first_beat = [&] { first_beat = true; }});
  registry.Start();
  ASSERT_TRUE(WaitFor([&] { return first_beat.load(); }, 5s));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(opened.load());
  EXPECT_FALSE(registry.ready());
  EXPECT_FALSE(io_->Run(registry.Leave()));
  client.Shutdown();
}

}  // namespace
}  // namespace iam::cache
