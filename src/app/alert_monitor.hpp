// AlertMonitor: watches the guide's thresholds (cache.md guarantee 8, docs/alerts.md). Every
// `interval` it reads the cache counters, the request-duration histogram and Redis' status, feeds
// them to a domain::AlertEvaluator, logs each transition (warning when a rule fires, info when it
// resolves) and hands it to the webhook, if any. Report() serves GET /auth/admin/alerts and
// /metrics. Thread-safe; the sampling runs as one coroutine on a strand of the given executor.
// REQUIRES: cache, durations and webhook outlive it, and Stop() is called (or the executor's
// io_context stopped) before it is destroyed.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <mutex>

#include "api/alert_source.hpp"
#include "app/alert_webhook.hpp"
#include "cache/cache.hpp"
#include "domain/alert_rules.hpp"
#include "http/request_durations.hpp"

namespace iam::app {

struct AlertMonitorOptions {
  domain::AlertThresholds thresholds;
  std::chrono::milliseconds interval{10000};
  std::size_t history_limit = 100;
};

class AlertMonitor final : public api::AlertSource {
 public:
  AlertMonitor(boost::asio::any_io_executor executor, AlertMonitorOptions options, cache::Cache& cache,
               const http::RequestDurations& durations, AlertWebhook* webhook);

  void Start();  // a baseline reading before it returns, then one every interval
  void Stop();
  // One reading and evaluation (what each interval runs).
  boost::asio::awaitable<void> Tick();

  api::AlertReport Report() const override;

 private:
  boost::asio::awaitable<void> Loop();
  domain::AlertReading Read(const cache::RemoteStatus* redis) const;
  void Publish(const domain::AlertEvent& event, const std::string& message);

  boost::asio::any_io_executor executor_;  // a strand: the loop and Stop()'s cancel never overlap
  AlertMonitorOptions options_;
  cache::Cache& cache_;
  const http::RequestDurations& durations_;
  AlertWebhook* webhook_;
  boost::asio::steady_timer timer_;

  mutable std::mutex mu_;  // guards the members below
  domain::AlertEvaluator evaluator_;
  std::deque<api::AlertHistoryEntry> history_;  // newest first
  bool stopped_ = false;
};

// The one-line description of a rule's state or of a transition (no secret: numbers and names).
std::string AlertMessage(const domain::AlertState& state, std::uint64_t min_samples);
std::string AlertMessage(const domain::AlertEvent& event);
// The webhook's JSON document for a transition.
std::string AlertWebhookJson(const domain::AlertEvent& event, const std::string& message);

}  // namespace iam::app
