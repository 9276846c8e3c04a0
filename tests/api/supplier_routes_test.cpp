// /proveedores over both backends: create, uniqueness per tenant, validation, list, PUT, state
// transitions, tenancy (404 and nothing changed) and roles.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;

class SupplierRoutesTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    t = h->CreateTenant("Acme");
    other = h->CreateTenant("Other");
  }

  json::object Create(const json::object& body, const std::string& token = {}) {
    auto r = h->Post("/proveedores", body, token.empty() ? t.admin.token : token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.as_object() : json::object{};
  }
  std::string Path(std::int64_t id, const std::string& suffix = {}) {
    return "/proveedores/" + std::to_string(id) + suffix;
  }
  std::vector<std::string> Listed(const std::string& query) {
    auto r = h->Get("/proveedores" + query, t.proveedor.token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    if (!r.json.is_object()) return out;
    for (const auto& p : r.json.at("proveedores").as_array()) out.emplace_back(p.at("nombre").as_string());
    return out;
  }

  test::TenantFixture t, other;
};

using Names = std::vector<std::string>;

TEST_P(SupplierRoutesTest, CreateReturnsTheSupplier) {
  auto p = Create({{"nombre", " Lácteos SA "}, {"email", "Ventas@Lacteos.MX"}, {"telefono", "555-1234"}});
  std::set<std::string> keys;
  for (const auto& kv : p) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "nombre", "email", "telefono", "empresaId", "estado"}));
  EXPECT_EQ(p.at("nombre"), "Lácteos SA");
  EXPECT_EQ(p.at("email"), "ventas@lacteos.mx");
  EXPECT_EQ(p.at("telefono"), "555-1234");
  EXPECT_EQ(p.at("empresaId").as_int64(), t.empresa_id);
  EXPECT_EQ(p.at("estado"), "ACTIVO");
  auto minimal = Create({{"nombre", "Solo nombre"}});
  EXPECT_TRUE(minimal.at("email").is_null());
  EXPECT_TRUE(minimal.at("telefono").is_null());
  auto got = h->Get(Path(p.at("id").as_int64()), t.empleado.token);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json, json::value(p));
}

TEST_P(SupplierRoutesTest, SameNombreOrEmailInTheTenantIs409DeletedIncluded) {
  auto a = Create({{"nombre", "Alfa"}, {"email", "alfa@x.com"}});
  ASSERT_EQ(h->Delete(Path(a.at("id").as_int64(), "/soft"), t.admin.token).status, 200);
  auto same_name = h->Post("/proveedores", json::object{{"nombre", "Alfa"}}, t.admin.token);
  EXPECT_EQ(same_name.status, 409);
  EXPECT_EQ(same_name.json.at("code"), "DUPLICATE_NOMBRE");
  auto same_email = h->Post("/proveedores", json::object{{"nombre", "Beta"}, {"email", "ALFA@x.com"}}, t.admin.token);
  EXPECT_EQ(same_email.status, 409);
  EXPECT_EQ(same_email.json.at("code"), "DUPLICATE_EMAIL");
  Create({{"nombre", "Alfa"}, {"email", "alfa@x.com"}}, other.admin.token);  // another tenant: fine
  auto b = Create({{"nombre", "Beta"}});
  auto put = h->Put(Path(b.at("id").as_int64()), json::object{{"nombre", "Alfa"}}, t.admin.token);
  EXPECT_EQ(put.status, 409);
  EXPECT_EQ(put.json.at("code"), "DUPLICATE_NOMBRE");
}

TEST_P(SupplierRoutesTest, ValidationIs400NamingTheField) {
  struct Case {
    std::string body, field;
  } kCases[] = {{R"({})", "nombre"},
                {R"({"nombre":""})", "nombre"},
                {R"({"nombre":")" + std::string(201, 'n') + R"("})", "nombre"},
                {R"({"nombre":5})", "nombre"},
                {R"({"nombre":"A","email":"no-es-email"})", "email"},
                {R"({"nombre":"A","telefono":")" + std::string(51, '5') + R"("})", "telefono"},
                {R"({"nombre":"A","estado":"ACTIVO"})", "estado"},
                {R"({"nombre":"A","empresaId":1})", "empresaId"}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.body.substr(0, 80));
    auto r = h->Request("POST", "/proveedores", k.body, t.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(std::string(r.json.at("message").as_string()).find(k.field), std::string::npos) << r.body;
  }
  auto p = Create({{"nombre", "A"}});
  auto put = h->Put(Path(p.at("id").as_int64()), json::object{{"nombre", nullptr}}, t.admin.token);
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(h->Put(Path(p.at("id").as_int64()), json::object{{"foo", 1}}, t.admin.token).status, 400);
}

TEST_P(SupplierRoutesTest, ListShowsActivoAndInactivoByNombreWithPagination) {
  for (const char* n : {"delta", "alfa", "charlie", "bravo", "eco"}) Create({{"nombre", n}});
  Create({{"nombre", "ajeno"}}, other.admin.token);
  auto ids = h->Sql(R"(SELECT "id", "nombre" FROM "Proveedor" WHERE "empresaId" = $1)", {t.empresa_id});
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].Text(1) == "charlie") h->Request("PATCH", Path(ids[i].Int(0), "/desactivar"), {}, t.admin.token);
    if (ids[i].Text(1) == "eco") h->Delete(Path(ids[i].Int(0), "/soft"), t.admin.token);
  }
  EXPECT_EQ(Listed(""), (Names{"alfa", "bravo", "charlie", "delta"}));
  EXPECT_EQ(Listed("?estado=ELIMINADO"), Names{"eco"});
  EXPECT_EQ(Listed("?estado=INACTIVO"), Names{"charlie"});
  auto r = h->Get("/proveedores?page=2&limit=3", t.admin.token);
  EXPECT_EQ(r.json.at("total").as_int64(), 4);
  EXPECT_EQ(r.json.at("page").as_int64(), 2);
  EXPECT_EQ(r.json.at("limit").as_int64(), 3);
  EXPECT_EQ(r.json.at("totalPages").as_int64(), 2);
  EXPECT_EQ(Listed("?page=2&limit=3"), Names{"delta"});
  for (const char* bad : {"?limit=0", "?limit=101", "?page=0", "?estado=X"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(h->Get(std::string("/proveedores") + bad, t.admin.token).status, 400);
  }
}

TEST_P(SupplierRoutesTest, PutChangesOnlyTheFieldsSent) {
  auto p = Create({{"nombre", "Uno"}, {"email", "uno@x.com"}, {"telefono", "1"}});
  auto id = p.at("id").as_int64();
  auto r = h->Put(Path(id), json::object{{"telefono", "2"}}, t.admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("nombre"), "Uno");
  EXPECT_EQ(r.json.at("email"), "uno@x.com");
  EXPECT_EQ(r.json.at("telefono"), "2");
  r = h->Put(Path(id), json::object{{"nombre", "Dos"}, {"email", nullptr}}, t.admin.token);
  EXPECT_EQ(r.json.at("nombre"), "Dos");
  EXPECT_TRUE(r.json.at("email").is_null());
  EXPECT_EQ(h->Get(Path(id), t.admin.token).json, r.json);
  EXPECT_EQ(h->Put(Path(999999), json::object{{"nombre", "x"}}, t.admin.token).status, 404);
}

TEST_P(SupplierRoutesTest, StateTransitions) {
  auto id = Create({{"nombre", "Ciclo"}}).at("id").as_int64();
  struct Step {
    const char* method;
    const char* suffix;
    int status;
    const char* estado;
  } kSteps[] = {{"PATCH", "/desactivar", 200, "INACTIVO"}, {"PATCH", "/desactivar", 200, "INACTIVO"},
                {"PATCH", "/restaurar", 409, "INACTIVO"},  {"PATCH", "/reactivar", 200, "ACTIVO"},
                {"DELETE", "/soft", 200, "ELIMINADO"},     {"DELETE", "/soft", 200, "ELIMINADO"},
                {"PATCH", "/reactivar", 409, "ELIMINADO"}, {"PATCH", "/desactivar", 409, "ELIMINADO"},
                {"PATCH", "/restaurar", 200, "ACTIVO"},    {"PATCH", "/restaurar", 200, "ACTIVO"}};
  for (const auto& s : kSteps) {
    SCOPED_TRACE(std::string(s.method) + s.suffix + " -> " + s.estado);
    auto r = h->Request(s.method, Path(id, s.suffix), {}, t.admin.token);
    EXPECT_EQ(r.status, s.status) << r.body;
    if (s.status == 200) {
      EXPECT_EQ(r.json.at("estado"), s.estado);
    } else {
      EXPECT_EQ(r.json.at("code"), "ESTADO_INVALIDO");
    }
    EXPECT_EQ(h->Get(Path(id), t.admin.token).json.at("estado"), s.estado);
  }
}

TEST_P(SupplierRoutesTest, AnotherTenantsSupplierIs404OnEveryRouteAndUnchanged) {
  auto id = Create({{"nombre", "Ajeno"}, {"email", "a@b.co"}}, other.admin.token).at("id").as_int64();
  std::vector<std::pair<std::string, std::string>> kRoutes = {
      {"GET", Path(id)},           {"PUT", Path(id)},      {"PATCH", Path(id, "/desactivar")},
      {"PATCH", Path(id, "/reactivar")}, {"DELETE", Path(id, "/soft")}, {"PATCH", Path(id, "/restaurar")}};
  for (const auto& [method, path] : kRoutes) {
    SCOPED_TRACE(method + " " + path);
    auto r = h->Request(method, path, method == "PUT" ? R"({"nombre":"hack"})" : "", t.admin.token);
    EXPECT_EQ(r.status, 404) << r.body;
  }
  EXPECT_EQ(h->Get("/proveedores", t.admin.token).json.at("total").as_int64(), 0);
  auto after = h->Get(Path(id), other.admin.token).json;
  EXPECT_EQ(after.at("nombre"), "Ajeno");
  EXPECT_EQ(after.at("estado"), "ACTIVO");
}

TEST_P(SupplierRoutesTest, WritesAreAdminOnlyReadsEveryRole) {
  auto id = Create({{"nombre", "Prov"}}).at("id").as_int64();
  for (const auto* who : {&t.empleado, &t.proveedor}) {
    SCOPED_TRACE(who->rol);
    EXPECT_EQ(h->Post("/proveedores", json::object{{"nombre", "x"}}, who->token).status, 403);
    EXPECT_EQ(h->Put(Path(id), json::object{{"nombre", "x"}}, who->token).status, 403);
    for (const char* s : {"/desactivar", "/reactivar", "/restaurar"})
      EXPECT_EQ(h->Request("PATCH", Path(id, s), {}, who->token).status, 403);
    EXPECT_EQ(h->Delete(Path(id, "/soft"), who->token).status, 403);
    EXPECT_EQ(h->Get(Path(id), who->token).status, 200);
    EXPECT_EQ(h->Get("/proveedores", who->token).status, 200);
  }
  EXPECT_EQ(h->Get("/proveedores").status, 401);
  EXPECT_EQ(h->Get("/proveedores/0", t.admin.token).status, 400);
  auto no_tenant = h->CreateUser(std::nullopt, "ADMIN", "solo@x.test");
  auto r = h->Get("/proveedores", no_tenant.token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json.at("code"), "EMPRESA_REQUIRED");
  EXPECT_EQ(h->Get(Path(id), t.admin.token).json.at("nombre"), "Prov") << "unchanged by refused writes";
}

IAM_API_BACKENDS(SupplierRoutesTest);

}  // namespace
}  // namespace iam::api
