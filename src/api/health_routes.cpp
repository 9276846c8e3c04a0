#include "api/health_routes.hpp"

#include <boost/json/object.hpp>

#include "http/blocking.hpp"
#include "http/error_response.hpp"

namespace iam::api {

using boost::asio::awaitable;
using http::beast_http::status;

namespace {

bool Draining(const HealthDeps& deps) { return deps.draining != nullptr && deps.draining->load(); }

http::Response DrainingResponse(const http::RequestContext& ctx) {
  return http::MakeJsonResponse(status::service_unavailable, boost::json::object{{"status", "draining"}},
                                ctx.request.version());
}

}  // namespace

void RegisterHealthRoutes(http::Router& router, HealthDeps deps) {
  router.Get("/health", [deps](http::RequestContext& ctx) -> awaitable<http::Response> {
    if (Draining(deps)) co_return DrainingResponse(ctx);
    co_return http::MakeJsonResponse(status::ok, boost::json::object{{"status", "ok"}}, ctx.request.version());
  });
  router.Get("/health/ready", [deps](http::RequestContext& ctx) -> awaitable<http::Response> {
    if (Draining(deps)) co_return DrainingResponse(ctx);
    auto ping = co_await http::RunBlocking(deps.blocking, [&] { return deps.db.Ping(); });
    std::string redis = deps.redis_state();
    boost::json::object body;
    if (!ping) {
      body = {{"status", "error"}, {"database", "down"}, {"redis", redis}};
      co_return http::MakeJsonResponse(status::service_unavailable, body, ctx.request.version());
    }
    body = {{"status", redis == "down" ? "degraded" : "ok"}, {"database", "up"}, {"redis", redis}};
    co_return http::MakeJsonResponse(status::ok, body, ctx.request.version());
  });
}

}  // namespace iam::api
