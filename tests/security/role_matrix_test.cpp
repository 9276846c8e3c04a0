// The role matrix of api.md: every route of the RouteTable called by every kind of caller
// (SUPERADMIN, ADMIN, EMPLEADO, PROVEEDOR of tenant A; ADMIN and SUPERADMIN without tenant; no
// token), each time with a valid request on tenant A's own fresh resources and a fresh user.
// Expected: anonymous -> 401 on authenticated routes; a role the route does not admit -> 403
// FORBIDDEN; a caller without tenant on a tenant route -> 403 EMPRESA_REQUIRED; everyone else ->
// the route's success (2xx; setup-empresa with a tenant already -> 409).
#include <gtest/gtest.h>

#include <boost/json/value.hpp>

#include "security/route_table.hpp"
#include "security/security_world.hpp"

namespace iam::security {
namespace {

class RoleMatrixTest : public SecurityTest {};

struct Expectation {
  int status = 0;  // 0: any 2xx
  std::string code;
};

Expectation Expected(const RouteSpec& route, const Caller& c, const Request& r) {
  if (!route.authenticated) return {r.status, {}};
  if (c.token.empty()) return {401, {}};
  if ((route.roles & c.role) == 0) return {403, "FORBIDDEN"};
  if (!c.has_tenant && route.tenant_required && !(c.role == kSuper && route.super_any_tenant))
    return {403, "EMPRESA_REQUIRED"};
  if (c.has_tenant && r.status_with_tenant != 0) return {r.status_with_tenant, {}};
  return {r.status, {}};
}

std::string CodeOf(const test::HttpResult& res) {
  if (!res.json.is_object()) return {};
  auto* code = res.json.as_object().if_contains("code");
  return code != nullptr && code->is_string() ? std::string(code->as_string()) : std::string();
}

TEST_P(RoleMatrixTest, EveryRouteEveryRole) {
  LiftRateLimits();
  int cells = 0;
  for (const auto& route : ApiRoutes()) {
    std::vector<std::function<Caller()>> callers = {
        [&] { return w->NewCaller(kSuper, w->a); },      [&] { return w->NewCaller(kAdmin, w->a); },
        [&] { return w->NewCaller(kEmpleado, w->a); },   [&] { return w->NewCaller(kProveedor, w->a); },
        [&] { return w->NoTenantCaller(kAdmin); },       [&] { return w->NoTenantCaller(kSuper); },
        [] { return SecurityWorld::Anonymous(); }};
    for (const auto& make : callers) {
      Caller caller = make();
      Request r = w->Build(route, w->a);
      // A SUPERADMIN's global routes (users, tenants) show other tenants by design.
      bool global = caller.role == kSuper && route.super_any_tenant;
      auto res = w->Send(caller, r, caller.sees_b || global);
      Expectation want = Expected(route, caller, r);
      ++cells;
      std::string where = route.Key() + " as " + caller.name + " (" + r.method + " " + r.target + ")";
      if (want.status == 0) {
        EXPECT_TRUE(res.status >= 200 && res.status <= 299) << where << ": " << res.status << " " << res.body;
      } else {
        EXPECT_EQ(res.status, want.status) << where << ": " << res.body;
        if (!want.code.empty()) {
          EXPECT_EQ(CodeOf(res), want.code) << where << ": " << res.body;
        }
      }
    }
  }
  EXPECT_EQ(cells, static_cast<int>(ApiRoutes().size()) * 7);
}

// PROVEEDOR reads products without prices (api.md), whatever route shows a product.
TEST_P(RoleMatrixTest, ProveedorNeverSeesPrices) {
  Caller p = w->NewCaller(kProveedor, w->a);
  std::string code;
  auto id = w->NewProduct(w->a, &code);
  for (const std::string& target :
       std::vector<std::string>{"/productos", "/productos/" + std::to_string(id), "/productos/buscar/" + code}) {
    auto res = w->Send(p, {"GET", target, {}, {}, 0});
    EXPECT_EQ(res.status, 200) << target;
    EXPECT_EQ(res.body.find("precioCompra"), std::string::npos) << target << ": " << res.body;
    EXPECT_EQ(res.body.find("precioVenta"), std::string::npos) << target << ": " << res.body;
  }
}

// Role and tenant come from the database, not from the token: a validly signed token that claims
// more than the user has gets only what the user has.
TEST_P(RoleMatrixTest, ClaimsInTheTokenDoNotGrantRights) {
  auto empleado = w->NewUser(w->a.empresa, "EMPLEADO");
  test::UserFixture claims_super = empleado;
  claims_super.rol = "SUPERADMIN";
  Caller c{"EMPLEADO claiming SUPERADMIN of B", h->MintToken(claims_super, w->b.empresa), kEmpleado, true, false, empleado};
  auto tenants = w->Send(c, {"GET", "/empresas", {}, {}, 0});
  EXPECT_EQ(tenants.status, 403) << tenants.body;
  auto users = w->Send(c, {"GET", "/users", {}, {}, 0});
  EXPECT_EQ(users.status, 403) << users.body;
  auto mine = w->Send(c, {"GET", "/empresas/mia", {}, {}, 0});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json.at("id").to_number<domain::Id>(), w->a.empresa) << "the tenant must come from the database";
}

IAM_SECURITY_BACKENDS(RoleMatrixTest);

}  // namespace
}  // namespace iam::security
