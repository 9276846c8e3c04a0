// Cache administration (api.md "Cache administration"): statistics and clearing for ADMIN and
// SUPERADMIN. Clearing is scoped: an ADMIN clears its tenant; a SUPERADMIN may clear every entry
// of this application (`scope=all`), which deletes only keys under CACHE_PREFIX, never FLUSHDB.
// The old /dashboard-cqrs/cache/* routes do the same for the caller's tenant.
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>

#include "api/endpoint.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "cache/cache.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;

std::string HumanBytes(std::size_t n) {
  if (n >= (1u << 20)) return fmt::format("{:.2f}M", static_cast<double>(n) / (1u << 20));
  if (n >= (1u << 10)) return fmt::format("{:.2f}K", static_cast<double>(n) / (1u << 10));
  return fmt::format("{}B", n);
}

std::size_t Idx(cache::Outcome o) { return static_cast<std::size_t>(o); }

awaitable<json::object> StatsJson(ApiContext& api) {
  const cache::StatsSnapshot s = api.cache.Snapshot();
  const cache::MemoryTier& l1 = api.cache.l1();
  cache::RemoteStatus redis;
  if (api.cache.remote() != nullptr) redis = co_await api.cache.remote()->Status();

  json::object categories;
  std::uint64_t computations = 0;
  for (std::size_t c = 0; c < cache::kCategoryCount; ++c) {
    const auto& o = s.outcomes[c];
    computations += s.computations[c];
    categories[cache::CategoryName(static_cast<cache::Category>(c))] = json::object{
        {"hitsL1", o[Idx(cache::Outcome::kHitL1)]},
        {"hitsL2", o[Idx(cache::Outcome::kHitL2)]},
        {"sharedComputations", o[Idx(cache::Outcome::kShared)]},
        {"misses", o[Idx(cache::Outcome::kMiss)]},
        {"bypasses", o[Idx(cache::Outcome::kBypass)]},
        {"stale", o[Idx(cache::Outcome::kStale)]},
        {"computations", s.computations[c]},
        {"errorsL2", s.tiers[1][c].errors},
    };
  }
  const std::string memory = redis.used_memory_human ? *redis.used_memory_human : HumanBytes(l1.bytes());
  json::object redis_json{{"configured", redis.configured},
                          {"connected", redis.connected},
                          {"breaker", redis.breaker},
                          {"breakerOpened", redis.breaker_opened},
                          {"rejectedByBreaker", redis.rejected},
                          {"timeouts", redis.timeouts},
                          {"errors", redis.errors},
                          {"commands", redis.commands},
                          {"latencyUs", json::object{{"p50", redis.latency_p50_us},
                                                     {"p95", redis.latency_p95_us},
                                                     {"p99", redis.latency_p99_us}}}};
  if (redis.keys) redis_json["keys"] = *redis.keys;
  if (redis.used_memory_human) redis_json["usedMemoryHuman"] = *redis.used_memory_human;
  co_return json::object{
      {"redisConnected", redis.connected},
      {"cacheHits", s.Hits()},
      {"cacheMisses", s.Misses()},
      {"hitRate", s.HitRate()},
      {"memoryUsage", memory},
      {"computations", computations},
      {"crossInstanceBoundMs", api.cross_instance_bound_ms},
      {"changeLagMs", api.cache.ChangeLag() ? json::value(api.cache.ChangeLag()->count()) : json::value(nullptr)},
      {"singleFlightShared", s.single_flight_shared},
      {"invalidations", s.invalidations},
      {"pendingRedisInvalidations", s.pending_remote_invalidations},
      {"staleServed", json::object{{"failsafe", s.stale_failsafe}, {"revalidate", s.stale_revalidate}}},
      {"earlyRefreshes", s.early_refreshes},
      {"backgroundRefreshes", s.background_refreshes},
      {"refreshAheadRuns", s.refresh_ahead_runs},
      {"lock", json::object{{"acquired", s.lock_acquired},
                            {"waits", s.lock_waits},
                            {"waitHits", s.lock_wait_hits},
                            {"waitTimeouts", s.lock_wait_timeouts}}},
      {"l1", json::object{{"bytes", l1.bytes()},
                          {"maxBytes", l1.max_bytes()},
                          {"entries", l1.entries()},
                          {"evictions", l1.evictions()}}},
      {"redis", std::move(redis_json)},
      {"categories", std::move(categories)},
  };
}

awaitable<Result<Reply>> ClearTenant(ApiContext& api, const Principal& who) {
  if (!who.empresa_id)
    co_return Fail(Error{ErrorKind::kPermissionDenied, "EMPRESA_REQUIRED", "Debe configurar una empresa antes de continuar"});
  auto cleared = co_await api.cache.Clear(*who.empresa_id);
  // The tenant's entries are unreachable even when Redis could not be told (the bump is pending
  // and its L2 is skipped until then): the clear succeeded as far as any reader can tell.
  co_return Ok(json::object{{"cleared", true},
                            {"scope", "tenant"},
                            {"empresaId", *who.empresa_id},
                            {"redisKeysDeleted", cleared ? *cleared : 0}});
}

constexpr std::array<std::string_view, 2> kScopes = {"tenant", "all"};
// cacheType of the old route: accepted for compatibility; every type clears the whole tenant,
// since one write invalidates them all anyway (cache.hpp).
constexpr std::array<std::string_view, 8> kCacheTypes = {"all",     "kpis",      "financial", "financial-kpis",
                                                         "product", "movements", "predictive", "productos"};

}  // namespace

void RegisterCacheRoutes(http::Router& router, ApiContext& api) {
  const Access admins{.roles = kAdmins, .tenant_required = false};
  auto stats = Authed(api, admins, [&api](http::RequestContext&, const Principal&) -> awaitable<Result<Reply>> {
    co_return Ok(co_await StatsJson(api));
  });
  router.Get("/auth/admin/cache-stats", stats);
  router.Get("/dashboard-cqrs/cache/stats", stats);

  router.Post("/auth/admin/cache/clear",
              Authed(api, admins, [&api](http::RequestContext& ctx, const Principal& who) -> awaitable<Result<Reply>> {
                auto scope = QueryEnum(ctx, "scope", kScopes);
                if (!scope) co_return Fail(scope.error());
                if (scope->value_or("tenant") == "all") {
                  if (who.rol != "SUPERADMIN")
                    co_return Fail(Error{ErrorKind::kPermissionDenied, "FORBIDDEN", "scope=all requiere SUPERADMIN"});
                  auto cleared = co_await api.cache.Clear(std::nullopt);
                  if (!cleared) co_return Fail(cleared.error());
                  co_return Ok(json::object{{"cleared", true}, {"scope", "all"}, {"redisKeysDeleted", *cleared}});
                }
                co_return co_await ClearTenant(api, who);
              }));

  auto invalidate = Authed(api, admins, [&api](http::RequestContext& ctx, const Principal& who) -> awaitable<Result<Reply>> {
    auto type = QueryEnum(ctx, "cacheType", kCacheTypes);
    if (!type) co_return Fail(type.error());
    co_return co_await ClearTenant(api, who);
  });
  router.Get("/dashboard-cqrs/cache/invalidate", invalidate);
  router.Post("/dashboard-cqrs/cache/invalidate", invalidate);
}

}  // namespace iam::api
