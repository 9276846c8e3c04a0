// MemoryTier: get/put/overwrite, expiry on explicit time points, LRU eviction order (one shard, so
// the order is deterministic), the hard byte budget (also under a 4-thread churn, checked
// continuously), oversized values, the disabled tier and Clear.
#include "cache/memory_tier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace iam::cache {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kOverhead = MemoryTier::kEntryOverhead;

Value V(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

// A fixed origin: the tier never reads the clock itself, so any time point works.
const CacheClock::time_point kT0 = CacheClock::time_point{} + 1000h;
const CacheClock::time_point kFar = kT0 + 24h;

std::size_t Cost(const std::string& key, const std::string& value) { return key.size() + value.size() + kOverhead; }

// ---------------------------------------------------------------- get / put / overwrite

struct PutCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> puts;      // in order
  std::vector<std::pair<std::string, std::optional<std::string>>> expect;  // key -> value (nullopt: miss)
};

TEST(MemoryTierTest, GetPutOverwrite) {
  const std::vector<PutCase> cases = {
      {"empty tier misses", {}, {{"a", std::nullopt}, {"", std::nullopt}}},
      {"put then get", {{"a", "1"}}, {{"a", "1"}, {"b", std::nullopt}}},
      {"distinct keys", {{"a", "1"}, {"b", "2"}, {"c", "3"}}, {{"a", "1"}, {"b", "2"}, {"c", "3"}}},
      {"overwrite replaces the value", {{"a", "1"}, {"a", "22"}}, {{"a", "22"}}},
      {"overwrite with a shorter value", {{"a", "long value"}, {"a", ""}}, {{"a", ""}}},
      {"empty key and empty value are storable", {{"", ""}}, {{"", ""}}},
      {"keys differing by one byte", {{"k:1", "x"}, {"k:10", "y"}}, {{"k:1", "x"}, {"k:10", "y"}, {"k:", std::nullopt}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    MemoryTier tier(1 << 20);
    std::map<std::string, std::string> live;
    for (const auto& [k, v] : c.puts) {
      tier.Put(k, V(v), kFar);
      live[k] = v;
    }
    for (const auto& [k, v] : c.expect) {
      SCOPED_TRACE("key '" + k + "'");
      Value got = tier.Get(k, kT0);
      if (!v) {
        EXPECT_EQ(got, nullptr);
      } else {
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(*got, *v);
      }
    }
    // Accounting: exactly one entry per live key, charged key + value + overhead.
    std::size_t bytes = 0;
    for (const auto& [k, v] : live) bytes += Cost(k, v);
    EXPECT_EQ(tier.entries(), live.size());
    EXPECT_EQ(tier.bytes(), bytes);
    EXPECT_EQ(tier.evictions(), 0u);
  }
}

TEST(MemoryTierTest, GetReturnsTheSameSharedValue) {
  MemoryTier tier(1 << 20);
  Value v = V("payload");
  tier.Put("k", v, kFar);
  EXPECT_EQ(tier.Get("k", kT0).get(), v.get());  // no copy: values are immutable and shared
}

TEST(MemoryTierTest, NullValueIsNotStored) {
  MemoryTier tier(1 << 20);
  tier.Put("k", nullptr, kFar);
  EXPECT_EQ(tier.Get("k", kT0), nullptr);
  EXPECT_EQ(tier.entries(), 0u);
  EXPECT_EQ(tier.bytes(), 0u);
}

// ---------------------------------------------------------------- expiry

TEST(MemoryTierTest, Expiry) {
  struct Case {
    const char* name;
    CacheClock::duration ttl;   // expires_at = kT0 + ttl
    CacheClock::duration read;  // read at kT0 + read
    bool hit;
  };
  const std::vector<Case> cases = {
      {"well before expiry", 10s, 0s, true},
      {"one tick before expiry", 10s, 10s - CacheClock::duration(1), true},
      {"exactly at expiry (expires_at <= now is expired)", 10s, 10s, false},
      {"after expiry", 10s, 11s, false},
      {"long after expiry", 10s, 1000h, false},
      {"already expired when stored", -1s, 0s, false},
      {"read at a time point before the store", 10s, -5s, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    MemoryTier tier(1 << 20);
    tier.Put("k", V("v"), kT0 + c.ttl);
    Value got = tier.Get("k", kT0 + c.read);
    EXPECT_EQ(got != nullptr, c.hit);
    // An expired entry is dropped by the Get that finds it; a live one stays.
    EXPECT_EQ(tier.entries(), c.hit ? 1u : 0u);
    EXPECT_EQ(tier.bytes(), c.hit ? Cost("k", "v") : 0u);
    // Once dropped it stays a miss even when read "earlier" again.
    if (!c.hit) {
      EXPECT_EQ(tier.Get("k", kT0 - 1h), nullptr);
    }
  }
}

TEST(MemoryTierTest, OverwriteResetsExpiry) {
  MemoryTier tier(1 << 20);
  tier.Put("k", V("old"), kT0 + 1s);
  tier.Put("k", V("new"), kT0 + 100s);
  Value got = tier.Get("k", kT0 + 50s);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, "new");
  tier.Put("k", V("newer"), kT0 + 1s);  // a shorter expiry also replaces
  EXPECT_EQ(tier.Get("k", kT0 + 50s), nullptr);
}

// ---------------------------------------------------------------- LRU eviction order

// One shard and entries that all cost exactly kUnit bytes, so the budget holds exactly
// kCapacity of them and the eviction order is the LRU order.
constexpr std::size_t kUnit = 200;
constexpr std::size_t kCapacity = 5;
std::string Key(int i) { return "k" + std::to_string(i); }                       // 2 bytes for i < 10
std::string ValueFor(int i) { return std::string(kUnit - kOverhead - 2, char('a' + i)); }

struct LruOp {
  enum Kind { kPut, kGet } kind;
  int key;
};
LruOp P(int k) { return {LruOp::kPut, k}; }
LruOp G(int k) { return {LruOp::kGet, k}; }

TEST(MemoryTierTest, EvictsLeastRecentlyUsedFirst) {
  struct Case {
    const char* name;
    std::vector<LruOp> ops;
    std::vector<int> present;  // every other key in 0..9 must miss
    std::uint64_t evictions;
  };
  const std::vector<Case> cases = {
      {"fills up to the budget without evicting", {P(0), P(1), P(2), P(3), P(4)}, {0, 1, 2, 3, 4}, 0},
      {"one more evicts the oldest", {P(0), P(1), P(2), P(3), P(4), P(5)}, {1, 2, 3, 4, 5}, 1},
      {"a Get protects an entry", {P(0), P(1), P(2), P(3), P(4), G(0), P(5)}, {0, 2, 3, 4, 5}, 1},
      {"an overwrite protects an entry", {P(0), P(1), P(2), P(3), P(4), P(0), P(5)}, {0, 2, 3, 4, 5}, 1},
      {"a miss does not change the order", {P(0), P(1), P(2), P(3), P(4), G(9), P(5)}, {1, 2, 3, 4, 5}, 1},
      {"several evictions follow the order",
       {P(0), P(1), P(2), P(3), P(4), G(1), G(3), P(5), P(6), P(7)},
       {1, 3, 5, 6, 7},
       3},
      {"touching in reverse order",
       {P(0), P(1), P(2), P(3), P(4), G(4), G(3), G(2), G(1), G(0), P(5), P(6)},
       {0, 1, 2, 5, 6},
       2},
      {"re-putting an evicted key", {P(0), P(1), P(2), P(3), P(4), P(5), P(0)}, {2, 3, 4, 5, 0}, 2},
      // Lazy promotion: 3 was moved to the front 1 move ago, fewer than 5/2, so the hit leaves it
      // behind 4 (exact LRU would keep 3 and evict 4).
      {"a hit in the front half does not reorder",
       {P(0), P(1), P(2), P(3), P(4), G(3), P(5), P(6), P(7), P(8)},
       {4, 5, 6, 7, 8},
       4},
      {"a hit in the back half moves the entry to the front",
       {P(0), P(1), P(2), P(3), P(4), G(2), P(5), P(6), P(7), P(8)},
       {2, 5, 6, 7, 8},
       4},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    MemoryTier tier(kUnit * kCapacity, /*shards=*/1);
    for (const auto& op : c.ops) {
      if (op.kind == LruOp::kPut) tier.Put(Key(op.key), V(ValueFor(op.key)), kFar);
      else (void)tier.Get(Key(op.key), kT0);
      ASSERT_LE(tier.bytes(), tier.max_bytes());
    }
    EXPECT_EQ(tier.evictions(), c.evictions);
    EXPECT_EQ(tier.entries(), c.present.size());
    EXPECT_EQ(tier.bytes(), c.present.size() * kUnit);
    // Check the non-present keys first: Get reorders, but misses do not evict anything.
    for (int k = 0; k < 10; ++k) {
      SCOPED_TRACE("key " + Key(k));
      const bool want = std::find(c.present.begin(), c.present.end(), k) != c.present.end();
      Value got = tier.Get(Key(k), kT0);
      EXPECT_EQ(got != nullptr, want);
      if (got) {
        EXPECT_EQ(*got, ValueFor(k));
      }
    }
  }
}

TEST(MemoryTierTest, LargerValueEvictsAsManyAsNeeded) {
  MemoryTier tier(kUnit * kCapacity, 1);
  for (int i = 0; i < 5; ++i) tier.Put(Key(i), V(ValueFor(i)), kFar);
  // Costs three units: the three least recently used go.
  tier.Put("k9", V(std::string(3 * kUnit - kOverhead - 2, 'z')), kFar);
  EXPECT_EQ(tier.evictions(), 3u);
  EXPECT_EQ(tier.bytes(), 5 * kUnit);
  for (int i : {0, 1, 2}) EXPECT_EQ(tier.Get(Key(i), kT0), nullptr) << i;
  for (int i : {3, 4, 9}) EXPECT_NE(tier.Get(Key(i), kT0), nullptr) << i;
}

// ---------------------------------------------------------------- oversized values / budget 0

TEST(MemoryTierTest, ValueLargerThanAShardsShareIsNotStored) {
  constexpr std::size_t kShards = 16, kShare = 1000;
  struct Case {
    const char* name;
    std::size_t cost;
    bool stored;
  };
  const std::vector<Case> cases = {
      {"well under the share", 200, true},
      {"exactly the share", kShare, true},
      {"one byte over the share", kShare + 1, false},
      {"larger than the whole budget", kShards * kShare + 1, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    MemoryTier tier(kShards * kShare, kShards);
    const std::string key = "key";
    tier.Put(key, V(std::string(c.cost - kOverhead - key.size(), 'x')), kFar);
    EXPECT_EQ(tier.Get(key, kT0) != nullptr, c.stored);
    EXPECT_EQ(tier.entries(), c.stored ? 1u : 0u);
    EXPECT_EQ(tier.bytes(), c.stored ? c.cost : 0u);
    EXPECT_EQ(tier.evictions(), 0u);  // a rejected value evicts nothing
    EXPECT_LE(tier.bytes(), tier.max_bytes());
  }
}

TEST(MemoryTierTest, OversizedOverwriteDropsTheOldValue) {
  // Overwriting a key with a value too large to keep must not leave the previous value readable:
  // callers (Cache's forceRefresh) rely on Put replacing what the key maps to.
  MemoryTier tier(16 * 1000, 16);
  tier.Put("k", V("old"), kFar);
  ASSERT_NE(tier.Get("k", kT0), nullptr);
  tier.Put("k", V(std::string(2000, 'x')), kFar);
  EXPECT_EQ(tier.Get("k", kT0), nullptr);
  EXPECT_EQ(tier.entries(), 0u);
  EXPECT_EQ(tier.bytes(), 0u);
}

TEST(MemoryTierTest, ZeroBudgetDisablesTheTier) {
  for (std::size_t shards : {1u, 16u}) {
    SCOPED_TRACE("shards " + std::to_string(shards));
    MemoryTier tier(0, shards);
    EXPECT_EQ(tier.max_bytes(), 0u);
    tier.Put("k", V("v"), kFar);
    tier.Put("", V(""), kFar);
    EXPECT_EQ(tier.Get("k", kT0), nullptr);
    EXPECT_EQ(tier.Get("", kT0), nullptr);
    EXPECT_EQ(tier.bytes(), 0u);
    EXPECT_EQ(tier.entries(), 0u);
    EXPECT_EQ(tier.evictions(), 0u);
    tier.Clear();
    EXPECT_EQ(tier.bytes(), 0u);
  }
}

// ---------------------------------------------------------------- Clear

TEST(MemoryTierTest, ClearResetsBytesAndEntries) {
  MemoryTier tier(1 << 20);
  for (int i = 0; i < 500; ++i) tier.Put("key" + std::to_string(i), V(std::string(i % 97, 'v')), kFar);
  ASSERT_EQ(tier.entries(), 500u);
  ASSERT_GT(tier.bytes(), 0u);
  tier.Clear();
  EXPECT_EQ(tier.entries(), 0u);
  EXPECT_EQ(tier.bytes(), 0u);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(tier.Get("key" + std::to_string(i), kT0), nullptr) << i;
  // Still usable, and the accounting starts from zero again.
  tier.Put("again", V("v"), kFar);
  EXPECT_EQ(tier.entries(), 1u);
  EXPECT_EQ(tier.bytes(), Cost("again", "v"));
  tier.Clear();
  tier.Clear();  // idempotent
  EXPECT_EQ(tier.entries(), 0u);
  EXPECT_EQ(tier.bytes(), 0u);
}

// ---------------------------------------------------------------- concurrent churn

// 4 threads x 50k random puts/gets of random sizes (some larger than a shard's share, some
// expired) while a 5th thread and the workers themselves check bytes() <= max_bytes()
// continuously. Every hit must be a value that was stored under that key.
TEST(MemoryTierTest, ConcurrentChurnNeverExceedsTheBudget) {
  constexpr std::size_t kMax = 256 * 1024, kShards = 16;  // 16 KiB per shard
  constexpr int kThreads = 4, kOpsPerThread = 50'000, kKeys = 3000;
  MemoryTier tier(kMax, kShards);

  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> violations{0}, corrupt{0}, hits{0}, checks{0};
  std::atomic<std::size_t> max_seen{0};
  auto check = [&] {
    const std::size_t b = tier.bytes();
    checks.fetch_add(1, std::memory_order_relaxed);
    if (b > tier.max_bytes()) violations.fetch_add(1, std::memory_order_relaxed);
    std::size_t m = max_seen.load(std::memory_order_relaxed);
    while (b > m && !max_seen.compare_exchange_weak(m, b)) {
    }
  };

  std::thread monitor([&] {
    while (!done.load()) check();
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(12345 + t);
      std::uniform_int_distribution<int> key_dist(0, kKeys - 1), op_dist(0, 99), ttl_dist(-5, 60);
      // Mostly small values, a tail up to 20 KB (over the 16 KiB shard share).
      std::uniform_int_distribution<std::size_t> small(0, 2000), large(0, 20'000);
      for (int i = 0; i < kOpsPerThread; ++i) {
        const std::string key = "tenant:" + std::to_string(key_dist(rng));
        const CacheClock::time_point now = kT0 + std::chrono::seconds(i / 1000);
        if (op_dist(rng) < 50) {
          const std::size_t size = op_dist(rng) < 95 ? small(rng) : large(rng);
          // The value starts with its key, so a hit can be checked against the key it was read by.
          std::string value = key + "|";
          value.resize(std::max(size, value.size()), 'x');
          tier.Put(key, V(std::move(value)), now + std::chrono::seconds(ttl_dist(rng)));
        } else if (Value v = tier.Get(key, now)) {
          hits.fetch_add(1, std::memory_order_relaxed);
          if (v->rfind(key + "|", 0) != 0) corrupt.fetch_add(1, std::memory_order_relaxed);
        }
        check();
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  monitor.join();

  EXPECT_EQ(violations.load(), 0u) << "max bytes seen " << max_seen.load() << " > " << kMax;
  EXPECT_EQ(corrupt.load(), 0u);
  EXPECT_LE(max_seen.load(), kMax);
  EXPECT_GT(checks.load(), std::uint64_t{kThreads} * kOpsPerThread);
  // The workload really did fill the budget and churn through it.
  EXPECT_GT(tier.evictions(), 0u);
  EXPECT_GT(hits.load(), 0u);
  EXPECT_GT(max_seen.load(), kMax / 2);

  // Quiescent: the counters equal what is actually stored (expired entries read at kT0 are
  // dropped by that Get, and uncounted).
  EXPECT_LE(tier.bytes(), kMax);
  std::size_t live = 0;
  for (int k = 0; k < kKeys; ++k)
    if (tier.Get("tenant:" + std::to_string(k), kT0)) ++live;  // drops the entries expired at kT0
  EXPECT_EQ(live, tier.entries());
  tier.Clear();
  EXPECT_EQ(tier.bytes(), 0u);
  EXPECT_EQ(tier.entries(), 0u);
}

}  // namespace
}  // namespace iam::cache
