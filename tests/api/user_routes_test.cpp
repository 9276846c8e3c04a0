// Black-box tests of /users on both backends: tenant isolation, the role matrix, filters and
// pagination, validation, and session revocation on role change and deactivation.
#include "api/routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using test::HttpResult;

std::string Str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }
std::string Code(const HttpResult& r) { return r.json.is_object() ? Str(r.json, "code") : std::string(); }

class UserRoutesTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    a = h->CreateTenant("Acme");
    b = h->CreateTenant("Beta");
    root = h->CreateUser(std::nullopt, "SUPERADMIN", "root@iam.test");
  }
  std::vector<std::string> Emails(const HttpResult& r) {
    std::vector<std::string> out;
    for (const auto& u : r.json.at("usuarios").as_array()) out.push_back(Str(u, "email"));
    return out;
  }
  std::string EmailOf(domain::Id id) {
    return h->Sql(R"(SELECT "email" FROM "Usuario" WHERE "id" = $1)", {store::Param(id)})[0].Text(0);
  }
  test::TenantFixture a, b;
  test::UserFixture root;
};

TEST_P(UserRoutesTest, ListShowsOwnTenantOnlyAndSuperadminAll) {
  auto mine = h->Get("/users", a.admin.token);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Emails(mine), (std::vector<std::string>{a.admin.email, a.empleado.email, a.proveedor.email}));
  EXPECT_EQ(mine.json.at("total").as_int64(), 3);
  EXPECT_EQ(mine.json.at("page").as_int64(), 1);
  EXPECT_EQ(mine.json.at("limit").as_int64(), 50);
  EXPECT_EQ(mine.json.at("totalPages").as_int64(), 1);
  EXPECT_FALSE(mine.json.at("usuarios").at(0).as_object().contains("password"));
  auto all = h->Get("/users", root.token);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json.at("total").as_int64(), 7);
}

TEST_P(UserRoutesTest, ListFiltersAndPages) {
  h->CreateUser(a.empresa_id, "EMPLEADO", "maria_100%@acme.test");
  h->CreateUser(a.empresa_id, "EMPLEADO", "mariax100x@acme.test");
  h->Sql(R"(UPDATE "Usuario" SET "activo" = $1 WHERE "id" = $2)", {store::Param(false), store::Param(a.proveedor.id)});
  struct Case {
    std::string query;
    std::vector<std::string> emails;
  } cases[] = {
      {"?search=EMPLEADO", {a.empleado.email}},
      {"?search=_100%25", {"maria_100%@acme.test"}},  // % and _ are literal
      {"?rol=EMPLEADO", {a.empleado.email, "maria_100%@acme.test", "mariax100x@acme.test"}},
      {"?activo=false", {a.proveedor.email}},
      {"?rol=EMPLEADO&activo=true&search=maria", {"maria_100%@acme.test", "mariax100x@acme.test"}},
      {"?page=2&limit=2", {a.proveedor.email, "maria_100%@acme.test"}},
      {"?page=9", {}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.query);
    auto r = h->Get("/users" + tc.query, a.admin.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Emails(r), tc.emails);
  }
  auto paged = h->Get("/users?limit=2", a.admin.token);
  EXPECT_EQ(paged.json.at("total").as_int64(), 5);
  EXPECT_EQ(paged.json.at("totalPages").as_int64(), 3);
  for (const char* bad : {"?limit=0", "?limit=101", "?page=0", "?rol=JEFE", "?activo=maybe"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(h->Get(std::string("/users") + bad, a.admin.token).status, 400);
  }
}

TEST_P(UserRoutesTest, RoleMatrix) {
  auto other = a.empleado.id;
  struct Case {
    const char* who;
    std::string token;
    std::string method, path;
    int status;
  } cases[] = {
      {"empleado lists", a.empleado.token, "GET", "/users", 403},
      {"proveedor lists", a.proveedor.token, "GET", "/users", 403},
      {"empleado creates", a.empleado.token, "POST", "/users", 403},
      {"proveedor patches", a.proveedor.token, "PATCH", "/users/" + std::to_string(other), 403},
      {"empleado deletes", a.empleado.token, "DELETE", "/users/" + std::to_string(a.proveedor.id), 403},
      {"no token", "", "GET", "/users", 401},
      {"admin lists", a.admin.token, "GET", "/users", 200},
      {"superadmin lists", root.token, "GET", "/users", 200},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.who);
    std::string body = tc.method == "POST"    ? R"({"nombre":"N","email":"n@acme.test","password":"password123","rol":"EMPLEADO"})"
                       : tc.method == "PATCH" ? R"({"nombre":"N"})"
                                              : "";
    EXPECT_EQ(h->Request(tc.method, tc.path, body, tc.token).status, tc.status);
  }
  auto no_tenant = h->CreateUser(std::nullopt, "ADMIN", "lonely@x.test");
  auto r = h->Get("/users", no_tenant.token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "EMPRESA_REQUIRED");
  EXPECT_EQ(Code(h->Post("/users", json::object{{"nombre", "N"}, {"email", "n@x.test"}, {"password", "password123"},
                                                {"rol", "EMPLEADO"}}, no_tenant.token)), "EMPRESA_REQUIRED");
}

TEST_P(UserRoutesTest, CreateInCallersTenant) {
  json::object body{{"nombre", "Nuevo"}, {"email", "Nuevo@Acme.test"}, {"password", "password123"}, {"rol", "EMPLEADO"}};
  auto r = h->Post("/users", body, a.admin.token);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("empresaId").as_int64(), a.empresa_id);
  EXPECT_EQ(Str(r.json, "email"), "nuevo@acme.test");
  EXPECT_TRUE(r.json.at("setupCompletado").as_bool());
  EXPECT_FALSE(r.json.as_object().contains("password"));
  auto login = h->Post("/auth/login", json::object{{"email", "nuevo@acme.test"}, {"password", "password123"}});
  EXPECT_EQ(login.status, 200);

  auto dup = h->Post("/users", body, b.admin.token);
  EXPECT_EQ(dup.status, 409) << "emails are unique across tenants";
  EXPECT_EQ(Code(dup), "EMAIL_EXISTS");

  body["email"] = "boss@acme.test";
  body["rol"] = "SUPERADMIN";
  EXPECT_EQ(h->Post("/users", body, a.admin.token).status, 403);
  auto lease_root = h->CreateUser(a.empresa_id, "SUPERADMIN", "root2@acme.test");
  EXPECT_EQ(h->Post("/users", body, lease_root.token).status, 201) << "a SUPERADMIN may";
}

TEST_P(UserRoutesTest, CreateValidation) {
  json::object ok{{"nombre", "N"}, {"email", "v@acme.test"}, {"password", "password123"}, {"rol", "EMPLEADO"}};
  struct Case {
    const char* field;
    const char* key;
    json::value value;
  } cases[] = {
      {"extra", "extra", true},
      {"nombre", "nombre", json::string(201, 'x')},
      {"nombre", "nombre", ""},
      {"email", "email", "v@"},
      {"email", "email", 12},
      {"password", "password", "1234567"},
      {"rol", "rol", "JEFE"},
      {"rol", "rol", nullptr},
  };
  for (const auto& tc : cases) {
    json::object body = ok;
    body[tc.key] = tc.value;
    SCOPED_TRACE(json::serialize(body));
    auto r = h->Post("/users", body, a.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(Str(r.json, "message").find(tc.field), std::string::npos) << r.body;
  }
}

TEST_P(UserRoutesTest, PatchChangesRoleAndRevokesSessions) {
  auto path = "/users/" + std::to_string(a.empleado.id);
  auto renamed = h->Patch(path, json::object{{"nombre", "Renombrado"}}, a.admin.token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Str(renamed.json, "nombre"), "Renombrado");
  EXPECT_EQ(h->Get("/auth/me", a.empleado.token).status, 200) << "a rename keeps sessions";

  auto promoted = h->Patch(path, json::object{{"rol", "ADMIN"}}, a.admin.token);
  ASSERT_EQ(promoted.status, 200);
  EXPECT_EQ(Str(promoted.json, "rol"), "ADMIN");
  EXPECT_EQ(h->Get("/auth/me", a.empleado.token).status, 401) << "a role change ends the user's sessions";

  EXPECT_EQ(h->Patch(path, json::object{{"rol", "SUPERADMIN"}}, a.admin.token).status, 403);
  EXPECT_EQ(h->Patch(path, json::object{{"activo", "no"}}, a.admin.token).status, 400);
  EXPECT_EQ(h->Patch(path, json::object{{"email", "x@y.z"}}, a.admin.token).status, 400) << "email is not editable";
  auto self = h->Patch("/users/" + std::to_string(a.admin.id), json::object{{"activo", false}}, a.admin.token);
  EXPECT_EQ(self.status, 400);
  EXPECT_EQ(h->Patch("/users/abc", json::object{}, a.admin.token).status, 400);

  auto by_root = h->Patch("/users/" + std::to_string(b.proveedor.id), json::object{{"activo", false}}, root.token);
  EXPECT_EQ(by_root.status, 200) << "SUPERADMIN manages every tenant";
  EXPECT_EQ(h->Get("/auth/me", b.proveedor.token).status, 401);
}

TEST_P(UserRoutesTest, AnotherTenantsUserIsNotFoundAndUntouched) {
  auto path = "/users/" + std::to_string(b.empleado.id);
  auto patch = h->Patch(path, json::object{{"nombre", "Hacked"}, {"rol", "ADMIN"}}, a.admin.token);
  EXPECT_EQ(patch.status, 404);
  EXPECT_EQ(h->Delete(path, a.admin.token).status, 404);
  EXPECT_EQ(h->Delete("/users/999999", a.admin.token).status, 404);
  auto row = h->Sql(R"(SELECT "nombre", "rol", "activo" FROM "Usuario" WHERE "id" = $1)", {store::Param(b.empleado.id)});
  EXPECT_EQ(row[0].Text(0), b.empleado.email);
  EXPECT_EQ(row[0].Text(1), "EMPLEADO");
  EXPECT_TRUE(row[0].Bool(2));
  EXPECT_EQ(h->Get("/auth/me", b.empleado.token).status, 200);
}

TEST_P(UserRoutesTest, DeleteDeactivatesAndEndsSessions) {
  auto r = h->Delete("/users/" + std::to_string(a.empleado.id), a.admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json.at("user").at("activo").as_bool());
  EXPECT_EQ(h->Get("/auth/me", a.empleado.token).status, 401);
  auto login = h->Post("/auth/login", json::object{{"email", a.empleado.email}, {"password", "password123"}});
  EXPECT_EQ(login.status, 401);
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "Usuario" WHERE "id" = $1)", {store::Param(a.empleado.id)})[0].Int(0), 1)
      << "deactivated, not deleted";
  auto self = h->Delete("/users/" + std::to_string(a.admin.id), a.admin.token);
  EXPECT_EQ(self.status, 400);
  EXPECT_EQ(Code(self), "CANNOT_DELETE_SELF");
  auto boss = h->CreateUser(a.empresa_id, "SUPERADMIN", "boss@acme.test");
  EXPECT_EQ(h->Delete("/users/" + std::to_string(boss.id), a.admin.token).status, 403);
  auto active = h->Get("/users?activo=true", a.admin.token);
  EXPECT_EQ(active.json.at("total").as_int64(), 3);
  EXPECT_EQ(EmailOf(boss.id), "boss@acme.test");
}

IAM_API_BACKENDS(UserRoutesTest);

}  // namespace
}  // namespace iam::api
