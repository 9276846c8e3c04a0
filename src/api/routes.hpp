// RegisterApiRoutes: every route of api.md served by this build, registered on one router.
// REQUIRES: `api` outlives the router and the server using it.
#pragma once

#include <string_view>

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace iam::api {

void RegisterApiRoutes(http::Router& router, ApiContext& api);

// One per resource group (api.md sections), each in its own *_routes.cpp.
void RegisterAuthRoutes(http::Router& router, ApiContext& api);
void RegisterUserRoutes(http::Router& router, ApiContext& api);
void RegisterEmpresaRoutes(http::Router& router, ApiContext& api);
void RegisterProductRoutes(http::Router& router, ApiContext& api);
void RegisterSupplierRoutes(http::Router& router, ApiContext& api);
void RegisterMovementRoutes(http::Router& router, ApiContext& api);
void RegisterDashboardRoutes(http::Router& router, ApiContext& api);
void RegisterCacheRoutes(http::Router& router, ApiContext& api);
void RegisterAlertRoutes(http::Router& router, ApiContext& api);
void RegisterMetricsRoutes(http::Router& router, ApiContext& api);

// The operator dashboard page (static files compiled into the binary) under kDashboardMount.
inline constexpr std::string_view kDashboardMount = "/panel";
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
void RegisterDashboardPageRoutes(http::Router& router);

}  // namespace iam::api
