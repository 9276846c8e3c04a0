// Black-box tests of /empresas on both backends: own tenant for everyone, edits for ADMIN, every
// tenant for SUPERADMIN only, validation, rfc uniqueness and delete-when-empty.
#include "api/routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <regex>

#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using test::HttpResult;

std::string Str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }
std::string Code(const HttpResult& r) { return r.json.is_object() ? Str(r.json, "code") : std::string(); }

class EmpresaRoutesTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    a = h->CreateTenant("Acme");
    b = h->CreateTenant("Beta");
    root = h->CreateUser(std::nullopt, "SUPERADMIN", "root@iam.test");
  }
  test::TenantFixture a, b;
  test::UserFixture root;
};

TEST_P(EmpresaRoutesTest, EveryRoleReadsItsOwnTenant) {
  for (const auto* u : {&a.admin, &a.empleado, &a.proveedor}) {
    SCOPED_TRACE(u->rol);
    auto r = h->Get("/empresas/mia", u->token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("id").as_int64(), a.empresa_id);
    EXPECT_EQ(Str(r.json, "nombre"), "Acme");
    EXPECT_EQ(Str(r.json, "tipoIndustria"), "GENERICA");
    EXPECT_TRUE(r.json.at("rfc").is_null());
    EXPECT_EQ(r.json.as_object().size(), 8u);
    std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
    EXPECT_TRUE(std::regex_match(Str(r.json, "fechaCreacion"), iso)) << r.body;
    EXPECT_TRUE(std::regex_match(Str(r.json, "updatedAt"), iso)) << r.body;
  }
  auto lonely = h->CreateUser(std::nullopt, "ADMIN", "lonely@x.test");
  auto r = h->Get("/empresas/mia", lonely.token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "EMPRESA_REQUIRED");
}

TEST_P(EmpresaRoutesTest, AdminEditsItsTenant) {
  json::object body{{"nombre", "Acme SA"}, {"rfc", "acm010101abc"}, {"direccion", "Calle 1"},
                    {"emailContacto", "Hola@Acme.test"}, {"tipoIndustria", "ELECTRONICA"}};
  auto r = h->Patch("/empresas/mia", body, a.admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json, "nombre"), "Acme SA");
  EXPECT_EQ(Str(r.json, "rfc"), "ACM010101ABC");
  EXPECT_EQ(Str(r.json, "emailContacto"), "hola@acme.test");
  EXPECT_EQ(Str(r.json, "tipoIndustria"), "ELECTRONICA");

  auto cleared = h->Patch("/empresas/mia", json::object{{"direccion", nullptr}}, a.admin.token);
  ASSERT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.json.at("direccion").is_null());
  EXPECT_EQ(Str(cleared.json, "nombre"), "Acme SA") << "absent fields are unchanged";
  auto null_name = h->Patch("/empresas/mia", json::object{{"nombre", nullptr}}, a.admin.token);
  EXPECT_EQ(Str(null_name.json, "nombre"), "Acme SA") << "null on a non-nullable field reads as absent (JsonBody)";

  EXPECT_EQ(h->Patch("/empresas/mia", json::object{{"nombre", "X"}}, a.empleado.token).status, 403);
  EXPECT_EQ(h->Patch("/empresas/mia", json::object{{"nombre", "X"}}, a.proveedor.token).status, 403);
  auto dup = h->Patch("/empresas/mia", json::object{{"rfc", "ACM010101ABC"}}, b.admin.token);
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(Code(dup), "RFC_EXISTS");
  EXPECT_EQ(Str(h->Get("/empresas/mia", b.admin.token).json, "nombre"), "Beta") << "the other tenant is untouched";
}

TEST_P(EmpresaRoutesTest, PatchValidation) {
  struct Case {
    const char* field;
    json::object body;
  } cases[] = {
      {"id", {{"id", 5}}},
      {"nombre", {{"nombre", ""}}},
      {"nombre", {{"nombre", json::string(201, 'x')}}},
      {"emailContacto", {{"emailContacto", "nope"}}},
      {"tipoIndustria", {{"tipoIndustria", "MINERIA"}}},
      {"rfc", {{"rfc", 123}}},
      {"direccion", {{"direccion", json::string(201, 'd')}}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(json::serialize(tc.body));
    auto r = h->Patch("/empresas/mia", tc.body, a.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(Str(r.json, "message").find(tc.field), std::string::npos) << r.body;
  }
}

TEST_P(EmpresaRoutesTest, EveryTenantIsSuperadminOnly) {
  std::string path_b = "/empresas/" + std::to_string(b.empresa_id);
  for (const auto* u : {&a.admin, &a.empleado, &a.proveedor}) {
    SCOPED_TRACE(u->rol);
    EXPECT_EQ(h->Get("/empresas", u->token).status, 403);
    EXPECT_EQ(h->Get(path_b, u->token).status, 403);
    EXPECT_EQ(h->Patch(path_b, json::object{{"nombre", "X"}}, u->token).status, 403);
    EXPECT_EQ(h->Delete(path_b, u->token).status, 403);
  }
  auto list = h->Get("/empresas?limit=1&page=2", root.token);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json.at("total").as_int64(), 2);
  EXPECT_EQ(list.json.at("totalPages").as_int64(), 2);
  EXPECT_EQ(list.json.at("empresas").at(0).at("id").as_int64(), b.empresa_id);
  EXPECT_EQ(h->Get("/empresas?limit=500", root.token).status, 400);

  EXPECT_EQ(Str(h->Get(path_b, root.token).json, "nombre"), "Beta");
  auto renamed = h->Patch(path_b, json::object{{"nombre", "Beta 2"}}, root.token);
  EXPECT_EQ(Str(renamed.json, "nombre"), "Beta 2");
  EXPECT_EQ(h->Get("/empresas/999999", root.token).status, 404);
  EXPECT_EQ(h->Patch("/empresas/999999", json::object{{"nombre", "X"}}, root.token).status, 404);
  EXPECT_EQ(h->Get("/empresas/abc", root.token).status, 400);
  EXPECT_EQ(h->Delete("/empresas/mia", root.token).status, 405);
}

TEST_P(EmpresaRoutesTest, DeleteOnlyAnEmptyTenant) {
  auto busy = h->Delete("/empresas/" + std::to_string(a.empresa_id), root.token);
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(Code(busy), "EMPRESA_NOT_EMPTY");
  auto empty_id = h->Sql(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, $2) RETURNING "id")",
                         {store::Param("Vacía"), store::Param("2026-01-01T00:00:00.000Z")})[0].Int(0);
  std::string path = "/empresas/" + std::to_string(empty_id);
  EXPECT_EQ(h->Delete(path, root.token).status, 200);
  EXPECT_EQ(h->Get(path, root.token).status, 404);
  EXPECT_EQ(h->Delete(path, root.token).status, 404);
  EXPECT_EQ(h->Get("/empresas/mia", a.admin.token).status, 200);
}

IAM_API_BACKENDS(EmpresaRoutesTest);

}  // namespace
}  // namespace iam::api
