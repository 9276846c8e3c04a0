// RouteTable: every route of api.md (and docs/api.md) in one table with what the security suites
// need to know about it: who may call it, whether it needs a tenant, the string fields of its
// body and the query parameters it reads, and what another tenant's ids get. The role matrix,
// the cross-tenant probes and the injection sweep are all driven by it, and a test compares it
// with the routes the router actually registered, so a new route without an entry fails.
#pragma once

#include <string>
#include <vector>

namespace iam::security {

// Roles as bits, so a route lists the ones it admits.
enum RoleBit : unsigned { kSuper = 1, kAdmin = 2, kEmpleado = 4, kProveedor = 8 };
inline constexpr unsigned kEveryRole = kSuper | kAdmin | kEmpleado | kProveedor;
inline constexpr unsigned kAdmins = kSuper | kAdmin;
inline constexpr unsigned kAllButProveedor = kSuper | kAdmin | kEmpleado;

// What a caller of tenant A gets when the request names tenant B's resource.
enum class CrossTenant {
  kNone,         // the route names no tenant resource (or is global by design, e.g. SUPERADMIN only)
  kNotFound,     // 404, and nothing of B changes
  kBadReference, // 400: a body or query reference to B's supplier is "not an ACTIVO supplier of the tenant"
  kEmptyResult,  // 200 that shows none of B's data (a filter naming B's id)
};

struct RouteSpec {
  std::string method;   // "GET", "POST", …
  std::string pattern;  // as registered, e.g. "/productos/:id"
  bool authenticated = true;
  unsigned roles = kEveryRole;   // admitted roles (authenticated routes)
  bool tenant_required = true;   // a user without tenant gets 403 EMPRESA_REQUIRED…
  bool super_any_tenant = false; // …except a SUPERADMIN, where the route spans every tenant
  std::vector<std::string> body_strings;  // string fields of the JSON body (enums included)
  std::vector<std::string> query_params;  // query parameters read by the handler
  CrossTenant cross = CrossTenant::kNone;

  std::string Key() const { return method + " " + pattern; }
};

const std::vector<RouteSpec>& ApiRoutes();

}  // namespace iam::security
