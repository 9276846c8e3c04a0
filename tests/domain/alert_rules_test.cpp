#include "domain/alert_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iam::domain {
namespace {

// A reading at `t` seconds with cumulative hits and misses and nothing else.
AlertReading Lookups(std::int64_t t, std::uint64_t hits, std::uint64_t misses) {
  AlertReading r;
  r.at_ms = t * 1000;
  r.wall_ms = 1'700'000'000'000 + t * 1000;
  r.cache_hits = hits;
  r.cache_misses = misses;
  return r;
}

const AlertState& State(const AlertEvaluator& e, AlertRule r) { return e.states()[static_cast<std::size_t>(r)]; }

std::string Transitions(const std::vector<AlertEvent>& events) {
  std::string out;
  for (const auto& ev : events)
    out += std::string(AlertRuleName(ev.rule)) + (ev.transition == AlertTransition::kFired ? ":fired " : ":resolved ");
  return out;
}

TEST(AlertRulesTest, HistogramQuantile) {
  struct Case {
    const char* name;
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets;  // bucket index -> count
    double q, expected;
  };
  // Bounds: [0]1 [1]2 [2]5 [3]10 [4]25 [5]50 [6]75 [7]100 [8]150 [9]200 [10]250 … [16]10000 [17]+Inf
  const Case kCases[] = {
      {"empty", {}, 0.95, 0},
      {"all in the first bucket, linear from 0", {{0, 100}}, 0.95, 0.95},
      {"all in 150..200", {{9, 100}}, 0.95, 150 + 50 * 0.95},
      {"95 fast, 5 slow: p95 is the top of the fast bucket", {{3, 95}, {12, 5}}, 0.95, 10},
      {"94 fast, 6 slow: p95 lands in the slow bucket", {{3, 94}, {12, 6}}, 0.95, 300 + 200 * (1.0 / 6)},
      {"+Inf reports the largest bound", {{17, 10}}, 0.95, 10000},
      {"median", {{1, 50}, {2, 50}}, 0.5, 2},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    DurationCounts counts{};
    for (auto [i, n] : c.buckets) counts[i] = n;
    EXPECT_NEAR(HistogramQuantileMs(counts, c.q), c.expected, 1e-9);
  }
}

TEST(AlertRulesTest, HitRateOverTheWindowWithAMinimumSample) {
  // Window 60 s, min 100 lookups; each row is one reading (cumulative counters).
  struct Step {
    std::int64_t t;
    std::uint64_t hits, misses;
    RuleHealth health;
    double value;  // checked when health != kNoData
    std::uint64_t samples;
  };
  const Step kSteps[] = {
      {0, 0, 0, RuleHealth::kNoData, 0, 0},          // one reading: no window yet
      {10, 30, 20, RuleHealth::kNoData, 0, 50},      // 50 lookups < 100
      {20, 90, 60, RuleHealth::kBreaching, 0.6, 150},
      {60, 400, 60, RuleHealth::kOk, 400.0 / 460, 460},
      // t=80: the window [20, 80] starts at the t=20 reading: 400-90 hits + 0 misses… plus new
      {80, 500, 60, RuleHealth::kOk, 1.0, 410},
      // t=200: only t=80 is before the window start (140): base t=80, 50 new lookups < 100
      {200, 530, 80, RuleHealth::kNoData, 0, 50},
  };
  AlertEvaluator e({.hit_rate_min = 0.8, .window_ms = 60'000, .min_samples = 100});
  for (const Step& s : kSteps) {
    SCOPED_TRACE("t=" + std::to_string(s.t));
    e.Observe(Lookups(s.t, s.hits, s.misses));
    const AlertState& st = State(e, AlertRule::kHitRate);
    EXPECT_EQ(st.health, s.health);
    EXPECT_EQ(st.samples, s.samples);
    if (s.health != RuleHealth::kNoData) {
      EXPECT_NEAR(st.value, s.value, 1e-9);
    }
  }
}

TEST(AlertRulesTest, FiresOnceAndResolvesAfterConsecutiveGoodEvaluations) {
  // fire_after 2, resolve_after 3, min 10 lookups, window 30 s; readings every 10 s.
  AlertEvaluator e({.hit_rate_min = 0.8, .window_ms = 30'000, .min_samples = 10, .fire_after = 2, .resolve_after = 3});
  struct Tick {
    std::uint64_t new_hits, new_misses;
    const char* transitions;
    bool firing;
  };
  const Tick kTicks[] = {
      {0, 0, "", false},                          // t=0: the first reading, no window yet
      {5, 15, "", false},                         // t=10: breaching once; fire_after is 2
      {5, 15, "cache_hit_rate:fired ", true},     // t=20: twice
      {5, 15, "", true},                          // t=30: still breaching, no second event
      {100, 0, "", true},                         // t=40: window (10, 40]: 110 hits, 30 misses, 0.79
      {100, 0, "", true},                         // t=50: (20, 50]: 205 / 15, ok #1
      {100, 0, "", true},                         // t=60: (30, 60]: 300 / 0, ok #2
      {5, 15, "cache_hit_rate:resolved ", false}, // t=70: (40, 70]: 205 / 15, ok #3
  };
  std::uint64_t hits = 0, misses = 0;
  std::int64_t t = 0;
  for (const Tick& k : kTicks) {
    SCOPED_TRACE("t=" + std::to_string(t));
    hits += k.new_hits;
    misses += k.new_misses;
    EXPECT_EQ(Transitions(e.Observe(Lookups(t, hits, misses))), k.transitions);
    EXPECT_EQ(State(e, AlertRule::kHitRate).firing, k.firing);
    t += 10;
  }
  EXPECT_FALSE(State(e, AlertRule::kHitRate).firing);
  EXPECT_EQ(State(e, AlertRule::kHitRate).since_wall_ms, 1'700'000'000'000 + 70'000);
}

TEST(AlertRulesTest, AlternatingValuesDoNotFlap) {
  // A rate that crosses the threshold on every other tick never resolves with resolve_after 3.
  AlertEvaluator e({.p95_ms_max = 200, .window_ms = 10'000, .min_samples = 10, .fire_after = 1, .resolve_after = 3});
  AlertReading r;
  int fired = 0, resolved = 0;
  for (int tick = 0; tick < 20; ++tick) {
    r.at_ms = tick * 10'000;  // each window holds exactly the last tick's requests
    r.request_durations[tick % 2 == 0 ? 12 : 3] += 100;  // 300..500 ms, or 5..10 ms
    for (const auto& ev : e.Observe(r)) (ev.transition == AlertTransition::kFired ? fired : resolved)++;
  }
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(resolved, 0);
  EXPECT_TRUE(State(e, AlertRule::kResponseP95).firing);
}

TEST(AlertRulesTest, ResolvesWhenTheBadPeriodLeavesTheWindowAndNoTrafficFollows) {
  AlertEvaluator e({.hit_rate_min = 0.8, .window_ms = 30'000, .min_samples = 10, .resolve_after = 2});
  EXPECT_EQ(Transitions(e.Observe(Lookups(0, 0, 0))), "");
  EXPECT_EQ(Transitions(e.Observe(Lookups(10, 0, 20))), "cache_hit_rate:fired ");
  std::string later;
  for (std::int64_t t = 20; t <= 80; t += 10) later += Transitions(e.Observe(Lookups(t, 0, 20)));
  EXPECT_EQ(later, "cache_hit_rate:resolved ");
  EXPECT_EQ(State(e, AlertRule::kHitRate).health, RuleHealth::kNoData);
}

TEST(AlertRulesTest, RedisRules) {
  struct Case {
    const char* name;
    bool configured;
    std::uint64_t attempts, failures;
    std::optional<double> memory_bytes;
    RuleHealth errors, memory;
  };
  const Case kCases[] = {
      {"no Redis: no data", false, 1000, 500, 99e6, RuleHealth::kNoData, RuleHealth::kNoData},
      {"1 % exactly is not above", true, 1000, 10, 1e6, RuleHealth::kOk, RuleHealth::kOk},
      {"1.1 % is", true, 1000, 11, 1e6, RuleHealth::kBreaching, RuleHealth::kOk},
      {"too few calls", true, 99, 99, std::nullopt, RuleHealth::kNoData, RuleHealth::kNoData},
      {"50 MiB is not above", true, 100, 0, 50.0 * 1024 * 1024, RuleHealth::kOk, RuleHealth::kOk},
      {"just above 50 MiB", true, 100, 0, 50.0 * 1024 * 1024 + 1, RuleHealth::kOk, RuleHealth::kBreaching},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    AlertEvaluator e({.window_ms = 60'000, .min_samples = 100});
    AlertReading r0, r1;
    r0.redis_configured = r1.redis_configured = c.configured;
    r1.at_ms = 10'000;
    r1.redis_attempts = c.attempts;
    r1.redis_failures = c.failures;
    r1.redis_memory_bytes = c.memory_bytes;
    e.Observe(r0);
    auto events = e.Observe(r1);
    EXPECT_EQ(State(e, AlertRule::kRedisErrorRate).health, c.errors);
    EXPECT_EQ(State(e, AlertRule::kRedisMemory).health, c.memory);
    EXPECT_EQ(events.size(), static_cast<std::size_t>((c.errors == RuleHealth::kBreaching) +
                                                      (c.memory == RuleHealth::kBreaching)));
  }
}

TEST(AlertRulesTest, ACounterThatWentBackwardsCountsFromZero) {
  AlertEvaluator e({.hit_rate_min = 0.8, .window_ms = 60'000, .min_samples = 10});
  e.Observe(Lookups(0, 1000, 0));
  e.Observe(Lookups(10, 2, 18));  // a restart: 2 hits and 18 misses since
  EXPECT_EQ(State(e, AlertRule::kHitRate).samples, 20u);
  EXPECT_NEAR(State(e, AlertRule::kHitRate).value, 0.1, 1e-9);
  EXPECT_TRUE(State(e, AlertRule::kHitRate).firing);
}

}  // namespace
}  // namespace iam::domain
