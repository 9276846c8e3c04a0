#include "app/alert_monitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "domain/time_format.hpp"

namespace iam::app {

namespace asio = boost::asio;
using domain::AlertRule;

namespace {

std::string Value(AlertRule rule, double v) {
  switch (rule) {
    case AlertRule::kHitRate: return fmt::format("{:.1f} %", v * 100);
    case AlertRule::kResponseP95: return fmt::format("{:.1f} ms", v);
    case AlertRule::kRedisErrorRate: return fmt::format("{:.2f} %", v * 100);
    case AlertRule::kRedisMemory: return fmt::format("{:.1f} MB", v);
  }
  return fmt::format("{}", v);
}

std::string_view What(AlertRule rule) {
  switch (rule) {
    case AlertRule::kHitRate: return "cache hit rate";
    case AlertRule::kResponseP95: return "response time p95";
    case AlertRule::kRedisErrorRate: return "Redis error rate";
    case AlertRule::kRedisMemory: return "Redis memory";
  }
  return "?";
}

std::string_view Unit(AlertRule rule) {
  switch (rule) {
    case AlertRule::kHitRate: return "lookups";
    case AlertRule::kResponseP95: return "requests";
    case AlertRule::kRedisErrorRate: return "Redis calls";
    case AlertRule::kRedisMemory: return "readings";
  }
  return "";
}

std::string Describe(AlertRule rule, double value, double threshold, std::uint64_t samples, std::int64_t window_ms) {
  const std::string_view relation = rule == AlertRule::kHitRate ? (value < threshold ? "below" : "at or above")
                                                                : (value > threshold ? "above" : "at or below");
  if (rule == AlertRule::kRedisMemory)
    return fmt::format("{} {} {} {}", What(rule), Value(rule, value), relation, Value(rule, threshold));
  return fmt::format("{} {} {} {} over the last {:.0f} s ({} {})", What(rule), Value(rule, value), relation,
                     Value(rule, threshold), static_cast<double>(window_ms) / 1000.0, samples, Unit(rule));
}

}  // namespace

std::string AlertMessage(const domain::AlertState& s, std::uint64_t min_samples) {
  if (s.health == domain::RuleHealth::kNoData) {
    if (s.rule == AlertRule::kRedisMemory) return fmt::format("{}: no reading (Redis not configured or not answering)", What(s.rule));
    if (s.rule == AlertRule::kRedisErrorRate && s.samples == 0)
      return fmt::format("{}: no Redis calls in the window", What(s.rule));
    return fmt::format("{}: too few {} in the window ({} < {})", What(s.rule), Unit(s.rule), s.samples, min_samples);
  }
  return Describe(s.rule, s.value, s.threshold, s.samples, s.window_ms);
}

std::string AlertMessage(const domain::AlertEvent& e) {
  std::string text = Describe(e.rule, e.value, e.threshold, e.samples, e.window_ms);
  return e.transition == domain::AlertTransition::kFired ? text : "resolved: " + text;
}

std::string AlertWebhookJson(const domain::AlertEvent& e, const std::string& message) {
  const bool fired = e.transition == domain::AlertTransition::kFired;
  return boost::json::serialize(boost::json::object{
      {"source", "iam"},
      {"status", fired ? "firing" : "resolved"},
      {"rule", domain::AlertRuleName(e.rule)},
      {"severity", fired ? "warning" : "info"},
      {"message", message},
      {"text", "[IAM] " + message},  // what chat webhooks (Slack, Mattermost) display
      {"value", e.value},
      {"threshold", e.threshold},
      {"samples", e.samples},
      {"windowS", static_cast<double>(e.window_ms) / 1000.0},
      {"at", FormatIsoMs(e.at_wall_ms)}});
}

AlertMonitor::AlertMonitor(asio::any_io_executor executor, AlertMonitorOptions options, cache::Cache& cache,
                           const http::RequestDurations& durations, AlertWebhook* webhook)
    : executor_(asio::make_strand(executor)),
      options_(options),
      cache_(cache),
      durations_(durations),
      webhook_(webhook),
      timer_(executor_),
      evaluator_(options.thresholds) {}

void AlertMonitor::Start() {
  // The baseline is taken here, not by the loop's first tick: that runs later on the executor, and
  // requests served before it would fall outside every window. Redis's counters are not read
  // (that needs a round trip); a base without them counts the client's calls from zero.
  {
    std::lock_guard lock(mu_);
    evaluator_.Observe(Read(nullptr));
  }
  asio::co_spawn(executor_, Loop(), asio::detached);
}

void AlertMonitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  asio::post(executor_, [this] { timer_.cancel(); });
}

asio::awaitable<void> AlertMonitor::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) co_return;
    }
    co_await Tick();
    timer_.expires_after(options_.interval);
    auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
  }
}

domain::AlertReading AlertMonitor::Read(const cache::RemoteStatus* redis) const {
  domain::AlertReading r;
  r.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count();
  r.wall_ms = NowMs();
  const cache::StatsSnapshot s = cache_.Snapshot();
  r.cache_hits = s.Hits();
  r.cache_misses = s.Misses();
  r.request_durations = durations_.Counts();
  if (redis != nullptr) {
    r.redis_configured = true;
    // Calls refused by an open breaker are failed calls that never reached the client's counter.
    r.redis_attempts = redis->commands + redis->rejected;
    r.redis_failures = redis->errors + redis->rejected;
    if (redis->used_memory_bytes) r.redis_memory_bytes = static_cast<double>(*redis->used_memory_bytes);
  }
  return r;
}

asio::awaitable<void> AlertMonitor::Tick() {
  std::optional<cache::RemoteStatus> redis;
  if (cache_.remote() != nullptr) redis = co_await cache_.remote()->Status();
  const domain::AlertReading reading = Read(redis ? &*redis : nullptr);
  std::vector<std::pair<domain::AlertEvent, std::string>> published;
  {
    std::lock_guard lock(mu_);
    for (const auto& e : evaluator_.Observe(reading)) {
      published.emplace_back(e, AlertMessage(e));
      history_.push_front({e, published.back().second});
      if (history_.size() > options_.history_limit) history_.pop_back();
    }
  }
  for (const auto& [e, message] : published) Publish(e, message);
}

void AlertMonitor::Publish(const domain::AlertEvent& e, const std::string& message) {
  if (e.transition == domain::AlertTransition::kFired)
    spdlog::warn("alert firing: {} [{}]", message, domain::AlertRuleName(e.rule));
  else
    spdlog::info("alert {} [{}]", message, domain::AlertRuleName(e.rule));
  if (webhook_ != nullptr && !webhook_->Enqueue(AlertWebhookJson(e, message)))
    spdlog::warn("alert webhook: queue full, notification for {} dropped", domain::AlertRuleName(e.rule));
}

api::AlertReport AlertMonitor::Report() const {
  api::AlertReport report;
  report.interval_ms = options_.interval.count();
  {
    std::lock_guard lock(mu_);
    report.thresholds = evaluator_.thresholds();
    for (const auto& s : evaluator_.states())
      report.rules.push_back({s, AlertMessage(s, report.thresholds.min_samples)});
    report.history.assign(history_.begin(), history_.end());
  }
  if (webhook_ != nullptr) report.webhook = webhook_->Counters();
  return report;
}

}  // namespace iam::app
