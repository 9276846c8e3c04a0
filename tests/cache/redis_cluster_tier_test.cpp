// The cache's L2 (RedisTier) over a real Redis Cluster (3 masters + 3 replicas started by the
// test): GetOrSet / Invalidate / Clear across two "processes" with tenants spread over every
// master, Status summed over the masters, scripts reloaded on a node that never saw them, a
// tenant's slot moved under a running client, and a coordinated failover (CLUSTER FAILOVER) and
// a killed master in the middle of a read/write run: every request answers, no read that starts
// after a write was acknowledged returns data from before it, and caching works again afterwards.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <random>
#include <set>

#include "cache/cache.hpp"
#include "cache/redis_slot.hpp"
#include "cache/redis_tier.hpp"
#include "redis_cluster_fixture.hpp"

namespace iam::cache::cluster_test {
namespace {

using Clock = std::chrono::steady_clock;

struct Proc {  // one "process": its cluster client, tier and cache (L2 only unless told)
  RedisClusterClient* client = nullptr;
  std::unique_ptr<RedisTier> tier;
  std::unique_ptr<Cache> cache;
};

class RedisClusterTierTest : public ClusterSuite<RedisClusterTierTest> {
 protected:
  void SetUp() override {
    ClusterSuite::SetUp();
    std::mt19937_64 rng{std::random_device{}()};
    prefix_ = "iam-cluster-test-" + std::to_string(rng() % 1'000'000'000ULL);
  }
  void TearDown() override {
    procs_.clear();
    ClusterSuite::TearDown();
  }

  Proc& AddProc(std::chrono::milliseconds timeout = 2000ms, RedisClusterOptions copts = {}) {
    auto p = std::make_unique<Proc>();
    p->client = &Client(NodeOptions(timeout), copts);
    p->tier = std::make_unique<RedisTier>(*p->client, prefix_, 3600s);
    p->cache = std::make_unique<Cache>(CacheOptions{.l1_max_bytes = 0, .ttls = {}, .l1_max_age = {}}, p->tier.get());
    procs_.push_back(std::move(p));
    return *procs_.back();
  }

  Result<Served> Get(Cache& c, domain::Id tenant, const std::string& value, Category cat = Category::kKpis) {
    Cache::Factory f = [value]() -> asio::awaitable<Result<std::string>> { co_return value; };
    return io_->Run(c.GetOrSet(cat, tenant, "v", f));
  }
  static std::string Body(const Result<Served>& r) { return r && r->body ? *r->body : "(failed)"; }

  // Tenants whose slots are served by `master_port`, from 1 up.
  std::vector<domain::Id> TenantsOn(const RedisTier& tier, int master_port, std::size_t n) {
    std::vector<domain::Id> out;
    for (domain::Id t = 1; out.size() < n && t < 100000; ++t)
      if (cluster_->MasterOf(RedisKeySlot(tier.GenerationKey(t))) == master_port) out.push_back(t);
    return out;
  }
  int SomeMaster() {
    for (const auto& n : cluster_->Nodes())
      if (n.master && !n.failed && !n.slots.empty()) return n.port;
    return 0;
  }

  std::string prefix_;
  std::vector<std::unique_ptr<Proc>> procs_;
};

TEST_F(RedisClusterTierTest, GetOrSetInvalidateAndClearAcrossTheMasters) {
  Proc& a = AddProc();
  Proc& b = AddProc();
  std::set<int> masters;
  for (domain::Id t = 1; t <= 24; ++t) {
    masters.insert(a.client->slot_map()->NodeFor(RedisKeySlot(a.tier->GenerationKey(t)))->port);
    auto first = Get(*a.cache, t, "v1 of " + std::to_string(t));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->outcome, Outcome::kMiss);
    auto shared = Get(*b.cache, t, "never computed");
    EXPECT_EQ(Body(shared), "v1 of " + std::to_string(t)) << "b reads what a stored, through the cluster";
    EXPECT_EQ(shared->outcome, Outcome::kHitL2);
  }
  EXPECT_EQ(masters.size(), 3u) << "the tenants are spread over every master";

  for (domain::Id t = 1; t <= 24; t += 2) io_->Run(a.cache->Invalidate(t));
  for (domain::Id t = 1; t <= 24; ++t) {
    auto r = Get(*b.cache, t, "v2 of " + std::to_string(t));
    const bool invalidated = t % 2 == 1;
    EXPECT_EQ(Body(r), (invalidated ? "v2 of " : "v1 of ") + std::to_string(t));
    EXPECT_EQ(r->outcome, invalidated ? Outcome::kMiss : Outcome::kHitL2) << t;
  }

  // Clear one tenant: only its entries go (its generation key stays).
  auto one = io_->Run(a.cache->Clear(domain::Id{3}));
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(*one, 1u) << "tenant 3's one entry (the value of its second generation replaced the first's)";
  EXPECT_EQ(Get(*b.cache, 3, "v3")->outcome, Outcome::kMiss);
  EXPECT_EQ(Get(*b.cache, 4, "v3")->outcome, Outcome::kHitL2);
  // Clear all: SCAN on every master, deletions by slot.
  auto all = io_->Run(a.cache->Clear(std::nullopt));
  ASSERT_TRUE(all) << all.error().message;
  // One entry per tenant (a value computed after an invalidation replaces the older one under
  // the same key), minus tenant 3's, plus its refill.
  EXPECT_EQ(*all, 24u - 1u + 1u);
  for (domain::Id t = 1; t <= 24; ++t) EXPECT_EQ(Get(*b.cache, t, "v4")->outcome, Outcome::kMiss) << t;
  std::size_t generation_keys = 0;
  for (const auto& n : cluster_->Nodes())
    if (n.master && !n.failed)
      for (domain::Id t = 1; t <= 24; ++t)
        generation_keys += cluster_->Cli(n.port, {"EXISTS", a.tier->GenerationKey(t)}) == "1\n";
  EXPECT_EQ(generation_keys, 24u) << "generations survive a clear";
}

TEST_F(RedisClusterTierTest, InvalidatesManyTenantsAcrossSlots) {
  Proc& a = AddProc();
  Proc& b = AddProc();
  std::vector<domain::Id> tenants;
  for (domain::Id t = 1; t <= 12; ++t) {
    tenants.push_back(t);
    ASSERT_EQ(Body(Get(*a.cache, t, "old")), "old");
  }
  std::vector<std::string> generations;
  for (domain::Id t : tenants) generations.push_back(Exec(*a.client, {"GET", a.tier->GenerationKey(t)}).str);
  auto direct = io_->Run(a.tier->Invalidate(tenants));
  ASSERT_TRUE(direct) << direct.error().message;
  for (std::size_t i = 0; i < tenants.size(); ++i)
    EXPECT_EQ(Exec(*a.client, {"GET", a.tier->GenerationKey(tenants[i])}).str,
              std::to_string(std::stoll(generations[i]) + 1));
  io_->Run(a.cache->InvalidateMany(tenants, true));
  for (domain::Id t : tenants) EXPECT_EQ(Body(Get(*b.cache, t, "new")), "new") << t;
}

TEST_F(RedisClusterTierTest, StatusSumsEveryMaster) {
  Proc& a = AddProc();
  for (domain::Id t = 1; t <= 30; ++t) ASSERT_TRUE(Get(*a.cache, t, "x"));
  auto s = io_->Run(a.tier->Status());
  EXPECT_TRUE(s.connected);
  std::int64_t expected = 0;
  for (const auto& n : cluster_->Nodes())
    if (n.master && !n.failed && !n.slots.empty()) expected += std::stoll(cluster_->Cli(n.port, {"DBSIZE"}));
  ASSERT_TRUE(s.keys.has_value());
  EXPECT_EQ(*s.keys, expected);
  EXPECT_GE(*s.keys, 60) << "30 generations and 30 entries at least";
  ASSERT_TRUE(s.used_memory_human.has_value());
  EXPECT_FALSE(s.used_memory_human->empty());
}

// A master whose script cache was flushed (or a replica just promoted) serves lookups, generation
// creation included, with no error: scripts are sent whole.
TEST_F(RedisClusterTierTest, LookupsNeedNoScriptCacheOnTheNodes) {
  Proc& a = AddProc();
  ASSERT_TRUE(Get(*a.cache, 1, "one"));
  for (const auto& n : cluster_->Nodes()) {
    if (n.master) {
      EXPECT_EQ(cluster_->Cli(n.port, {"SCRIPT", "FLUSH"}), "OK\n");
    }
  }
  const auto errors_before = io_->Run(a.tier->Status()).errors;
  for (domain::Id t = 1; t <= 12; ++t) {
    auto r = io_->Run(a.tier->Get(t, Category::kKpis, "v"));
    ASSERT_TRUE(r) << "tenant " << t << ": " << r.error().message;
  }
  EXPECT_EQ(Get(*a.cache, 1, "unused")->outcome, Outcome::kHitL2);
  EXPECT_EQ(io_->Run(a.tier->Status()).errors - errors_before, 0u);
}

TEST_F(RedisClusterTierTest, ATenantsSlotMovesUnderARunningClient) {
  Proc& a = AddProc();
  const domain::Id tenant = 7;
  ASSERT_EQ(Body(Get(*a.cache, tenant, "before")), "before");
  const int slot = RedisKeySlot(a.tier->GenerationKey(tenant));
  const int from = cluster_->MasterOf(slot);
  int to = 0;
  for (const auto& n : cluster_->Nodes())
    if (n.master && !n.failed && !n.slots.empty() && n.port != from) to = n.port;
  ASSERT_TRUE(cluster_->BeginMigration(slot, from, to));
  ASSERT_TRUE(cluster_->MigrateKeys(slot, from, to));
  // Keys gone from the source, slot not handed over yet: everything is asked to the target.
  auto during = Get(*a.cache, tenant, "unused");
  EXPECT_EQ(Body(during), "before");
  ASSERT_TRUE(cluster_->FinishMigration(slot, from, to));
  auto after = Get(*a.cache, tenant, "unused");
  EXPECT_EQ(Body(after), "before");
  EXPECT_EQ(after->outcome, Outcome::kHitL2) << "the entry moved with its generation";
  io_->Run(a.cache->Invalidate(tenant));
  EXPECT_EQ(Body(Get(*a.cache, tenant, "after the write")), "after the write");
  EXPECT_EQ(a.client->slot_map()->NodeFor(slot)->port, to);
  EXPECT_GE(a.client->Stats().redirects, 2u);
}

// A read/write run over tenants of one master while `disrupt` runs on the test thread. Per
// tenant, the "database" is a version counter: a write bumps it, then invalidates (acknowledged
// when Invalidate returns); a read records the version acknowledged before it started and must get
// at least that (the factory returns the current version).
struct RunResult {
  std::uint64_t reads = 0, writes = 0, failed = 0, stale = 0, l2_hits = 0;
};

class ReadWriteRun {
 public:
  ReadWriteRun(Cache& cache, std::vector<domain::Id> tenants) : cache_(cache), tenants_(std::move(tenants)) {
    for (std::size_t i = 0; i < tenants_.size(); ++i) {
      db_[i] = 1;
      acked_[i] = 1;
    }
  }

  asio::awaitable<void> Writer(std::size_t i) {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (!stop_.load()) {
      const std::int64_t v = ++db_[i];
      co_await cache_.Invalidate(tenants_[i]);
      std::int64_t prev = acked_[i].load();
      while (prev < v && !acked_[i].compare_exchange_weak(prev, v)) {}
      ++writes_;
      pause.expires_after(2ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<void> Reader(std::size_t i) {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    Cache::Factory f = [this, i]() -> asio::awaitable<Result<std::string>> { co_return std::to_string(db_[i].load()); };
    while (!stop_.load()) {
      const std::int64_t floor = acked_[i].load();
      auto r = co_await cache_.GetOrSet(Category::kKpis, tenants_[i], "v", f);
      ++reads_;
      if (!r || !r->body) {
        ++failed_;
      } else {
        if (std::stoll(*r->body) < floor) ++stale_;
        if (r->outcome == Outcome::kHitL2) ++l2_hits_;
      }
      pause.expires_after(1ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }

  void Stop() { stop_.store(true); }
  RunResult Counts() const { return {reads_.load(), writes_.load(), failed_.load(), stale_.load(), l2_hits_.load()}; }

 private:
  Cache& cache_;
  std::vector<domain::Id> tenants_;
  std::array<std::atomic<std::int64_t>, 16> db_{}, acked_{};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> reads_{0}, writes_{0}, failed_{0}, stale_{0}, l2_hits_{0};
};

// Runs readers and writers on a's cache over `tenants`, calls disrupt() after a while, goes on
// until the cluster is healthy again and a little longer, and returns the counts.
template <typename Disrupt>
RunResult RunAround(IoThreads& io, Cache& cache, const std::vector<domain::Id>& tenants, Disrupt disrupt) {
  ReadWriteRun run(cache, tenants);
  std::vector<std::future<void>> tasks;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    tasks.push_back(asio::co_spawn(io.ioc(), run.Writer(i), asio::use_future));
    for (int r = 0; r < 2; ++r) tasks.push_back(asio::co_spawn(io.ioc(), run.Reader(i), asio::use_future));
  }
  std::this_thread::sleep_for(500ms);
  const RunResult before = run.Counts();
  disrupt();
  std::this_thread::sleep_for(1500ms);
  run.Stop();
  for (auto& t : tasks) t.get();  // every request answered: none hangs past its timeouts
  RunResult r = run.Counts();
  EXPECT_GT(before.reads, 50u) << "the run was under way before the disruption";
  EXPECT_GT(before.l2_hits, 0u);
  return r;
}

TEST_F(RedisClusterTierTest, CoordinatedFailoverInTheMiddleOfAReadWriteRun) {
  Proc& a = AddProc(500ms);
  const int master = SomeMaster();
  const int replica = cluster_->WaitForReplicaOf(master, std::chrono::seconds(10));
  ASSERT_NE(replica, 0);
  auto tenants = TenantsOn(*a.tier, master, 4);
  ASSERT_EQ(tenants.size(), 4u);
  RunResult r = RunAround(*io_, *a.cache, tenants, [&] {
    ASSERT_TRUE(cluster_->Failover(replica));
    ASSERT_TRUE(cluster_->WaitHealthy());
  });
  EXPECT_EQ(r.stale, 0u) << "no read after an acknowledged write returned data from before it";
  EXPECT_EQ(r.failed, 0u) << "the factory always answers: a Redis failure is a miss";
  EXPECT_EQ(cluster_->MasterOf(RedisKeySlot(a.tier->GenerationKey(tenants[0]))), replica);
  // Caching works again, through the new master.
  Proc& b = AddProc();
  for (domain::Id t : tenants) {
    auto first = Get(*a.cache, t, "after the failover " + std::to_string(t));
    ASSERT_TRUE(first);
    auto again = Get(*b.cache, t, "unused");
    EXPECT_EQ(Body(again), *first->body);
    EXPECT_EQ(again->outcome, Outcome::kHitL2) << t;
  }
  RecordProperty("reads", std::to_string(r.reads));
  RecordProperty("writes", std::to_string(r.writes));
}

TEST_F(RedisClusterTierTest, KilledMasterInTheMiddleOfAReadWriteRun) {
  Proc& a = AddProc(500ms);
  const int master = SomeMaster();
  const int replica = cluster_->WaitForReplicaOf(master, std::chrono::seconds(10));
  ASSERT_NE(replica, 0);
  auto tenants = TenantsOn(*a.tier, master, 4);
  ASSERT_EQ(tenants.size(), 4u);
  // A tenant on another master, cached before the run.
  int other_master = 0;
  for (const auto& n : cluster_->Nodes())
    if (n.master && !n.failed && !n.slots.empty() && n.port != master) other_master = n.port;
  const domain::Id elsewhere = TenantsOn(*a.tier, other_master, 1).at(0);
  ASSERT_EQ(Body(Get(*a.cache, elsewhere, "cached elsewhere")), "cached elsewhere");
  RunResult r = RunAround(*io_, *a.cache, tenants, [&] {
    ASSERT_TRUE(cluster_->Kill(master));
    std::this_thread::sleep_for(300ms);  // the run's calls to the dead master fail meanwhile
    // While the master is down (not replaced yet: node timeout 1 s), the other masters' tenants
    // still use L2: the dead node's breaker is its own.
    auto during = Get(*a.cache, elsewhere, "unused");
    EXPECT_EQ(Body(during), "cached elsewhere");
    EXPECT_EQ(during->outcome, Outcome::kHitL2);
    EXPECT_GT(io_->Run(a.tier->Status()).breaker_opened, 0u) << "the dead master's breaker opened";
    ASSERT_TRUE(cluster_->WaitHealthy());  // the replica has been promoted
  });
  EXPECT_EQ(r.failed, 0u) << "every request answered (from the database while Redis could not)";
  EXPECT_EQ(cluster_->MasterOf(RedisKeySlot(a.tier->GenerationKey(tenants[0]))), replica);
  // Caching works again once the client has the new map.
  Proc& b = AddProc();
  for (domain::Id t : tenants) {
    auto first = Get(*a.cache, t, "after the kill " + std::to_string(t));
    ASSERT_TRUE(first);
    Result<Served> again = Get(*b.cache, t, "unused");
    EXPECT_EQ(Body(again), *first->body);
    EXPECT_EQ(again->outcome, Outcome::kHitL2) << t;
  }
  RecordProperty("reads", std::to_string(r.reads));
  RecordProperty("writes", std::to_string(r.writes));
  RecordProperty("stale_reads", std::to_string(r.stale));
}

}  // namespace
}  // namespace iam::cache::cluster_test
