// Cross-tenant probes: every tenant-scoped route of the RouteTable that names a resource is called
// by callers of tenant A with tenant B's fresh resource (the same request B's own ADMIN gets a 2xx
// for). Expected (api.md): 404 for an id or barcode of B, 400 for a reference to B's supplier in a
// body, an empty list for a filter naming B's id; B's rows are byte-for-byte unchanged afterwards
// and no response shows anything of B. GET routes are first asked by B's ADMIN, so a cached answer
// of B's is on hand and must not be served to A.
#include <gtest/gtest.h>

#include <boost/json/value.hpp>

#include "security/route_table.hpp"
#include "security/security_world.hpp"

namespace iam::security {
namespace {

class CrossTenantTest : public SecurityTest {};

bool ListIsEmpty(const boost::json::value& j) {
  if (!j.is_object()) return false;
  for (const char* key : {"productos", "movimientos", "proveedores", "usuarios"}) {
    if (auto* v = j.as_object().if_contains(key); v != nullptr && v->is_array()) return v->as_array().empty();
  }
  return false;
}

TEST_P(CrossTenantTest, TenantAReachesNothingOfTenantB) {
  LiftRateLimits();
  int probes = 0;
  for (const auto& route : ApiRoutes()) {
    if (route.cross == CrossTenant::kNone) continue;
    for (unsigned role : {kAdmin, kSuper, kEmpleado}) {
      if ((route.roles & role) == 0) continue;
      if (role == kSuper && route.super_any_tenant) continue;  // global by design for a SUPERADMIN
      Caller caller = w->NewCaller(role, w->a);
      Request r = w->Build(route, w->b);
      if (r.method == "GET") {  // B's own ADMIN first: the request is valid, and B's answer is cached
        Caller owner{"ADMIN of B", h->MintToken(w->b.admin, w->b.empresa), kAdmin, true, true, w->b.admin};
        auto own = w->Send(owner, r);
        EXPECT_EQ(own.status, 200) << route.Key() << " as B's ADMIN (the probe's request is broken): " << own.body;
      }
      std::string before = w->Snapshot(w->b.empresa);
      auto res = w->Send(caller, r);
      ++probes;
      std::string where = route.Key() + " as " + caller.name + " with B's resource (" + r.target + ")";
      switch (route.cross) {
        case CrossTenant::kNotFound: EXPECT_EQ(res.status, 404) << where << ": " << res.body; break;
        case CrossTenant::kBadReference: EXPECT_EQ(res.status, 400) << where << ": " << res.body; break;
        case CrossTenant::kEmptyResult:
          EXPECT_EQ(res.status, 200) << where << ": " << res.body;
          EXPECT_TRUE(ListIsEmpty(res.json)) << where << ": " << res.body;
          break;
        case CrossTenant::kNone: break;
      }
      EXPECT_EQ(w->Snapshot(w->b.empresa), before) << where << " changed tenant B's data";
    }
  }
  EXPECT_GT(probes, 40);
}

// Ids that exist in no tenant answer exactly like B's ids, so a probe learns nothing.
TEST_P(CrossTenantTest, AnotherTenantsIdLooksLikeAMissingOne) {
  Caller a = w->NewCaller(kAdmin, w->a);
  auto b_product = w->NewProduct(w->b);
  auto theirs = w->Send(a, {"GET", "/productos/" + std::to_string(b_product), {}, {}, 0});
  auto missing = w->Send(a, {"GET", "/productos/987654321", {}, {}, 0});
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.status, missing.status);
  EXPECT_EQ(theirs.json.at("code"), missing.json.at("code"));
  EXPECT_EQ(theirs.json.at("message"), missing.json.at("message"));
}

// Search and filters with SQL LIKE wildcards still stay inside the caller's tenant.
TEST_P(CrossTenantTest, WildcardSearchesStayInTheTenant) {
  w->NewProduct(w->b);
  w->NewProduct(w->a);
  Caller a = w->NewCaller(kAdmin, w->a);
  for (const char* q : {"search=%25", "search=_", "search=%25%25", "sku=%25", "codigoBarras=%25", "etiqueta=%25",
                        "search=qx7", "search=" /* empty */}) {
    auto res = w->Send(a, {"GET", std::string("/productos?") + q, {}, {}, 0});
    EXPECT_LT(res.status, 500) << q;
  }
  auto users = w->Send(a, {"GET", "/users?search=%25", {}, {}, 0});
  EXPECT_EQ(users.status, 200) << users.body;
}

IAM_SECURITY_BACKENDS(CrossTenantTest);

}  // namespace
}  // namespace iam::security
