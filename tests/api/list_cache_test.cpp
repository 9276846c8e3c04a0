// The guide's other caches: product lists and single products, supplier lists, tenant data are
// served through the cache (X-Cache) per role and target, and every write that changes them makes
// them miss, including a SUPERADMIN's change to another tenant.
#include <gtest/gtest.h>

#include <string>

#include "api/harness/api_harness.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;

class ListCacheTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (!h) return;
    t = h->CreateTenant("Cached");
  }
  HttpResult Get(const std::string& target, const std::string& token) {
    HttpResult r = h->Get(target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r;
  }
  TenantFixture t;
};

TEST_P(ListCacheTest, ProductListsAndProductsMissAfterEachWriteAndPerRole) {
  auto created = h->Post("/productos", json::object{{"nombre", "Leche"}, {"precioCompra", 10}, {"precioVenta", 20}},
                         t.admin.token);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json.as_object().at("id").as_int64();
  const std::string one = "/productos/" + std::to_string(id);
  for (const std::string target : {"/productos", "/productos?limit=5&page=1", one.c_str()}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(Get(target, t.admin.token).Header("x-cache"), "MISS");
    auto hit = Get(target, t.admin.token);
    EXPECT_EQ(hit.Header("x-cache"), "HIT");
    EXPECT_EQ(hit.Header("x-cache-tier"), "L1");
  }
  // Another role has its own entries: a PROVEEDOR sees no prices, never the ADMIN's cached body.
  auto as_proveedor = Get(one, t.proveedor.token);
  EXPECT_EQ(as_proveedor.Header("x-cache"), "MISS");
  EXPECT_FALSE(as_proveedor.json.as_object().contains("precioCompra")) << as_proveedor.body;

  // A change through the API: every cached view misses and shows it.
  auto patched = h->Patch(one, json::object{{"nombre", "Leche entera"}}, t.admin.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  for (const std::string target : {"/productos", "/productos?limit=5&page=1", one.c_str()}) {
    SCOPED_TRACE(target);
    auto after = Get(target, t.admin.token);
    EXPECT_EQ(after.Header("x-cache"), "MISS");
    EXPECT_NE(after.body.find("Leche entera"), std::string::npos) << after.body;
  }
  // A movement changes the stock shown by the single product.
  Get(one, t.admin.token);
  auto mov = h->Post("/movimientos", json::object{{"tipo", "ENTRADA"}, {"cantidad", 7}, {"productoId", id}},
                     t.admin.token);
  ASSERT_EQ(mov.status, 201) << mov.body;
  auto after = Get(one, t.admin.token);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  EXPECT_EQ(after.json.as_object().at("stock").as_int64(), 7);
  // A 404 is never cached.
  EXPECT_EQ(h->Get("/productos/999999", t.admin.token).status, 404);
  EXPECT_EQ(h->Get("/productos/999999", t.admin.token).Header("x-cache"), "");
}

TEST_P(ListCacheTest, SupplierListsAndTenantDataMissAfterWritesIncludingASuperadminsOnAnotherTenant) {
  EXPECT_EQ(Get("/proveedores", t.admin.token).Header("x-cache"), "MISS");
  EXPECT_EQ(Get("/proveedores", t.admin.token).Header("x-cache"), "HIT");
  auto sup = h->Post("/proveedores", json::object{{"nombre", "Lala"}}, t.admin.token);
  ASSERT_EQ(sup.status, 201) << sup.body;
  auto list = Get("/proveedores", t.admin.token);
  EXPECT_EQ(list.Header("x-cache"), "MISS");
  EXPECT_NE(list.body.find("Lala"), std::string::npos) << list.body;

  EXPECT_EQ(Get("/empresas/mia", t.admin.token).Header("x-cache"), "MISS");
  EXPECT_EQ(Get("/empresas/mia", t.admin.token).Header("x-cache"), "HIT");
  // A SUPERADMIN of no tenant renames this tenant: its cached data must not survive.
  UserFixture root = h->CreateUser(std::nullopt, "SUPERADMIN", "root@iam.test");
  auto renamed = h->Patch("/empresas/" + std::to_string(t.empresa_id), json::object{{"nombre", "Renombrada"}},
                          root.token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  auto mia = Get("/empresas/mia", t.admin.token);
  EXPECT_EQ(mia.Header("x-cache"), "MISS");
  EXPECT_NE(mia.body.find("Renombrada"), std::string::npos) << mia.body;
}

TEST_P(ListCacheTest, TenantsNeverSeeEachOthersCachedLists) {
  TenantFixture other = h->CreateTenant("Other");
  ASSERT_EQ(h->Post("/productos", json::object{{"nombre", "Solo de A"}, {"precioCompra", 1}, {"precioVenta", 2}}, t.admin.token).status, 201);
  EXPECT_NE(Get("/productos", t.admin.token).body.find("Solo de A"), std::string::npos);
  auto b = Get("/productos", other.admin.token);  // same target, same role, other tenant
  EXPECT_EQ(b.Header("x-cache"), "MISS");
  EXPECT_EQ(b.body.find("Solo de A"), std::string::npos) << b.body;
}

IAM_API_BACKENDS(ListCacheTest);

}  // namespace
}  // namespace iam::test
