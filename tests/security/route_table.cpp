#include "security/route_table.hpp"

#include "api/dashboard_assets.hpp"
#include "api/routes.hpp"

namespace iam::security {
namespace {

const std::vector<std::string> kProductStrings = {"nombre", "descripcion", "codigoBarras", "rfid",         "sku",
                                                  "ubicacion", "color",   "talla",        "tipoProducto", "unidad"};
const std::vector<std::string> kSupplierStrings = {"nombre", "email", "telefono"};
const std::vector<std::string> kMovementStrings = {"tipo", "tipoPrecio", "motivo", "descripcion", "fecha"};
const std::vector<std::string> kEmpresaStrings = {"nombre", "rfc", "direccion", "emailContacto", "tipoIndustria"};
const std::vector<std::string> kPage = {"page", "limit"};
const std::vector<std::string> kMovementQuery = {"tipo", "productoId", "desde", "hasta", "page", "limit"};

RouteSpec Public(std::string method, std::string pattern, std::vector<std::string> body = {}) {
  return {std::move(method), std::move(pattern), false, kEveryRole, false, false, std::move(body), {}, CrossTenant::kNone};
}

// Authenticated, any role, no tenant needed (the session routes).
RouteSpec AnyUser(std::string method, std::string pattern, std::vector<std::string> body = {}) {
  return {std::move(method), std::move(pattern), true, kEveryRole, false, false, std::move(body), {}, CrossTenant::kNone};
}

RouteSpec Tenant(std::string method, std::string pattern, unsigned roles, std::vector<std::string> body,
                 std::vector<std::string> query, CrossTenant cross) {
  return {std::move(method), std::move(pattern), true, roles, true, false, std::move(body), std::move(query), cross};
}

}  // namespace

const std::vector<RouteSpec>& ApiRoutes() {
  using enum CrossTenant;
  static const std::vector<RouteSpec> kRoutes = {
      // Operations
      Public("GET", "/health"),
      Public("GET", "/health/ready"),
      Public("GET", "/metrics"),
      // Auth
      Public("POST", "/auth/login", {"email", "password"}),
      Public("POST", "/auth/refresh", {"refreshToken"}),
      Public("POST", "/auth/register", {"nombre", "email", "password"}),
      Public("POST", "/auth/register-empresa", {"nombreEmpresa", "tipoIndustria", "rfc", "nombre", "email", "password"}),
      AnyUser("POST", "/auth/setup-empresa", {"nombreEmpresa", "tipoIndustria", "rfc", "direccion", "emailContacto"}),
      AnyUser("POST", "/auth/logout", {"refreshToken"}),
      AnyUser("GET", "/auth/me"),
      AnyUser("POST", "/auth/change-password", {"passwordActual", "passwordNueva"}),
      // Cache administration: ADMIN and SUPERADMIN; stats need no tenant, clearing the tenant's
      // entries does (a SUPERADMIN without one may clear ?scope=all only).
      {"GET", "/auth/admin/cache-stats", true, kAdmins, false, false, {}, {}, kNone},
      {"GET", "/dashboard-cqrs/cache/stats", true, kAdmins, false, false, {}, {}, kNone},
      {"POST", "/auth/admin/cache/clear", true, kAdmins, true, false, {}, {"scope"}, kNone},
      {"GET", "/dashboard-cqrs/cache/invalidate", true, kAdmins, true, false, {}, {"cacheType"}, kNone},
      {"POST", "/dashboard-cqrs/cache/invalidate", true, kAdmins, true, false, {}, {"cacheType"}, kNone},
      // Alerts (docs/alerts.md): process-wide operational state, no tenant data: admins, no tenant.
      {"GET", "/auth/admin/alerts", true, kAdmins, false, false, {}, {}, kNone},
      // Dashboard
      Tenant("GET", "/dashboard-cqrs/kpis", kAllButProveedor, {}, {"forceRefresh"}, kNone),
      Tenant("GET", "/dashboard-cqrs/financial-kpis", kAdmins, {}, {"period", "forceRefresh"}, kNone),
      Tenant("GET", "/dashboard-cqrs/product-kpis/:productoId", kAllButProveedor, {}, {"forceRefresh"}, kNotFound),
      Tenant("GET", "/dashboard-cqrs/movement-kpis", kAllButProveedor, {}, {"days", "forceRefresh"}, kNone),
      Tenant("GET", "/dashboard-cqrs/daily-movements", kAllButProveedor, {}, {"days", "forceRefresh"}, kNone),
      Tenant("GET", "/dashboard-cqrs/predictive-kpis", kAllButProveedor, {}, {"days", "forceRefresh"}, kNone),
      Tenant("GET", "/dashboard-cqrs/all-kpis", kAllButProveedor, {}, {"forceRefresh"}, kNone),
      // Tenants: its own for every role (edit: ADMIN); all of them: SUPERADMIN only, by design global.
      Tenant("GET", "/empresas/mia", kEveryRole, {}, {}, kNone),
      Tenant("PATCH", "/empresas/mia", kAdmins, kEmpresaStrings, {}, kNone),
      {"GET", "/empresas", true, kSuper, false, true, {}, kPage, kNone},
      {"GET", "/empresas/:id", true, kSuper, false, true, {}, {}, kNone},
      {"PATCH", "/empresas/:id", true, kSuper, false, true, kEmpresaStrings, {}, kNone},
      {"DELETE", "/empresas/:id", true, kSuper, false, true, {}, {}, kNone},
      // Products: reads every role of the tenant (PROVEEDOR without prices), writes ADMIN/SUPERADMIN.
      Tenant("POST", "/productos", kAdmins, kProductStrings, {}, kBadReference),
      Tenant("GET", "/productos", kEveryRole, {},
             {"search", "etiqueta", "estado", "tipoProducto", "agotados", "proveedorId", "sku", "codigoBarras", "page",
              "limit"},
             kEmptyResult),
      Tenant("GET", "/productos/buscar/:codigoBarras", kEveryRole, {}, {}, kNotFound),
      Tenant("GET", "/productos/:id", kEveryRole, {}, {}, kNotFound),
      Tenant("PATCH", "/productos/:id", kAdmins, kProductStrings, {}, kNotFound),
      Tenant("PATCH", "/productos/:id/desactivar", kAdmins, {}, {}, kNotFound),
      Tenant("PATCH", "/productos/:id/reactivar", kAdmins, {}, {}, kNotFound),
      Tenant("DELETE", "/productos/:id", kAdmins, {}, {}, kNotFound),
      Tenant("PATCH", "/productos/:id/restaurar", kAdmins, {}, {}, kNotFound),
      // Suppliers: same split (docs/api.md: reads every role of the tenant).
      Tenant("POST", "/proveedores", kAdmins, kSupplierStrings, {}, kNone),
      Tenant("GET", "/proveedores", kEveryRole, {}, {"estado", "page", "limit"}, kNone),
      Tenant("GET", "/proveedores/:id", kEveryRole, {}, {}, kNotFound),
      Tenant("PUT", "/proveedores/:id", kAdmins, kSupplierStrings, {}, kNotFound),
      Tenant("PATCH", "/proveedores/:id/desactivar", kAdmins, {}, {}, kNotFound),
      Tenant("PATCH", "/proveedores/:id/reactivar", kAdmins, {}, {}, kNotFound),
      Tenant("DELETE", "/proveedores/:id/soft", kAdmins, {}, {}, kNotFound),
      Tenant("PATCH", "/proveedores/:id/restaurar", kAdmins, {}, {}, kNotFound),
      // Movements: ADMIN, SUPERADMIN, EMPLEADO; PROVEEDOR nowhere (movements carry prices).
      Tenant("POST", "/movimientos", kAllButProveedor, kMovementStrings, {}, kNotFound),
      Tenant("POST", "/movimientos/codigo-barras", kAllButProveedor,
             {"tipo", "tipoPrecio", "motivo", "descripcion", "fecha", "codigoBarras"}, {}, kNotFound),
      Tenant("GET", "/movimientos", kAllButProveedor, {}, kMovementQuery, kEmptyResult),
      Tenant("GET", "/movimientos/producto/:id", kAllButProveedor, {}, kMovementQuery, kNotFound),
      Tenant("GET", "/movimientos/eliminados", kAllButProveedor, {}, kMovementQuery, kNone),
      Tenant("GET", "/movimientos/eliminados/:id", kAllButProveedor, {}, {}, kNotFound),
      Tenant("GET", "/movimientos/:id", kAllButProveedor, {}, {}, kNotFound),
      Tenant("PATCH", "/movimientos/:id", kAllButProveedor, {"motivo", "descripcion"}, {}, kNotFound),
      Tenant("DELETE", "/movimientos/:id", kAllButProveedor, {}, {}, kNotFound),
      Tenant("PATCH", "/movimientos/:id/restaurar", kAllButProveedor, {}, {}, kNotFound),
      // Users: ADMIN (its tenant), SUPERADMIN (every tenant, by design).
      {"GET", "/users", true, kAdmins, true, true, {}, {"search", "rol", "activo", "page", "limit"}, kNone},
      Tenant("POST", "/users", kAdmins, {"nombre", "email", "password", "rol"}, {}, kNone),
      {"PATCH", "/users/:id", true, kAdmins, true, true, {"nombre", "rol"}, {}, kNotFound},
      {"DELETE", "/users/:id", true, kAdmins, true, true, {}, {}, kNotFound},
  };
  // The operator dashboard page: public static files (the page reads everything else through the
  // API with the session cookie), one route per embedded file, and / redirecting to it.
  static const std::vector<RouteSpec> kWithPage = [] {
    std::vector<RouteSpec> all = kRoutes;
    std::string mount(api::kDashboardMount);
    all.push_back(Public("GET", "/"));
    all.push_back(Public("GET", mount));
    for (const auto& asset : api::DashboardAssets()) all.push_back(Public("GET", mount + "/" + std::string(asset.path)));
    return all;
  }();
  return kWithPage;
}

}  // namespace iam::security
