// GET /auth/admin/alerts (cache.md guarantee 8, docs/alerts.md): the alert rules' state, the
// active alerts and recent transitions, for ADMIN and SUPERADMIN like the other cache
// administration routes. Alerts describe this process (its cache, its requests, its Redis), not a
// tenant: the answer holds no tenant data, so it needs no tenant and is the same for every admin.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/endpoint.hpp"
#include "api/routes.hpp"
#include "domain/time_format.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;

std::string_view HealthName(const domain::AlertState& s) {
  if (s.firing) return "firing";
  switch (s.health) {
    case domain::RuleHealth::kNoData: return "no_data";
    case domain::RuleHealth::kOk: return "ok";
    case domain::RuleHealth::kBreaching: return "pending";  // breaching, not yet for fire_after evaluations
  }
  return "no_data";
}

json::value When(std::int64_t wall_ms) { return wall_ms > 0 ? json::value(FormatIsoMs(wall_ms)) : json::value(nullptr); }

json::object RuleJson(const AlertRuleReport& r) {
  const domain::AlertState& s = r.state;
  return json::object{{"rule", domain::AlertRuleName(s.rule)},
                      {"state", HealthName(s)},
                      {"message", r.message},
                      {"value", s.health == domain::RuleHealth::kNoData ? json::value(nullptr) : json::value(s.value)},
                      {"threshold", s.threshold},
                      {"samples", s.samples},
                      {"windowS", static_cast<double>(s.window_ms) / 1000.0},
                      {"since", When(s.since_wall_ms)}};
}

json::object Report(const AlertReport& report) {
  json::array active, rules, history;
  for (const auto& r : report.rules) {
    rules.push_back(RuleJson(r));
    if (!r.state.firing) continue;
    json::object a = RuleJson(r);
    a["severity"] = "warning";
    active.push_back(std::move(a));
  }
  for (const auto& h : report.history) {
    const domain::AlertEvent& e = h.event;
    history.push_back(json::object{
        {"rule", domain::AlertRuleName(e.rule)},
        {"event", e.transition == domain::AlertTransition::kFired ? "fired" : "resolved"},
        {"message", h.message},
        {"value", e.value},
        {"threshold", e.threshold},
        {"samples", e.samples},
        {"windowS", static_cast<double>(e.window_ms) / 1000.0},
        {"at", When(e.at_wall_ms)}});
  }
  const domain::AlertThresholds& t = report.thresholds;
  const WebhookCounters& w = report.webhook;
  return json::object{
      {"watching", true},
      {"active", std::move(active)},
      {"rules", std::move(rules)},
      {"history", std::move(history)},
      {"thresholds", json::object{{"hitRateMin", t.hit_rate_min},
                                  {"p95Ms", t.p95_ms_max},
                                  {"redisErrorRate", t.redis_error_rate_max},
                                  {"redisMemoryMb", t.redis_memory_mb_max},
                                  {"windowS", static_cast<double>(t.window_ms) / 1000.0},
                                  {"minSamples", t.min_samples},
                                  {"intervalMs", report.interval_ms}}},
      {"webhook", json::object{{"configured", w.configured},
                               {"sent", w.sent},
                               {"failed", w.failed},
                               {"dropped", w.dropped},
                               {"retries", w.retries},
                               {"queued", w.queued}}},
  };
}

}  // namespace

void RegisterAlertRoutes(http::Router& router, ApiContext& api) {
  const Access admins{.roles = kAdmins, .tenant_required = false};
  router.Get("/auth/admin/alerts",
             Authed(api, admins, [&api](http::RequestContext&, const Principal&) -> awaitable<Result<Reply>> {
               if (api.alerts == nullptr)
                 co_return Ok(json::object{{"watching", false},
                                           {"active", json::array{}},
                                           {"rules", json::array{}},
                                           {"history", json::array{}}});
               co_return Ok(Report(api.alerts->Report()));
             }));
}

}  // namespace iam::api
