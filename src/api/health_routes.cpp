#include "api/health_routes.hpp"

#include <boost/json/object.hpp>

#include "http/blocking.hpp"
#include "http/error_response.hpp"

namespace iam::api {

using boost::asio::awaitable;
using http::beast_http::status;

void RegisterHealthRoutes(http::Router& router, HealthDeps deps) {
  router.Get("/health", [](http::RequestContext& ctx) -> awaitable<http::Response> {
    co_return http::MakeJsonResponse(status::ok, boost::json::object{{"status", "ok"}}, ctx.request.version());
  });
  router.Get("/health/ready", [deps](http::RequestContext& ctx) -> awaitable<http::Response> {
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
