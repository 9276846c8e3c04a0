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
#include "support/eventually.hpp"
#include "support/io_threads.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::IoThreads;

using test::Eventually;

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
  std::atomic<int> open_at_first_beat{-1};   // whether L2 was open when on_first_beat ran
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
            .set_remote_open = [self](bool open) { self->cache->SetRemoteOpen(open); },
            .settle_pending = [self] { return self->cache->FlushPending(); },
            .on_first_beat = [self] { self->open_at_first_beat = self->registry->remote_open() ? 1 : 0; }});
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
    auto beat = io_->Run(via.tier->Heartbeat(name, "killed-token", 1000ms));
    ASSERT_TRUE(beat) << beat.error().message;
  }

  // A process that cached v1 of tenant 7, committed a write (v2 from now on) and was killed before
  // its invalidation reached Redis: its entry and its record stay behind.
  Instance& KilledMidWrite(const std::string& name) {
    Instance& killed = Add(false);
    Expect(Get(killed, 7), Outcome::kMiss, "v1", "cached before the write");
    version_ = 2;
    LeaveRecordOfAKilledProcess(killed, name);
    return killed;
  }

  std::string url_, prefix_;
  std::unique_ptr<IoThreads> io_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<domain::Id> tenants_{7, 8};
  std::atomic<int> version_{1};
};

TEST_F(InstanceRegistryTest, HeartbeatsRecordInstancesAndReportTheLapsedByTheirOwnLapse) {
  Instance& a = Add(false);
  const std::string key = a.tier->InstancesKey();
  EXPECT_EQ(key, prefix_ + ":instances");
  auto beat = [&](const std::string& name, const std::string& token, std::chrono::milliseconds lapse) {
    auto r = io_->Run(a.tier->Heartbeat(name, token, lapse));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : InstanceHeartbeat{};
  };

  auto first = beat("a:1", "ta", 60s);
  EXPECT_FALSE(first.previous_token.has_value());
  EXPECT_TRUE(first.lapsed.empty());
  auto again = beat("a:1", "ta", 60s);
  ASSERT_TRUE(again.previous_token.has_value());
  EXPECT_EQ(*again.previous_token, "ta");
  EXPECT_FALSE(again.previous_lapsed);
  const std::int64_t ttl = Redis(a, {"TTL", key}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 600);

  // Each record is judged by its own lapse: b (60 s) is fresh to a beat asking for 1 ms; c (1 ms)
  // has lapsed 20 ms later to a beat asking for 60 s. Hand-written junk counts as lapsed.
  beat("b:1", "tb", 60s);
  beat("c:1", "tc", 1ms);
  Redis(a, {"HSET", key, "junk:1", "x"});
  std::this_thread::sleep_for(20ms);
  auto seen = beat("a:1", "ta", 1ms);
  std::vector<std::string> lapsed;
  for (const auto& r : seen.lapsed) lapsed.push_back(r.name + "/" + r.token);
  std::sort(lapsed.begin(), lapsed.end());
  EXPECT_EQ(lapsed, (std::vector<std::string>{"c:1/tc", "junk:1/"}));
  // Reported, not removed: every beat sees them until someone forgets them. (a's record, beaten
  // with a 1 ms lapse just above, is given a long one first, or it would have lapsed too.)
  beat("a:1", "ta", 60s);
  EXPECT_EQ(beat("b:1", "tb", 60s).lapsed.size(), 2u);

  // Forget removes a record only while it carries the token.
  ASSERT_TRUE(io_->Run(a.tier->Forget("c:1", "not-its-token")));
  EXPECT_EQ(Redis(a, {"HEXISTS", key, "c:1"}).integer, 1);
  ASSERT_TRUE(io_->Run(a.tier->Forget("c:1", "tc")));
  EXPECT_EQ(Redis(a, {"HEXISTS", key, "c:1"}).integer, 0);

  // A long lapse keeps the hash alive at least twice as long.
  beat("slow:1", "ts", 3600s);
  EXPECT_GT(Redis(a, {"TTL", key}).integer, 7200);
}

TEST_F(InstanceRegistryTest, TheSuccessorOfAKilledProcessInvalidatesEveryTenantBeforeUsingL2) {
  KilledMidWrite("host:8080");

  // Control: a reader without a registry is served the entry from before the write.
  Instance& plain = Add(false);
  Expect(Get(plain, 7), Outcome::kHitL2, "v1", "what the write left in Redis");

  // Its successor under the same name: L2 closed until its first beat's invalidation is done.
  Instance& next = Add(true);
  Expect(Get(next, 7), Outcome::kMiss, "v2", "L2 closed before the first beat");
  StartRegistry(next, "host:8080");
  ASSERT_TRUE(Eventually([&] { return next.registry->remote_open(); }));
  EXPECT_EQ(next.open_at_first_beat.load(), 0) << "an invalidation owed: accepting does not wait for it";
  EXPECT_EQ(next.invalidations.load(), 1);
  EXPECT_EQ(next.registry->unclean_stops_seen(), 1u);
  Expect(Get(next, 7), Outcome::kMiss, "v2", "after the invalidation");
  Expect(Get(plain, 7), Outcome::kHitL2, "v2", "every reader, through Redis");
}

TEST_F(InstanceRegistryTest, ACleanStopKeepsTheSharedEntries) {
  Instance& first = Add(true);
  StartRegistry(first, "host:8081");
  ASSERT_TRUE(Eventually([&] { return first.registry->remote_open(); }));
  EXPECT_EQ(first.invalidations.load(), 0);
  Expect(Get(first, 8), Outcome::kMiss, "v1", "first run");
  EXPECT_TRUE(io_->Run(first.registry->Leave()));
  EXPECT_EQ(Redis(first, {"HEXISTS", first.tier->InstancesKey(), "host:8081"}).integer, 0);

  Instance& next = Add(true);
  StartRegistry(next, "host:8081");
  ASSERT_TRUE(Eventually([&] { return next.registry->remote_open(); }));
  EXPECT_EQ(next.invalidations.load(), 0);
  EXPECT_EQ(next.open_at_first_beat.load(), 1) << "nothing owed: accepting starts with L2 open";
  Expect(Get(next, 8), Outcome::kHitL2, "v1", "the restart keeps the warm cache");
}

TEST_F(InstanceRegistryTest, AnotherInstanceNoticesOneThatFallsSilentAndClosesL2UntilItHasInvalidated) {
  KilledMidWrite("pod-a:8080");  // its record lapses 1 s after its last beat
  Instance& plain = Add(false);
  Expect(Get(plain, 7), Outcome::kHitL2, "v1", "control: what the write left in Redis");

  Instance& other = Add(true);
  constexpr int kMany = 1'000'000;
  other.refuse_invalidations = kMany;  // the first attempts fail (database away)
  StartRegistry(other, "pod-b:8080", 50ms, 60s);

  // The lapse is noticed: L2 closes while the invalidation is owed, and the record stays.
  ASSERT_TRUE(Eventually([&] { return other.refuse_invalidations.load() <= kMany - 2; }));
  EXPECT_FALSE(other.registry->remote_open());
  Expect(Get(other, 7), Outcome::kMiss, "v2", "L2 closed while the invalidation is owed");
  EXPECT_EQ(Redis(other, {"HEXISTS", other.tier->InstancesKey(), "pod-a:8080"}).integer, 1);

  other.refuse_invalidations = 0;
  ASSERT_TRUE(Eventually([&] { return other.invalidations.load() == 1 && other.registry->remote_open(); }));
  EXPECT_EQ(other.registry->unclean_stops_seen(), 1u);
  Expect(Get(other, 7), Outcome::kMiss, "v2", "after the invalidation");
  Expect(Get(other, 7), Outcome::kHitL2, "v2", "L2 open again");
  EXPECT_EQ(Redis(other, {"HEXISTS", other.tier->InstancesKey(), "pod-a:8080"}).integer, 0);
  std::this_thread::sleep_for(200ms);  // several more beats: the lapse is acted on once
  EXPECT_EQ(other.invalidations.load(), 1);
}

TEST_F(InstanceRegistryTest, AFailedInvalidationKeepsL2ClosedIsRetriedAndBlocksDeregistering) {
  KilledMidWrite("host:8082");

  // The tenant list cannot be read (database down): L2 stays closed, beat after beat.
  Instance& next = Add(true);
  constexpr int kMany = 1'000'000;
  next.refuse_invalidations = kMany;
  StartRegistry(next, "host:8082", 50ms, 60s);
  ASSERT_TRUE(Eventually([&] { return next.refuse_invalidations.load() <= kMany - 3; }));
  EXPECT_FALSE(next.registry->remote_open());
  Expect(Get(next, 7), Outcome::kMiss, "v2", "while the invalidation is owed");
  // A stop meanwhile does not deregister: the next run must still invalidate.
  EXPECT_FALSE(io_->Run(next.registry->Leave()));
  EXPECT_EQ(Redis(next, {"HEXISTS", next.tier->InstancesKey(), "host:8082"}).integer, 1);

  // The next run, with the database back: invalidates, then opens L2.
  Instance& again = Add(true);
  StartRegistry(again, "host:8082", 50ms, 60s);
  ASSERT_TRUE(Eventually([&] { return again.registry->remote_open(); }));
  EXPECT_EQ(again.invalidations.load(), 1);
  Expect(Get(again, 7), Outcome::kMiss, "v2", "after the invalidation");
  Expect(Get(again, 7), Outcome::kHitL2, "v2", "L2 open");
}

// Redis away at start-up: the first beat fails within the command timeout, the server may start
// (on_first_beat) and L2 stays closed; once Redis answers, the beat opens it.
TEST_F(InstanceRegistryTest, WithRedisAwayTheFirstBeatIsTriedAndL2OpensWhenItAnswers) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_TRUE(server.Stop()) << server.error();  // its port stays reserved
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = server.port();
  o.command_timeout = 200ms;
  o.connect_timeout = 200ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 100ms;
  RedisClient client(io_->ioc().get_executor(), o);
  client.Start();
  RedisTier tier(client, prefix_, 600s);
  Cache cache(CacheOptions{.l1_max_bytes = 0, .ttls = {}, .l1_max_age = {}, .remote_starts_closed = true}, &tier);
  std::atomic<bool> first_beat{false};
  InstanceRegistry registry(io_->ioc().get_executor(), tier, {.name = "host:8084", .interval = 50ms},
                            {.invalidate_all = []() -> asio::awaitable<bool> { co_return true; },
                             .set_remote_open = [&](bool open) { cache.SetRemoteOpen(open); },
                             .settle_pending = [&] { return cache.FlushPending(); },
                             .on_first_beat = [&] { first_beat = true; }});
  registry.Start();
  ASSERT_TRUE(Eventually([&] { return first_beat.load(); }, 5s));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(registry.remote_open());

  ASSERT_TRUE(server.Restart()) << server.error();
  ASSERT_TRUE(Eventually([&] { return registry.remote_open(); }));
  EXPECT_EQ(registry.unclean_stops_seen(), 0u);  // a fresh Redis: no record left by anyone
  EXPECT_TRUE(io_->Run(registry.Leave()));
  client.Shutdown();
}

}  // namespace
}  // namespace iam::cache
