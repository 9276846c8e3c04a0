// The operator dashboard page (docs/dashboard.md): the embedded files of web/dashboard/ under
// /panel (index.html also at /panel itself), and / redirecting there. The page is static: it reads
// everything through the API with the session's HttpOnly `jwt` cookie. Its Content-Security-Policy
// allows only this origin's files and API (no inline script or style, no framing).
#include "api/dashboard_assets.hpp"
#include "api/routes.hpp"
#include "http/static_assets.hpp"

namespace iam::api {

void RegisterDashboardPageRoutes(http::Router& router) {
  const http::StaticAssetOptions options{.content_security_policy = std::string(kDashboardCsp)};
  http::MountStaticAssets(router, kDashboardMount, DashboardAssets(), options);
  router.Get("/", [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    http::Response res{http::beast_http::status::found, ctx.request.version()};
    res.set(http::beast_http::field::location, std::string(kDashboardMount) + "/");
    res.set(http::beast_http::field::cache_control, "no-cache");
    co_return res;
  });
}

}  // namespace iam::api
