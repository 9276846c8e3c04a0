// GET /metrics: Prometheus text exposition (version 0.0.4) of the cache (per tier, category and
// outcome; L1 size; Redis breaker, errors and latency histogram), the database pool (connections,
// statements sent) and, when wired, request durations and alert state (docs/alerts.md). Open, or,
// when METRICS_TOKEN is set, only with `Authorization: Bearer <token>` (compared in constant time).
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <string>
#include <string_view>

#include "api/endpoint.hpp"
#include "api/routes.hpp"
#include "cache/cache.hpp"
#include "http/error_response.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;

constexpr std::array<std::string_view, cache::kOutcomeCount> kOutcomeNames = {"hit_l1", "hit_l2", "shared",
                                                                              "miss",   "bypass", "stale"};

bool TokenMatches(std::string_view header, const std::string& token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() != kBearer.size() + token.size() || header.substr(0, kBearer.size()) != kBearer) return false;
  return CRYPTO_memcmp(header.data() + kBearer.size(), token.data(), token.size()) == 0;
}

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void RenderRequestDurations(std::string& out, const http::RequestDurations& durations) {
  auto o = std::back_inserter(out);
  Family(out, "iam_http_request_duration_seconds", "histogram", "Time to answer each HTTP request.");
  const domain::DurationCounts counts = durations.Counts();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    if (i < domain::kDurationBoundsMs.size())
      fmt::format_to(o, "iam_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", domain::kDurationBoundsMs[i] / 1e3,
                     cumulative);
    else
      fmt::format_to(o, "iam_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  }
  fmt::format_to(o, "iam_http_request_duration_seconds_sum {}\niam_http_request_duration_seconds_count {}\n",
                 durations.SumSeconds(), cumulative);
}

// Alert state (docs/alerts.md): 1 per firing rule, the last evaluated value, webhook deliveries.
void RenderAlerts(std::string& out, const AlertReport& report) {
  auto o = std::back_inserter(out);
  Family(out, "iam_alert_active", "gauge", "1 while the alert rule is firing.");
  for (const auto& r : report.rules)
    fmt::format_to(o, "iam_alert_active{{rule=\"{}\"}} {}\n", domain::AlertRuleName(r.state.rule), r.state.firing ? 1 : 0);
  Family(out, "iam_alert_value", "gauge", "Last evaluated value of each rule with enough samples in its window.");
  for (const auto& r : report.rules)
    if (r.state.health != domain::RuleHealth::kNoData)
      fmt::format_to(o, "iam_alert_value{{rule=\"{}\"}} {}\n", domain::AlertRuleName(r.state.rule), r.state.value);
  Family(out, "iam_alert_threshold", "gauge", "Threshold of each rule.");
  for (const auto& r : report.rules)
    fmt::format_to(o, "iam_alert_threshold{{rule=\"{}\"}} {}\n", domain::AlertRuleName(r.state.rule), r.state.threshold);
  Family(out, "iam_alert_webhook_deliveries_total", "counter",
         "Alert webhook deliveries: sent (2xx), failed (after every attempt), dropped (queue full).");
  const WebhookCounters& w = report.webhook;
  for (auto [result, n] : {std::pair{"sent", w.sent}, std::pair{"failed", w.failed}, std::pair{"dropped", w.dropped}})
    fmt::format_to(o, "iam_alert_webhook_deliveries_total{{result=\"{}\"}} {}\n", result, n);
  Family(out, "iam_alert_webhook_retries_total", "counter", "Webhook attempts after a failed one.");
  fmt::format_to(o, "iam_alert_webhook_retries_total {}\n", w.retries);
  Family(out, "iam_alert_webhook_queued", "gauge", "Alert deliveries waiting or in flight.");
  fmt::format_to(o, "iam_alert_webhook_queued {}\n", w.queued);
}

awaitable<std::string> Render(ApiContext& api) {
  std::string out;
  auto o = std::back_inserter(out);
  const cache::StatsSnapshot s = api.cache.Snapshot();

  Family(out, "iam_cache_requests_total", "counter", "Cacheable requests by category and how they were answered.");
  for (std::size_t c = 0; c < cache::kCategoryCount; ++c)
    for (std::size_t k = 0; k < cache::kOutcomeCount; ++k)
      fmt::format_to(o, "iam_cache_requests_total{{category=\"{}\",outcome=\"{}\"}} {}\n",
                     cache::CategoryName(static_cast<cache::Category>(c)), kOutcomeNames[k], s.outcomes[c][k]);
  for (auto [name, field] : {std::pair{"hits", 0}, std::pair{"misses", 1}, std::pair{"errors", 2}}) {
    const std::string metric = fmt::format("iam_cache_tier_{}_total", name);
    Family(out, metric, "counter", fmt::format("Lookups per tier and category: {}.", name));
    for (std::size_t t = 0; t < cache::kTierCount; ++t)
      for (std::size_t c = 0; c < cache::kCategoryCount; ++c) {
        const auto& n = s.tiers[t][c];
        fmt::format_to(o, "{}{{tier=\"{}\",category=\"{}\"}} {}\n", metric, t == 0 ? "l1" : "l2",
                       cache::CategoryName(static_cast<cache::Category>(c)),
                       field == 0 ? n.hits : field == 1 ? n.misses : n.errors);
      }
  }
  Family(out, "iam_cache_computations_total", "counter", "Factory runs (values computed from the database).");
  for (std::size_t c = 0; c < cache::kCategoryCount; ++c)
    fmt::format_to(o, "iam_cache_computations_total{{category=\"{}\"}} {}\n",
                   cache::CategoryName(static_cast<cache::Category>(c)), s.computations[c]);
  Family(out, "iam_cache_single_flight_shared_total", "counter", "Requests that joined another request's computation.");
  fmt::format_to(o, "iam_cache_single_flight_shared_total {}\n", s.single_flight_shared);
  Family(out, "iam_cache_invalidations_total", "counter", "Tenant invalidations.");
  fmt::format_to(o, "iam_cache_invalidations_total {}\n", s.invalidations);
  Family(out, "iam_cache_pending_redis_invalidations", "gauge", "Tenants whose Redis generation awaits a bump.");
  fmt::format_to(o, "iam_cache_pending_redis_invalidations {}\n", s.pending_remote_invalidations);
  Family(out, "iam_cache_stale_served_total", "counter",
         "Answers with X-Cache: STALE: last good value for a failing database (failsafe), or an entry past "
         "its TTL while refreshed (revalidate).");
  fmt::format_to(o, "iam_cache_stale_served_total{{reason=\"failsafe\"}} {}\n", s.stale_failsafe);
  fmt::format_to(o, "iam_cache_stale_served_total{{reason=\"revalidate\"}} {}\n", s.stale_revalidate);
  Family(out, "iam_cache_early_refreshes_total", "counter", "XFetch refreshes started before expiry.");
  fmt::format_to(o, "iam_cache_early_refreshes_total {}\n", s.early_refreshes);
  Family(out, "iam_cache_background_refreshes_total", "counter",
         "Background computations (stale-while-revalidate, early refresh, refresh-ahead).");
  fmt::format_to(o, "iam_cache_background_refreshes_total {}\n", s.background_refreshes);
  Family(out, "iam_cache_refresh_ahead_total", "counter", "Hot keys recomputed after a write to their tenant.");
  fmt::format_to(o, "iam_cache_refresh_ahead_total {}\n", s.refresh_ahead_runs);
  Family(out, "iam_cache_lock_total", "counter",
         "Cross-instance stampede lock: taken, waited for, value received while waiting, wait given up.");
  fmt::format_to(o, "iam_cache_lock_total{{event=\"acquired\"}} {}\n", s.lock_acquired);
  fmt::format_to(o, "iam_cache_lock_total{{event=\"wait\"}} {}\n", s.lock_waits);
  fmt::format_to(o, "iam_cache_lock_total{{event=\"wait_hit\"}} {}\n", s.lock_wait_hits);
  fmt::format_to(o, "iam_cache_lock_total{{event=\"wait_timeout\"}} {}\n", s.lock_wait_timeouts);

  const cache::MemoryTier& l1 = api.cache.l1();
  Family(out, "iam_cache_l1_bytes", "gauge", "Bytes held by the in-process tier.");
  fmt::format_to(o, "iam_cache_l1_bytes {}\n", l1.bytes());
  Family(out, "iam_cache_l1_max_bytes", "gauge", "Byte budget of the in-process tier.");
  fmt::format_to(o, "iam_cache_l1_max_bytes {}\n", l1.max_bytes());
  Family(out, "iam_cache_l1_entries", "gauge", "Entries in the in-process tier.");
  fmt::format_to(o, "iam_cache_l1_entries {}\n", l1.entries());
  Family(out, "iam_cache_l1_evictions_total", "counter", "Entries evicted to respect the byte budget.");
  fmt::format_to(o, "iam_cache_l1_evictions_total {}\n", l1.evictions());
  if (auto lag = api.cache.ChangeLag()) {
    Family(out, "iam_cache_change_lag_seconds", "gauge",
           "Time since the last moment up to which every database change is known applied (heartbeats).");
    fmt::format_to(o, "iam_cache_change_lag_seconds {:.3f}\n", static_cast<double>(lag->count()) / 1000.0);
  }

  cache::RemoteStatus r;
  if (api.cache.remote() != nullptr) r = co_await api.cache.remote()->Status();
  Family(out, "iam_redis_configured", "gauge", "1 when a Redis is configured.");
  fmt::format_to(o, "iam_redis_configured {}\n", r.configured ? 1 : 0);
  Family(out, "iam_redis_up", "gauge", "1 while a Redis connection is up.");
  fmt::format_to(o, "iam_redis_up {}\n", r.connected ? 1 : 0);
  Family(out, "iam_redis_breaker_state", "gauge", "Circuit breaker state (1 for the current one).");
  for (std::string_view st : {"closed", "open", "half-open"})
    fmt::format_to(o, "iam_redis_breaker_state{{state=\"{}\"}} {}\n", st, r.breaker == st ? 1 : 0);
  Family(out, "iam_redis_breaker_opened_total", "counter", "Times the breaker opened.");
  fmt::format_to(o, "iam_redis_breaker_opened_total {}\n", r.breaker_opened);
  Family(out, "iam_redis_rejected_total", "counter", "Calls not sent because the breaker was open.");
  fmt::format_to(o, "iam_redis_rejected_total {}\n", r.rejected);
  Family(out, "iam_redis_timeouts_total", "counter", "Commands that got no answer within the timeout.");
  fmt::format_to(o, "iam_redis_timeouts_total {}\n", r.timeouts);
  Family(out, "iam_redis_errors_total", "counter", "Failed Redis calls (timeouts, connection errors, error replies).");
  fmt::format_to(o, "iam_redis_errors_total {}\n", r.errors);
  Family(out, "iam_redis_latency_seconds", "histogram", "Latency of answered Redis calls.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < r.latency_counts.size(); ++i) {
    cumulative += r.latency_counts[i];
    if (i < cache::kLatencyBucketsUs.size())
      fmt::format_to(o, "iam_redis_latency_seconds_bucket{{le=\"{}\"}} {}\n", cache::kLatencyBucketsUs[i] / 1e6,
                     cumulative);
    else
      fmt::format_to(o, "iam_redis_latency_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  }
  fmt::format_to(o, "iam_redis_latency_seconds_sum {}\niam_redis_latency_seconds_count {}\n", r.latency_sum_us / 1e6,
                 cumulative);

  const store::PoolStats pool = api.db.Stats();
  Family(out, "iam_db_pool_connections", "gauge", "Database connections: open, in use, capacity.");
  fmt::format_to(o, "iam_db_pool_connections{{state=\"open\"}} {}\n", pool.size);
  fmt::format_to(o, "iam_db_pool_connections{{state=\"in_use\"}} {}\n", pool.in_use);
  fmt::format_to(o, "iam_db_pool_connections{{state=\"capacity\"}} {}\n", pool.capacity);
  Family(out, "iam_db_pool_acquire_timeouts_total", "counter", "Waits for a free connection that timed out.");
  fmt::format_to(o, "iam_db_pool_acquire_timeouts_total {}\n", pool.acquire_timeouts);
  Family(out, "iam_db_statements_total", "counter", "Statements sent to the database (queries, BEGIN/COMMIT/ROLLBACK).");
  fmt::format_to(o, "iam_db_statements_total {}\n", pool.statements);
  if (api.request_durations != nullptr) RenderRequestDurations(out, *api.request_durations);
  if (api.alerts != nullptr) RenderAlerts(out, api.alerts->Report());
  co_return out;
}

}  // namespace

void RegisterMetricsRoutes(http::Router& router, ApiContext& api) {
  router.Get("/metrics", [&api](http::RequestContext& ctx) -> awaitable<http::Response> {
    if (!api.metrics_token.empty() &&
        !TokenMatches(ctx.request[http::beast_http::field::authorization], api.metrics_token))
      co_return http::MakeErrorResponse(http::beast_http::status::unauthorized, "Token de métricas inválido", {},
                                        ctx.request.version());
    http::Response res{http::beast_http::status::ok, ctx.request.version()};
    res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = co_await Render(api);
    res.prepare_payload();
    co_return res;
  });
}

}  // namespace iam::api
