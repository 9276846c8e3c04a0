#include "domain/alert_rules.hpp"

#include <algorithm>

namespace iam::domain {
namespace {

// Counters only grow; a smaller value means the process (or Redis) restarted since `base`.
std::uint64_t Delta(std::uint64_t last, std::uint64_t base) { return last >= base ? last - base : last; }

bool Breaches(AlertRule rule, double value, const AlertThresholds& t) {
  switch (rule) {
    case AlertRule::kHitRate: return value < t.hit_rate_min;
    case AlertRule::kResponseP95: return value > t.p95_ms_max;
    case AlertRule::kRedisErrorRate: return value > t.redis_error_rate_max;
    case AlertRule::kRedisMemory: return value > t.redis_memory_mb_max;
  }
  return false;
}

double Threshold(AlertRule rule, const AlertThresholds& t) {
  switch (rule) {
    case AlertRule::kHitRate: return t.hit_rate_min;
    case AlertRule::kResponseP95: return t.p95_ms_max;
    case AlertRule::kRedisErrorRate: return t.redis_error_rate_max;
    case AlertRule::kRedisMemory: return t.redis_memory_mb_max;
  }
  return 0;
}

}  // namespace

double HistogramQuantileMs(const DurationCounts& counts, double q) {
  std::uint64_t total = 0;
  for (auto n : counts) total += n;
  if (total == 0) return 0;
  // The rank of the q-quantile, as a count of observations at or below it.
  const double rank = q * static_cast<double>(total);
  double below = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double in_bucket = static_cast<double>(counts[i]);
    if (in_bucket > 0 && below + in_bucket >= rank) {
      if (i == kDurationBoundsMs.size()) return kDurationBoundsMs.back();
      const double lo = i == 0 ? 0 : kDurationBoundsMs[i - 1];
      const double hi = kDurationBoundsMs[i];
      return lo + (hi - lo) * std::clamp((rank - below) / in_bucket, 0.0, 1.0);
    }
    below += in_bucket;
  }
  return kDurationBoundsMs.back();
}

std::string_view AlertRuleName(AlertRule r) {
  switch (r) {
    case AlertRule::kHitRate: return "cache_hit_rate";
    case AlertRule::kResponseP95: return "response_time_p95";
    case AlertRule::kRedisErrorRate: return "redis_error_rate";
    case AlertRule::kRedisMemory: return "redis_memory";
  }
  return "unknown";
}

AlertEvaluator::AlertEvaluator(AlertThresholds thresholds) : thresholds_(thresholds) {
  for (std::size_t i = 0; i < kAlertRuleCount; ++i) {
    states_[i].rule = static_cast<AlertRule>(i);
    states_[i].threshold = Threshold(states_[i].rule, thresholds_);
  }
}

AlertEvaluator::Evaluation AlertEvaluator::Evaluate(AlertRule rule, const AlertReading& base,
                                                    const AlertReading& last) const {
  Evaluation e;
  switch (rule) {
    case AlertRule::kHitRate: {
      const std::uint64_t hits = Delta(last.cache_hits, base.cache_hits);
      e.samples = hits + Delta(last.cache_misses, base.cache_misses);
      if (e.samples > 0) e.value = static_cast<double>(hits) / static_cast<double>(e.samples);
      break;
    }
    case AlertRule::kResponseP95: {
      DurationCounts window{};
      for (std::size_t i = 0; i < window.size(); ++i) {
        window[i] = Delta(last.request_durations[i], base.request_durations[i]);
        e.samples += window[i];
      }
      e.value = HistogramQuantileMs(window, 0.95);
      break;
    }
    case AlertRule::kRedisErrorRate: {
      if (!last.redis_configured) return e;
      e.samples = Delta(last.redis_attempts, base.redis_attempts);
      const std::uint64_t failed = Delta(last.redis_failures, base.redis_failures);
      if (e.samples > 0) e.value = std::min(1.0, static_cast<double>(failed) / static_cast<double>(e.samples));
      break;
    }
    case AlertRule::kRedisMemory:
      // A gauge: the latest reading is the value; one reading is the whole sample.
      if (!last.redis_configured || !last.redis_memory_bytes) return e;
      e.value = *last.redis_memory_bytes / (1024.0 * 1024.0);
      e.health = Breaches(rule, e.value, thresholds_) ? RuleHealth::kBreaching : RuleHealth::kOk;
      e.samples = 1;
      return e;
  }
  if (e.samples < std::max<std::uint64_t>(thresholds_.min_samples, 1)) {
    e.health = RuleHealth::kNoData;
    return e;
  }
  e.health = Breaches(rule, e.value, thresholds_) ? RuleHealth::kBreaching : RuleHealth::kOk;
  return e;
}

std::optional<AlertEvent> AlertEvaluator::Step(AlertState& s, const Evaluation& e, std::int64_t window_ms,
                                               std::int64_t wall_ms) {
  const bool was_breaching = s.health == RuleHealth::kBreaching;
  const bool breaching = e.health == RuleHealth::kBreaching;
  s.streak = (breaching == was_breaching && s.streak > 0) ? s.streak + 1 : 1;
  s.health = e.health;
  s.value = e.value;
  s.samples = e.samples;
  s.window_ms = window_ms;
  const bool fire = !s.firing && breaching && s.streak >= std::max(thresholds_.fire_after, 1);
  const bool resolve = s.firing && !breaching && s.streak >= std::max(thresholds_.resolve_after, 1);
  if (!fire && !resolve) return std::nullopt;
  s.firing = fire;
  s.since_wall_ms = wall_ms;
  return AlertEvent{.rule = s.rule,
                    .transition = fire ? AlertTransition::kFired : AlertTransition::kResolved,
                    .value = e.value,
                    .threshold = s.threshold,
                    .samples = e.samples,
                    .window_ms = window_ms,
                    .at_wall_ms = wall_ms};
}

std::vector<AlertEvent> AlertEvaluator::Observe(const AlertReading& in) {
  AlertReading reading = in;
  if (!readings_.empty()) reading.at_ms = std::max(reading.at_ms, readings_.back().at_ms);  // see REQUIRES
  readings_.push_back(reading);
  // Keep, as the front, the newest reading at or before the window's start: the window's deltas
  // then cover at least the whole window once enough readings exist.
  const std::int64_t start = reading.at_ms - thresholds_.window_ms;
  while (readings_.size() >= 2 && readings_[1].at_ms <= start) readings_.pop_front();
  const AlertReading& base = readings_.front();
  const std::int64_t window_ms = reading.at_ms - base.at_ms;
  std::vector<AlertEvent> events;
  for (auto& s : states_) {
    if (auto ev = Step(s, Evaluate(s.rule, base, reading), window_ms, reading.wall_ms)) events.push_back(*ev);
  }
  return events;
}

}  // namespace iam::domain
