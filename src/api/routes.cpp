#include "api/routes.hpp"

#include "api/health_routes.hpp"

namespace iam::api {

void RegisterApiRoutes(http::Router& router, ApiContext& api) {
  RegisterHealthRoutes(router, {.db = api.db, .blocking = api.blocking, .redis_state = [&api] {
                                  const cache::RemoteTier* remote = api.cache.remote();
                                  if (remote == nullptr) return std::string("disabled");
                                  return std::string(api.cache.RemoteConnected() ? "up" : "down");
                                },
                                .draining = api.draining});
  RegisterAuthRoutes(router, api);
  RegisterUserRoutes(router, api);
  RegisterEmpresaRoutes(router, api);
  RegisterProductRoutes(router, api);
  RegisterSupplierRoutes(router, api);
  RegisterMovementRoutes(router, api);
  RegisterDashboardRoutes(router, api);
  RegisterCacheRoutes(router, api);
  RegisterAlertRoutes(router, api);
  RegisterMetricsRoutes(router, api);
  RegisterDashboardPageRoutes(router);
}

}  // namespace iam::api
