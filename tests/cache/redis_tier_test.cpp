// Cache over a RedisTier against real redis-servers (never mocks): the key layout and TTLs of every
// category, the stale-set race reproduced deterministically (a factory held open across a write)
// and shown harmless in both tiers, 100 concurrent misses on one key running the factory once, a
// write whose Redis invalidation failed (Redis answering errors) never letting the older L2 entry
// be served and caching resuming once Redis accepts the bump again, and generations never reused:
// neither after the generation key expired nor after Redis restarted empty while a computation
// that started before was still running (its late store must stay unreachable).
//
// The harness's shared Redis (IAM_TEST_REDIS_URL) serves most tests, each under a prefix of its
// own; tests that reconfigure Redis start a private redis-server (support/redis_server.hpp).
// Timing bounds are generous on purpose (2 shared cores, ASan).
#include "cache/redis_tier.hpp"

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
#include <functional>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.hpp"
#include "cache/redis_client.hpp"
#include "support/eventually.hpp"
#include "support/io_threads.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Factory = Cache::Factory;

constexpr Category kAllCategories[] = {Category::kKpis,       Category::kFinancialKpis, Category::kProductKpis,
                                       Category::kMovementKpis, Category::kPredictiveKpis, Category::kProductos,
                                       Category::kProveedores,  Category::kEmpresa,        Category::kUsuario,
                                       Category::kSession};
static_assert(std::size(kAllCategories) == kCategoryCount);

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

std::string UniquePrefix() {
  std::mt19937_64 rng{std::random_device{}()};
  return "iam-tier-test-" + std::to_string(rng() % 1'000'000'000'000ULL);
}

using test::IoThreads;

// Suspends (1 ms steps) until pred() holds or `limit` passes; returns whether it held.
asio::awaitable<bool> WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > deadline) co_return false;
    timer.expires_after(1ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

using test::Eventually;

// One "process": its Redis client and tier (same prefix as its peers) and a Cache over them.
struct Node {
  std::unique_ptr<RedisClient> client;
  std::unique_ptr<RedisTier> tier;
  std::unique_ptr<Cache> cache;
};

class RedisTierTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Clients before the io_context their sockets belong to.
    nodes_.clear();
    admin_.reset();
    io_.reset();
  }

  // The connection options every client of this test uses: generous timeouts (shared machine).
  RedisOptions Options(const std::string& url, std::chrono::milliseconds timeout = 2000ms) {
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
    admin_ = std::make_unique<RedisClient>(io_->ioc().get_executor(), Options(url));
    admin_->Start();
    auto up = io_->Run(admin_->WaitConnected(5s));
    ASSERT_TRUE(up) << up.error().message;
  }

  // A node sharing this test's Redis and prefix. l1_max_bytes 0: L2 only.
  Node& AddNode(std::size_t l1_max_bytes, CacheTtls ttls = {}, std::chrono::seconds generation_ttl = 0s) {
    auto n = std::make_unique<Node>();
    n->client = std::make_unique<RedisClient>(io_->ioc().get_executor(), Options(url_));
    n->client->Start();
    auto up = io_->Run(n->client->WaitConnected(5s));
    EXPECT_TRUE(up) << up.error().message;
    n->tier = std::make_unique<RedisTier>(*n->client, prefix_,
                                          generation_ttl.count() > 0 ? generation_ttl : 2 * ttls.Longest());
    n->cache = std::make_unique<Cache>(CacheOptions{.l1_max_bytes = l1_max_bytes, .ttls = ttls, .l1_max_age = {}},
                                       n->tier.get());
    nodes_.push_back(std::move(n));
    return *nodes_.back();
  }

  RedisReply Redis(std::vector<std::string> args) {
    auto r = io_->Run(admin_->Execute(std::move(args)));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RedisReply{};
  }
  std::vector<std::string> Keys(const std::string& pattern) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      RedisReply r = Redis({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (r.elements.size() != 2) break;
      cursor = r.elements[0].str;
      for (const auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    return keys;
  }

  // The tenant's generation as Redis holds it ("" when there is none).
  std::string Generation(const RedisTier& tier, domain::Id tenant) {
    RedisReply r = Redis({"GET", tier.GenerationKey(tenant)});
    return r.IsString() ? r.str : std::string();
  }
  static std::string Next(const std::string& generation) { return std::to_string(std::stoll(generation) + 1); }

  Result<Served> Get(Cache& c, Category cat, domain::Id tenant, const std::string& variant, const Factory& f) {
    return io_->Run(c.GetOrSet(cat, tenant, variant, f));
  }

  static void ExpectServed(const Result<Served>& r, Outcome outcome, const std::string& body,
                           const std::string& what = {}) {
    ASSERT_TRUE(r.has_value()) << what << ": " << r.error().code << " " << r.error().message;
    EXPECT_EQ(OutcomeName(r->outcome), std::string(OutcomeName(outcome))) << what;
    ASSERT_NE(r->body, nullptr) << what;
    EXPECT_EQ(*r->body, body) << what;
  }

  std::string prefix_ = UniquePrefix();
  std::string url_;
  std::unique_ptr<IoThreads> io_;
  std::unique_ptr<RedisClient> admin_;  // the test's own view of Redis
  std::vector<std::unique_ptr<Node>> nodes_;
};

// A source of data the factories read, and how often they did.
struct Source {
  std::atomic<int> version{1};
  std::atomic<int> reads{0};
  std::string Read() {
    ++reads;
    return "v" + std::to_string(version.load());
  }
  Factory factory() {
    return [this]() -> asio::awaitable<Result<std::string>> { co_return Read(); };
  }
};

TEST_F(RedisTierTest, EveryCategoryMissesThenHitsL1ThenL2ElsewhereWithItsTtlAndThePrefix) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  CacheTtls ttls;  // the documented defaults
  Node& a = AddNode(1 << 20, ttls);
  Node& b = AddNode(1 << 20, ttls);
  const domain::Id tenant = 41;
  Source src;
  const Factory f = src.factory();
  const std::string variant = "days=7;d=1";
  for (Category c : kAllCategories) {
    const std::string what(CategoryName(c));
    ExpectServed(Get(*a.cache, c, tenant, variant, f), Outcome::kMiss, "v1", what);
    ExpectServed(Get(*a.cache, c, tenant, variant, f), Outcome::kHitL1, "v1", what);
    ExpectServed(Get(*b.cache, c, tenant, variant, f), Outcome::kHitL2, "v1", what);
    ExpectServed(Get(*b.cache, c, tenant, variant, f), Outcome::kHitL1, "v1", what);
    // Stored under the tenant's current generation (created by the first lookup), with the
    // category's TTL.
    const std::string gen = Generation(*a.tier, tenant);
    ASSERT_FALSE(gen.empty());
    const std::string key = a.tier->EntryKey(tenant, c, variant);
    EXPECT_EQ(key, prefix_ + ":{t41}:" + what + ":" + variant);
    EXPECT_EQ(Redis({"GET", key}).str, gen + "\nv1") << what;
    const std::int64_t pttl = Redis({"PTTL", key}).integer;
    EXPECT_GT(pttl, 0) << what;
    EXPECT_LE(pttl, std::chrono::duration_cast<std::chrono::milliseconds>(ttls.For(c)).count()) << what;
    EXPECT_GT(pttl, std::chrono::duration_cast<std::chrono::milliseconds>(ttls.For(c)).count() - 60'000) << what;
  }
  EXPECT_EQ(src.reads.load(), static_cast<int>(kCategoryCount)) << "one computation per category";

  // A write (acknowledged by node A): every category misses on A and on any node reading through
  // L2 (C, L1 disabled); the generation key carries a TTL too. (B's own L1 is another process's
  // memory: without a change notification it may serve "v1" until its L1 age cap — the documented
  // cross-instance window, covered by the API tests.)
  Node& c3 = AddNode(0, ttls);
  const std::string gen_before = Generation(*a.tier, tenant);
  src.version = 2;
  io_->Run(a.cache->Invalidate(tenant));
  const std::string gen_key = a.tier->GenerationKey(tenant);
  EXPECT_EQ(gen_key, prefix_ + ":{t41}:gen");
  EXPECT_EQ(Redis({"GET", gen_key}).str, Next(gen_before));
  const std::int64_t gen_pttl = Redis({"PTTL", gen_key}).integer;
  EXPECT_GT(gen_pttl, 0);
  EXPECT_LE(gen_pttl, 2 * std::chrono::duration_cast<std::chrono::milliseconds>(ttls.Longest()).count());
  for (Category c : kAllCategories) {
    const std::string what(CategoryName(c));
    ExpectServed(Get(*a.cache, c, tenant, variant, f), Outcome::kMiss, "v2", what);
    ExpectServed(Get(*c3.cache, c, tenant, variant, f), Outcome::kHitL2, "v2", what);
    ExpectServed(Get(*a.cache, c, tenant, variant, f), Outcome::kHitL1, "v2", what);
  }
  for (const std::string& k : Keys("*" + prefix_ + "*")) {
    EXPECT_TRUE(k.starts_with(prefix_ + ":{t41}:")) << k;
    EXPECT_GT(Redis({"PTTL", k}).integer, 0) << k;
  }
}

// The classic race of cache-aside invalidation, made deterministic: a read computes from the data
// as it was before a write, is held until the write has been acknowledged (its invalidation has
// returned), and only then stores its result. That late value must be unreachable: stored under
// the old generation in Redis and the old stamp in L1, while every read that starts after the
// write gets fresh data, from L1 and from L2 (a second node with L1 disabled).
TEST_F(RedisTierTest, StaleSetRaceIsHarmlessInBothTiers) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  Node& a = AddNode(1 << 20);
  Node& b = AddNode(0);  // L2 only
  const domain::Id tenant = 7;
  const std::string variant = "period=month;d=1";
  Source src;
  const Factory fresh = src.factory();

  // Warm: an entry under generation 0, then a first write (generation 1), so the race below is
  // between non-trivial generations.
  ExpectServed(Get(*a.cache, Category::kFinancialKpis, tenant, variant, fresh), Outcome::kMiss, "v1");
  src.version = 2;
  io_->Run(a.cache->Invalidate(tenant));
  const std::string old_gen = Generation(*a.tier, tenant);
  ASSERT_FALSE(old_gen.empty());

  std::atomic<bool> entered{false}, release{false};
  const Factory held = [&]() -> asio::awaitable<Result<std::string>> {
    std::string read = src.Read();  // the data before the write
    entered = true;
    co_await WaitUntil([&] { return release.load(); }, 20s);
    co_return read;
  };
  auto late = asio::co_spawn(io_->ioc(), a.cache->GetOrSet(Category::kFinancialKpis, tenant, variant, held),
                             asio::use_future);
  ASSERT_TRUE(Eventually([&] { return entered.load(); }, 10s)) << "the held factory never ran";

  // The write commits and is acknowledged while the read is still computing.
  src.version = 3;
  io_->Run(a.cache->Invalidate(tenant));
  EXPECT_EQ(Generation(*a.tier, tenant), Next(old_gen));

  // The read resumes and stores its pre-write value (it started before the write: allowed to
  // return it to its own caller).
  release = true;
  ASSERT_EQ(late.wait_for(10s), std::future_status::ready);
  ExpectServed(late.get(), Outcome::kMiss, "v2", "the held read");
  // ... marked with the old generation, which no lookup accepts any more.
  EXPECT_EQ(Redis({"GET", a.tier->EntryKey(tenant, Category::kFinancialKpis, variant)}).str,
            RedisTier::EntryValue(old_gen, "v2"));
  EXPECT_NE(Generation(*a.tier, tenant), old_gen);

  // Every read that starts now gets fresh data: node B (L2 only) computes it...
  ExpectServed(Get(*b.cache, Category::kFinancialKpis, tenant, variant, fresh), Outcome::kMiss, "v3", "node B");
  // ... node A's L1 does not serve the late value, its L2 lookup finds B's fresh one ...
  ExpectServed(Get(*a.cache, Category::kFinancialKpis, tenant, variant, fresh), Outcome::kHitL2, "v3", "node A");
  // ... and from then on both serve it from cache.
  ExpectServed(Get(*a.cache, Category::kFinancialKpis, tenant, variant, fresh), Outcome::kHitL1, "v3", "node A");
  ExpectServed(Get(*b.cache, Category::kFinancialKpis, tenant, variant, fresh), Outcome::kHitL2, "v3", "node B");
  EXPECT_EQ(src.reads.load(), 3) << "warm, held, and one fresh computation";
}

// The same race where the held read had already looked up L2 (a miss) before the write, on a
// node with L1 disabled: its late Put must not become visible to reads after the write.
TEST_F(RedisTierTest, StaleSetRaceIsHarmlessWithL2Only) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  Node& b = AddNode(0);
  Node& c = AddNode(0);
  const domain::Id tenant = 8;
  const std::string variant = "kpis;d=1";
  Source src;
  const Factory fresh = src.factory();
  std::atomic<bool> entered{false}, release{false};
  const Factory held = [&]() -> asio::awaitable<Result<std::string>> {
    std::string read = src.Read();
    entered = true;
    co_await WaitUntil([&] { return release.load(); }, 20s);
    co_return read;
  };
  auto late = asio::co_spawn(io_->ioc(), b.cache->GetOrSet(Category::kKpis, tenant, variant, held), asio::use_future);
  ASSERT_TRUE(Eventually([&] { return entered.load(); }, 10s));
  src.version = 2;
  io_->Run(c.cache->Invalidate(tenant));  // the write is acknowledged by the other node
  release = true;
  ASSERT_EQ(late.wait_for(10s), std::future_status::ready);
  ExpectServed(late.get(), Outcome::kMiss, "v1", "the held read");
  for (int i = 0; i < 3; ++i) {
    auto rb = Get(*b.cache, Category::kKpis, tenant, variant, fresh);
    ASSERT_TRUE(rb);
    EXPECT_EQ(*rb->body, "v2") << "node B, read " << i << " (" << OutcomeName(rb->outcome) << ")";
    auto rc = Get(*c.cache, Category::kKpis, tenant, variant, fresh);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc->body, "v2") << "node C, read " << i << " (" << OutcomeName(rc->outcome) << ")";
  }
}

// A lookup serves an entry only if it carries the tenant's current generation exactly: one stored
// under an older or newer generation, under a generation that merely starts with the current one's
// digits (or is a prefix of them), or not in the "<generation>\n<value>" form at all, is a miss.
TEST_F(RedisTierTest, OnlyAnEntryOfTheCurrentGenerationIsServed) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  Node& n = AddNode(0);
  const domain::Id tenant = 12;
  const std::string variant = "days=30";
  auto first = io_->Run(n.tier->Get(tenant, Category::kKpis, variant));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->value, nullptr) << "nothing stored yet";
  const std::string gen = first->generation;
  ASSERT_EQ(gen, Generation(*n.tier, tenant)) << "the first lookup creates the generation";
  const std::string key = n.tier->EntryKey(tenant, Category::kKpis, variant);
  const std::vector<std::string> foreign = {
      RedisTier::EntryValue(std::to_string(std::stoll(gen) - 1), "older"),
      RedisTier::EntryValue(Next(gen), "newer"),
      RedisTier::EntryValue(gen + "7", "longer"),
      RedisTier::EntryValue(gen.substr(0, gen.size() - 1), "shorter"),
      gen,
      gen + "value without a separator",
      "{\"json\":\"with no generation\"}",
  };
  for (const std::string& stored : foreign) {
    Redis({"SET", key, stored, "EX", "60"});
    auto r = io_->Run(n.tier->Get(tenant, Category::kKpis, variant));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->generation, gen);
    EXPECT_EQ(r->value, nullptr) << stored;
  }
  ASSERT_TRUE(io_->Run(n.tier->Put(tenant, Category::kKpis, gen, variant, "current\nwith a newline", 60s)));
  auto hit = io_->Run(n.tier->Get(tenant, Category::kKpis, variant));
  ASSERT_TRUE(hit) << hit.error().message;
  ASSERT_NE(hit->value, nullptr);
  EXPECT_EQ(*hit->value, "current\nwith a newline");
}

// 100 concurrent misses on one key in one process: the factory runs once (it is held until the
// other 99 have joined, so none of them can have come late and found the value stored instead).
TEST_F(RedisTierTest, HundredConcurrentMissesRunTheFactoryOnce) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  for (std::size_t l1 : {std::size_t{1} << 20, std::size_t{0}}) {
    SCOPED_TRACE(l1 == 0 ? "L2 only" : "L1 + L2");
    Node& n = AddNode(l1);
    const domain::Id tenant = l1 == 0 ? 100 : 101;
    const std::string variant = "days=30;d=1";
    std::atomic<int> runs{0};
    Cache& cache = *n.cache;
    const Factory slow = [&]() -> asio::awaitable<Result<std::string>> {
      ++runs;
      co_await WaitUntil([&] { return cache.Snapshot().single_flight_shared >= 99; }, 10s);
      co_return std::string("computed once");
    };
    std::vector<std::future<Result<Served>>> calls;
    for (int i = 0; i < 100; ++i)
      calls.push_back(
          asio::co_spawn(io_->ioc(), cache.GetOrSet(Category::kMovementKpis, tenant, variant, slow), asio::use_future));
    int misses = 0, shared = 0;
    for (auto& f : calls) {
      ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
      auto r = f.get();
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(*r->body, "computed once");
      misses += r->outcome == Outcome::kMiss;
      shared += r->outcome == Outcome::kShared;
    }
    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(misses, 1);
    EXPECT_EQ(shared, 99);
    EXPECT_EQ(cache.Snapshot().computations[static_cast<std::size_t>(Category::kMovementKpis)], 1u);
    // And the value reached Redis once, for the other instances.
    EXPECT_EQ(Redis({"GET", n.tier->EntryKey(tenant, Category::kMovementKpis, variant)}).str,
              RedisTier::EntryValue(Generation(*n.tier, tenant), "computed once"));
  }
}

// Guarantee 4 with Redis up but answering errors to the invalidation (INCR refused by an ACL on a
// private server): the write still makes the tenant's older L2 entries unreachable (the bump is
// remembered as pending and the tenant's L2 skipped), and once Redis accepts the bump again caching
// through L2 resumes by itself, with nothing from before the write.
TEST_F(RedisTierTest, FailedInvalidationNeverServesOlderEntryAndCachingResumesByItself) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_NO_FATAL_FAILURE(Init(server.url()));
  Node& n = AddNode(0);  // L2 only: every read goes to Redis
  const domain::Id tenant = 9;
  const std::string variant = "kpis;d=1";
  Source src;
  const Factory f = src.factory();
  ExpectServed(Get(*n.cache, Category::kKpis, tenant, variant, f), Outcome::kMiss, "v1");
  ExpectServed(Get(*n.cache, Category::kKpis, tenant, variant, f), Outcome::kHitL2, "v1");

  const std::string gen_before = Generation(*n.tier, tenant);
  ASSERT_FALSE(gen_before.empty());
  ASSERT_NE(server.Cli({"ACL", "SETUSER", "default", "-incr"}).find("OK"), std::string::npos);
  src.version = 2;
  io_->Run(n.cache->Invalidate(tenant));  // INCR answered with NOPERM: the bump is pending
  EXPECT_EQ(n.cache->Snapshot().pending_remote_invalidations, 1u);
  EXPECT_EQ(Generation(*n.tier, tenant), gen_before) << "the bump did not reach Redis";
  for (int i = 0; i < 3; ++i) {
    auto r = Get(*n.cache, Category::kKpis, tenant, variant, f);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->body, "v2") << "read " << i << " after the write served " << OutcomeName(r->outcome);
  }

  ASSERT_NE(server.Cli({"ACL", "SETUSER", "default", "+incr"}).find("OK"), std::string::npos);
  // Caching through L2 must resume by itself: within a few reads, a HIT L2 of the fresh value.
  bool hit = false;
  for (int i = 0; i < 20 && !hit; ++i) {
    auto r = Get(*n.cache, Category::kKpis, tenant, variant, f);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->body, "v2") << "read " << i << " after Redis recovered served " << OutcomeName(r->outcome);
    hit = r->outcome == Outcome::kHitL2;
    if (!hit) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(hit) << "the tenant's L2 stayed bypassed after Redis accepted commands again (pending invalidations: "
                   << n.cache->Snapshot().pending_remote_invalidations << ")";
  EXPECT_EQ(n.cache->Snapshot().pending_remote_invalidations, 0u);
  EXPECT_EQ(Generation(*n.tier, tenant), Next(gen_before)) << "the pending bump reached Redis";
}

// docs/deploy.md lists the commands IAM needs for an ACL user: a user given exactly those (and
// keys under the prefix only) runs every operation of the tier without a single refusal.
TEST_F(RedisTierTest, TheDocumentedAclIsEnough) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_NO_FATAL_FAILURE(Init(server.url()));
  ASSERT_EQ(server.Cli({"ACL", "SETUSER", "iam", "on", ">pw", "~" + prefix_ + ":*", "+ping", "+get", "+mget", "+set",
                        "+del", "+unlink", "+ttl", "+pttl", "+scan", "+eval", "+info", "+dbsize", "+exists",
                        "+expire", "+pexpire", "+incr", "+time", "+hget", "+hset", "+hgetall", "+hdel"}),
            "OK\n");
  url_ = "redis://iam:pw@" + server.url().substr(std::string("redis://").size());
  Node& a = AddNode(0);
  Node& b = AddNode(0);
  const domain::Id tenant = 21;
  Source src;
  const Factory f = src.factory();
  ExpectServed(Get(*a.cache, Category::kKpis, tenant, "v", f), Outcome::kMiss, "v1");  // generation created
  ExpectServed(Get(*b.cache, Category::kKpis, tenant, "v", f), Outcome::kHitL2, "v1");
  src.version = 2;
  io_->Run(a.cache->Invalidate(tenant));
  ExpectServed(Get(*b.cache, Category::kKpis, tenant, "v", f), Outcome::kMiss, "v2");
  const std::string gen = Generation(*a.tier, tenant);
  auto locked = io_->Run(a.tier->TryLock(tenant, Category::kKpis, gen, "v", "token", 1000ms));
  ASSERT_TRUE(locked) << locked.error().message;
  EXPECT_TRUE(*locked);
  auto unlocked = io_->Run(a.tier->Unlock(tenant, Category::kKpis, gen, "v", "token"));
  EXPECT_TRUE(unlocked) << unlocked.error().message;
  auto one = io_->Run(a.tier->Clear(tenant));
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(*one, 1u);
  auto beat = io_->Run(a.tier->Heartbeat("host:1", "token", 1000ms));  // instance_registry.hpp
  EXPECT_TRUE(beat) << beat.error().message;
  auto forgot = io_->Run(a.tier->Forget("host:1", "token"));
  EXPECT_TRUE(forgot) << forgot.error().message;
  auto all = io_->Run(a.tier->Clear(std::nullopt));
  EXPECT_TRUE(all) << all.error().message;
  const RemoteStatus st = io_->Run(a.tier->Status());
  EXPECT_TRUE(st.keys.has_value()) << "DBSIZE refused";
  EXPECT_TRUE(st.used_memory_bytes.has_value()) << "INFO refused";
  EXPECT_EQ(st.errors, 0u) << "some command was refused";
  EXPECT_EQ(io_->Run(b.tier->Status()).errors, 0u);
}

// The generation key expires (its TTL is twice the longest category TTL, refreshed only on
// writes). A tenant that had a write and then only reads for that long has entries written under
// its generation shortly before the key expires; the generation the next write creates must not
// be that same number again (a scheme counting from 0 again did exactly that, and served the
// entry computed before the write). Reproduced with TTLs of 1 s (generation key 2 s, 2 × longest).
TEST_F(RedisTierTest, GenerationKeyExpiryNeverRevivesAnEntryFromBeforeAWrite) {
  IAM_REQUIRE_REDIS(url);
  ASSERT_NO_FATAL_FAILURE(Init(url));
  CacheTtls ttls;
  ttls.kpis = ttls.financial = ttls.productos = ttls.empresa = ttls.usuario = ttls.config = ttls.predictive =
      ttls.session = 1s;
  Node& n = AddNode(0, ttls);  // L2 only; generation TTL 2 × 1 s as in `iam serve`
  const domain::Id tenant = 10;
  const std::string variant = "kpis;d=1";
  const std::string gen_key = n.tier->GenerationKey(tenant);
  Source src;
  const Factory f = src.factory();

  io_->Run(n.cache->Invalidate(tenant));  // a write: a generation whose key lives 2 s
  const std::string first_gen = Generation(*n.tier, tenant);
  ASSERT_FALSE(first_gen.empty());
  const auto written = Clock::now();
  std::this_thread::sleep_for(1700ms);  // only reads for a while; one computes near the end
  ExpectServed(Get(*n.cache, Category::kKpis, tenant, variant, f), Outcome::kMiss, "v1");  // lives ~1 s more
  ASSERT_TRUE(Eventually([&] { return Redis({"EXISTS", gen_key}).integer == 0; }, 3s)) << "generation key never expired";
  const auto gen_gone = Clock::now();

  // A write after the generation key has expired.
  src.version = 2;
  io_->Run(n.cache->Invalidate(tenant));
  auto r = Get(*n.cache, Category::kKpis, tenant, variant, f);
  const auto read_at = Clock::now();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->body, "v2") << "a read after the write served the value computed before it ("
                            << OutcomeName(r->outcome) << "); generation " << first_gen << ", now "
                            << Redis({"GET", gen_key}).str
                            << ", key expired "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(gen_gone - written).count()
                            << " ms after the first write, read "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(read_at - gen_gone).count()
                            << " ms after that";
}

// A read computing across a Redis crash: it looked its generation up before the crash, Redis comes
// back empty, a write is acknowledged, then the read stores its late value under the generation
// it saw. The generation after the restart must differ from the one before it, so that late value
// is never served.
TEST_F(RedisTierTest, LateStoreAcrossAnEmptyRestartStaysUnreachable) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_NO_FATAL_FAILURE(Init(server.url()));
  Node& n = AddNode(0);  // L2 only
  const domain::Id tenant = 11;
  const std::string variant = "days=90;d=1";
  Source src;
  const Factory fresh = src.factory();
  ExpectServed(Get(*n.cache, Category::kPredictiveKpis, tenant, variant, fresh), Outcome::kMiss, "v1");
  src.version = 2;
  io_->Run(n.cache->Invalidate(tenant));
  const std::string before_crash = Generation(*n.tier, tenant);
  ASSERT_FALSE(before_crash.empty());

  std::atomic<bool> entered{false}, release{false};
  const Factory held = [&]() -> asio::awaitable<Result<std::string>> {
    std::string read = src.Read();
    entered = true;
    co_await WaitUntil([&] { return release.load(); }, 20s);
    co_return read;
  };
  auto late = asio::co_spawn(io_->ioc(), n.cache->GetOrSet(Category::kPredictiveKpis, tenant, variant, held),
                             asio::use_future);
  ASSERT_TRUE(Eventually([&] { return entered.load(); }, 10s));

  ASSERT_TRUE(server.Restart()) << server.error();  // SIGKILL, then an empty server on the same port
  ASSERT_TRUE(io_->Run(n.client->WaitConnected(10s)));
  ASSERT_TRUE(io_->Run(admin_->WaitConnected(10s)));
  src.version = 3;
  io_->Run(n.cache->Invalidate(tenant));  // the write, acknowledged after Redis came back
  release = true;
  ASSERT_EQ(late.wait_for(10s), std::future_status::ready);
  ExpectServed(late.get(), Outcome::kMiss, "v2", "the held read");
  const std::string after = Generation(*n.tier, tenant);
  for (int i = 0; i < 3; ++i) {
    auto r = Get(*n.cache, Category::kPredictiveKpis, tenant, variant, fresh);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->body, "v3") << "read " << i << " after the write served " << OutcomeName(r->outcome)
                              << " (generation before the crash " << before_crash << ", after " << after << ")";
  }
  EXPECT_NE(after, before_crash);
}

}  // namespace
}  // namespace iam::cache
