// Alert rules of cache.md guarantee 8 (the guide's thresholds): cache hit rate, response-time p95,
// Redis error rate and Redis memory, evaluated over a sliding window of cumulative readings with a
// minimum sample per rule. Pure: the caller supplies readings and times (AlertEvaluator::Observe),
// the evaluator returns the firing / resolved transitions. Not thread-safe: one owner calls it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

namespace iam::domain {

// Upper bounds (ms) of the request-duration histogram buckets; one more bucket is +Inf.
inline constexpr std::array<double, 17> kDurationBoundsMs = {1,   2,   5,   10,  25,   50,   75,   100,  150,
                                                             200, 250, 300, 500, 1000, 2500, 5000, 10000};
using DurationCounts = std::array<std::uint64_t, kDurationBoundsMs.size() + 1>;  // per bucket, not cumulative

// The q-quantile (0 < q <= 1) of a histogram, linear within its bucket (the +Inf bucket reports
// its lower bound, the largest finite bound); 0 for an empty histogram.
double HistogramQuantileMs(const DurationCounts& counts, double q);

enum class AlertRule : std::size_t { kHitRate, kResponseP95, kRedisErrorRate, kRedisMemory };
inline constexpr std::size_t kAlertRuleCount = 4;
std::string_view AlertRuleName(AlertRule r);  // cache_hit_rate, response_time_p95, redis_error_rate, redis_memory

struct AlertThresholds {
  double hit_rate_min = 0.80;          // fires when the window's hit rate is below
  double p95_ms_max = 200;             // fires when the window's p95 response time is above
  double redis_error_rate_max = 0.01;  // fires when failed / attempted Redis calls is above
  double redis_memory_mb_max = 50;     // fires when Redis used_memory (MiB) is above
  std::int64_t window_ms = 300'000;    // the sliding window
  std::uint64_t min_samples = 100;     // lookups / requests / Redis calls a rate rule needs in its window
  int fire_after = 1;     // consecutive breaching evaluations before a rule fires
  int resolve_after = 3;  // consecutive non-breaching evaluations before a firing rule resolves
};

// Cumulative counters read at one instant (they only grow; a decrease is taken as a restart).
struct AlertReading {
  std::int64_t at_ms = 0;    // monotonic clock; never decreasing between Observe calls
  std::int64_t wall_ms = 0;  // epoch ms, for reports
  std::uint64_t cache_hits = 0, cache_misses = 0;
  DurationCounts request_durations{};
  bool redis_configured = false;
  std::uint64_t redis_attempts = 0, redis_failures = 0;  // calls tried (breaker rejections included) and failed
  std::optional<double> redis_memory_bytes;              // absent when Redis did not answer
};

enum class RuleHealth { kNoData, kOk, kBreaching };

struct AlertState {
  AlertRule rule = AlertRule::kHitRate;
  double threshold = 0;
  RuleHealth health = RuleHealth::kNoData;  // of the last evaluation
  double value = 0;                          // of the last evaluation (meaningless with kNoData)
  std::uint64_t samples = 0;                 // in the window at the last evaluation
  std::int64_t window_ms = 0;                // time the window's readings span
  bool firing = false;
  std::int64_t since_wall_ms = 0;  // when it fired (firing) or last resolved; 0: never
  int streak = 0;                  // consecutive evaluations of the current health (breaching vs not)
};

enum class AlertTransition { kFired, kResolved };

struct AlertEvent {
  AlertRule rule = AlertRule::kHitRate;
  AlertTransition transition = AlertTransition::kFired;
  double value = 0, threshold = 0;
  std::uint64_t samples = 0;
  std::int64_t window_ms = 0;
  std::int64_t at_wall_ms = 0;
};

class AlertEvaluator {
 public:
  explicit AlertEvaluator(AlertThresholds thresholds);

  // Adds a reading and evaluates every rule over the window ending at it. A rate rule with fewer
  // than min_samples events in its window has no data, which counts as not breaching: a firing
  // rule resolves once its bad period has left the window and nothing new confirms it.
  // REQUIRES: reading.at_ms >= the previous reading's.
  std::vector<AlertEvent> Observe(const AlertReading& reading);

  const std::array<AlertState, kAlertRuleCount>& states() const { return states_; }
  const AlertThresholds& thresholds() const { return thresholds_; }

 private:
  struct Evaluation {
    RuleHealth health = RuleHealth::kNoData;
    double value = 0;
    std::uint64_t samples = 0;
  };
  Evaluation Evaluate(AlertRule rule, const AlertReading& base, const AlertReading& last) const;
  std::optional<AlertEvent> Step(AlertState& s, const Evaluation& e, std::int64_t window_ms, std::int64_t wall_ms);

  AlertThresholds thresholds_;
  std::deque<AlertReading> readings_;  // front: the newest reading at or before the window start
  std::array<AlertState, kAlertRuleCount> states_{};
};

}  // namespace iam::domain
