// The intelligent cache over real redis-servers (never mocks): cross-instance stampede protection
// (two Cache instances with their own L1 and Redis client on one Redis, 50 concurrent misses each
// on one key: the factory runs about once in total), a lock holder that never delivers (the
// waiters take the lock when it expires, or give up after the lock TTL and compute), a Redis that
// refuses the lock or is frozen (computed at once, no deadlock), and the fail-safe value served
// when the database fails after a write, with Redis up.
// The harness's shared Redis (IAM_TEST_REDIS_URL) serves most tests, each under a prefix of its
// own; tests that reconfigure Redis start a private redis-server (support/redis_server.hpp).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.hpp"
#include "cache/redis_client.hpp"
#include "cache/redis_tier.hpp"
#include "support/io_threads.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Factory = Cache::Factory;

std::string UniquePrefix() {
  std::mt19937_64 rng{std::random_device{}()};
  return "iam-smart-test-" + std::to_string(rng() % 1'000'000'000'000ULL);
}

using test::IoThreads;

asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

struct Node {
  std::unique_ptr<RedisClient> client;
  std::unique_ptr<RedisTier> tier;
  std::unique_ptr<Cache> cache;
};

class SmartCacheRedisTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Background work first, then clients, then the io_context their sockets belong to.
    for (auto& n : nodes_)
      for (int i = 0; i < 1000 && n->cache->BackgroundInFlight() > 0; ++i) std::this_thread::sleep_for(5ms);
    nodes_.clear();
    admin_.reset();
    io_.reset();
  }

  RedisOptions Options(const std::string& url, std::chrono::milliseconds timeout) {
    auto o = ParseRedisUrl(url);
    EXPECT_TRUE(o) << o.error().message;
    RedisOptions opts = o ? *o : RedisOptions{};
    opts.command_timeout = timeout;
    opts.connect_timeout = 2000ms;
    opts.reconnect_min = 20ms;
    opts.reconnect_max = 200ms;
    return opts;
  }

  void Init(const std::string& url) {
    url_ = url;
    io_ = std::make_unique<IoThreads>();
    admin_ = std::make_unique<RedisClient>(io_->ioc().get_executor(), Options(url, 2000ms));
    admin_->Start();
    auto up = io_->Run(admin_->WaitConnected(5s));
    ASSERT_TRUE(up) << up.error().message;
  }

  Node& AddNode(CacheOptions options, std::chrono::milliseconds redis_timeout = 2000ms) {
    auto n = std::make_unique<Node>();
    n->client = std::make_unique<RedisClient>(io_->ioc().get_executor(), Options(url_, redis_timeout));
    n->client->Start();
    auto up = io_->Run(n->client->WaitConnected(5s));
    EXPECT_TRUE(up) << up.error().message;
    n->tier = std::make_unique<RedisTier>(*n->client, prefix_, 2 * options.ttls.Longest());
    n->cache = std::make_unique<Cache>(std::move(options), n->tier.get());
    nodes_.push_back(std::move(n));
    return *nodes_.back();
  }

  RedisReply Redis(std::vector<std::string> args) {
    auto r = io_->Run(admin_->Execute(std::move(args)));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RedisReply{};
  }

  std::string prefix_ = UniquePrefix();
  std::string url_;
  std::unique_ptr<IoThreads> io_;
  std::unique_ptr<RedisClient> admin_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

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

// Two instances (own L1, own Redis connection, one Redis), 50 concurrent misses each on one key
// whose computation takes 200 ms: one instance computes, the other waits for its value in Redis.
TEST_F(SmartCacheRedisTest, StampedeAcrossTwoInstancesComputesAboutOnce) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  constexpr int kPerInstance = 50;
  const CacheOptions options{.lock_ttl = 2000ms};
  Node* nodes[2] = {&AddNode(options), &AddNode(options)};
  std::atomic<int> runs[2] = {0, 0};
  std::vector<Factory> factories;
  for (int i = 0; i < 2; ++i)
    factories.push_back([&runs, i]() -> asio::awaitable<Result<std::string>> {
      ++runs[i];
      co_await Sleep(200ms);  // the database query
      co_return std::string("computed");
    });
  const std::string variant = "kpis;d=1";
  std::vector<std::future<Result<Served>>> calls[2];
  for (int k = 0; k < kPerInstance; ++k)
    for (int i = 0; i < 2; ++i)
      calls[i].push_back(asio::co_spawn(io_->ioc(), nodes[i]->cache->GetOrSet(Category::kKpis, 77, variant, factories[i]),
                                        asio::use_future));
  std::map<std::string, int> outcomes[2];
  for (int i = 0; i < 2; ++i)
    for (auto& f : calls[i]) {
      ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
      auto r = f.get();
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(*r->body, "computed");
      ++outcomes[i][OutcomeName(r->outcome)];
    }
  const int total = runs[0] + runs[1];
  for (int i = 0; i < 2; ++i) {
    const StatsSnapshot s = nodes[i]->cache->Snapshot();
    std::cout << "[stampede] instance " << i << ": factory runs " << runs[i] << ", outcomes";
    for (const auto& [k, v] : outcomes[i]) std::cout << " " << k << "=" << v;
    std::cout << "; lock acquired " << s.lock_acquired << ", waits " << s.lock_waits << ", wait hits "
              << s.lock_wait_hits << ", wait timeouts " << s.lock_wait_timeouts << "\n";
  }
  std::cout << "[stampede] factory runs in total: " << total << " for " << 2 * kPerInstance << " concurrent misses\n";
  EXPECT_GE(total, 1);
  EXPECT_LE(total, 2);
  const StatsSnapshot a = nodes[0]->cache->Snapshot(), b = nodes[1]->cache->Snapshot();
  EXPECT_GE(a.lock_acquired + b.lock_acquired, 1u);
  // One leader per instance (single-flight) reached the lock; the one that did not compute got
  // the other's value while waiting.
  EXPECT_LE(a.lock_waits + b.lock_waits, 1u);
  if (total == 1) {
    EXPECT_EQ(a.lock_wait_hits + b.lock_wait_hits, a.lock_waits + b.lock_waits);
  }
}

// Another instance holds the lock and never stores a value: a waiter takes the lock once it
// expires and computes (kLockTaken), or, when it outlives the wait, gives up and computes.
TEST_F(SmartCacheRedisTest, AbsentLockHolderNeverBlocksLongerThanTheLockTtl) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  struct Case {
    const char* name;
    int foreign_lock_ms;
    bool expect_timeout;
  };
  domain::Id tenant = 200;
  for (const Case c : {Case{"foreign lock expires during the wait", 200, false},
                       Case{"foreign lock outlives the wait", 60000, true}}) {
    SCOPED_TRACE(c.name);
    Node& n = AddNode(CacheOptions{.lock_ttl = 500ms});
    ++tenant;
    const std::string variant = "kpis;d=1";
    auto found = io_->Run(n.tier->Get(tenant, Category::kKpis, variant));  // creates the generation
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(Redis({"SET", n.tier->LockKey(tenant, Category::kKpis, found->generation, variant), "another-instance",
                       "NX", "PX", std::to_string(c.foreign_lock_ms)})
                    .IsStatus("OK"));
    int runs = 0;
    const Factory f = [&runs]() -> asio::awaitable<Result<std::string>> {
      ++runs;
      co_return std::string("mine");
    };
    const auto start = std::chrono::steady_clock::now();
    auto r = io_->Run(n.cache->GetOrSet(Category::kKpis, tenant, variant, f));
    const auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r->body, "mine");
    EXPECT_EQ(runs, 1);
    const StatsSnapshot s = n.cache->Snapshot();
    EXPECT_EQ(s.lock_waits, 1u);
    EXPECT_EQ(s.lock_wait_timeouts, c.expect_timeout ? 1u : 0u);
    EXPECT_EQ(s.lock_acquired, c.expect_timeout ? 0u : 1u);
    EXPECT_LT(waited, 10s) << "bounded by the lock TTL (500 ms) plus Redis round trips";
  }
}

// Redis refuses SET (ACL) or is frozen: the lock cannot be taken, and the miss computes at once.
TEST_F(SmartCacheRedisTest, RedisFailingAroundTheLockMeansComputingNotWaiting) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_NO_FATAL_FAILURE(Init(server.url()));
  Node& n = AddNode(CacheOptions{.l1_max_bytes = 0, .lock_ttl = 60000ms}, 200ms);
  int runs = 0;
  const Factory f = [&runs]() -> asio::awaitable<Result<std::string>> {
    ++runs;
    co_return std::string("v");
  };
  ASSERT_NE(server.Cli({"ACL", "SETUSER", "default", "-set"}).find("OK"), std::string::npos);
  auto r = io_->Run(n.cache->GetOrSet(Category::kKpis, 5, "a", f));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(n.cache->Snapshot().lock_waits, 0u);
  EXPECT_EQ(n.cache->Snapshot().lock_acquired, 0u);

  ASSERT_TRUE(server.Pause());
  const auto start = std::chrono::steady_clock::now();
  r = io_->Run(n.cache->GetOrSet(Category::kKpis, 5, "b", f));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(server.Resume());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(runs, 2);
  EXPECT_LT(took, 10s) << "no wait for a lock while Redis is frozen (the lock TTL is 60 s)";
}

// Fail-safe with Redis up: after a write, the database fails; the last good value answers STALE
// on this instance (its L1 keeps it under a generation-less key).
TEST_F(SmartCacheRedisTest, FailSafeAfterAWriteWithRedisUp) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  Node& n = AddNode(CacheOptions{.failsafe_max_age = 300s, .lock_ttl = 2000ms});
  std::string data = "v1";
  bool down = false;
  const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
    if (down) co_return Fail(Error::Unavailable("BD caída"));
    co_return data;
  };
  auto r = io_->Run(n.cache->GetOrSet(Category::kKpis, 9, "k", f));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->body, "v1");
  data = "v2";
  io_->Run(n.cache->Invalidate(9));
  r = io_->Run(n.cache->GetOrSet(Category::kKpis, 9, "k", f));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->body, "v2") << "normal operation: the write is seen";
  data = "v3";
  io_->Run(n.cache->Invalidate(9));
  down = true;
  r = io_->Run(n.cache->GetOrSet(Category::kKpis, 9, "k", f));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r->body, "v2");
  EXPECT_EQ(r->outcome, Outcome::kStale);
  EXPECT_EQ(n.cache->Snapshot().stale_failsafe, 1u);
}

// Refresh-ahead with two instances: after a write through instance A (Invalidate, then the change
// feed's InvalidateMany on both, as in `iam serve`), A recomputes its hot key once, in the
// background, and stores it in L2 under the current generation: B's next read is a HIT L2 of the
// new value without computing, and A's is a HIT L1.
TEST_F(SmartCacheRedisTest, RefreshAheadAfterAWriteReachesTheOtherInstanceThroughL2) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  const CacheOptions options{.refresh_ahead_min_reads = 2, .refresh_ahead_debounce = 100ms};
  Node& a = AddNode(options);
  Node& b = AddNode(options);
  std::atomic<int> version{1}, reads{0};
  const Factory f = [&]() -> asio::awaitable<Result<std::string>> {
    ++reads;
    co_return "v" + std::to_string(version.load());
  };
  const domain::Id tenant = 300;
  auto get = [&](Node& n) { return io_->Run(n.cache->GetOrSet(Category::kKpis, tenant, "kpis;d=1", f, false, f)); };
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(get(a));  // hot on A
  auto rb = get(b);
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->outcome, Outcome::kHitL2);
  EXPECT_EQ(reads.load(), 1);

  version = 2;  // the write commits, then:
  io_->Run(a.cache->Invalidate(tenant));
  const domain::Id tenants[] = {tenant};
  io_->Run(a.cache->InvalidateMany(tenants, false));  // the change feed, on both instances
  io_->Run(b.cache->InvalidateMany(tenants, false));
  for (int i = 0; i < 2000 && (a.cache->Snapshot().refresh_ahead_runs < 1 || a.cache->BackgroundInFlight() > 0); ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(a.cache->Snapshot().refresh_ahead_runs, 1u);
  EXPECT_EQ(b.cache->Snapshot().refresh_ahead_runs, 0u) << "the change feed does not start refreshes";
  EXPECT_EQ(reads.load(), 2);
  rb = get(b);
  ASSERT_TRUE(rb);
  EXPECT_EQ(*rb->body, "v2");
  EXPECT_EQ(OutcomeName(rb->outcome), std::string("HIT-L2"));
  auto ra = get(a);
  ASSERT_TRUE(ra);
  EXPECT_EQ(*ra->body, "v2");
  EXPECT_EQ(OutcomeName(ra->outcome), std::string("HIT-L1"));
  EXPECT_EQ(reads.load(), 2);
}

}  // namespace
}  // namespace iam::cache
