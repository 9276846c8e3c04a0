// /productos over both backends: creation (incl. the "Stock inicial" movement), validation, reads,
// PATCH with versions, state transitions, tenancy (404 and nothing changed) and roles.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using test::HttpResult;

class ProductRoutesTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    t = h->CreateTenant("Acme");
    other = h->CreateTenant("Other");
  }

  json::object Create(json::object body, const std::string& token = {}) {
    if (!body.contains("precioCompra")) body["precioCompra"] = 10;
    if (!body.contains("precioVenta")) body["precioVenta"] = 15;
    auto r = h->Post("/productos", body, token.empty() ? t.admin.token : token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.as_object() : json::object{};
  }
  std::int64_t Id(const json::object& o) { return o.at("id").as_int64(); }
  std::string Path(std::int64_t id, const std::string& suffix = {}) {
    return "/productos/" + std::to_string(id) + suffix;
  }
  std::int64_t CountMovements(std::int64_t product_id) {
    return h->Sql(R"(SELECT COUNT(*) FROM "MovimientoInventario" WHERE "productoId" = $1)", {product_id})[0].Int(0);
  }
  std::int64_t Supplier(const test::TenantFixture& tenant, const std::string& nombre, const std::string& estado) {
    return h->Sql(R"(INSERT INTO "Proveedor" ("nombre", "empresaId", "estado") VALUES ($1, $2, $3) RETURNING "id")",
                  {nombre, tenant.empresa_id, estado})[0].Int(0);
  }

  test::TenantFixture t, other;
};

TEST_P(ProductRoutesTest, CreateReturnsTheWholeProduct) {
  auto sup = Supplier(t, "Prov", "ACTIVO");
  auto p = Create({{"nombre", "  Leche  "}, {"descripcion", "Entera"}, {"precioCompra", 12.5}, {"precioVenta", 20},
                   {"stockMinimo", 3}, {"proveedorId", sup}, {"codigoBarras", "750100"}, {"rfid", "RF1"},
                   {"sku", "LEC-1"}, {"ubicacion", "A1"}, {"temperaturaOptima", -4.5}, {"humedadOptima", 40},
                   {"color", "blanco"}, {"talla", "1L"}, {"tipoProducto", "ALIMENTO"}, {"unidad", "LITRO"},
                   {"etiquetas", json::array{"lacteo", "frio"}}});
  std::set<std::string> keys;
  for (const auto& kv : p) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "nombre", "descripcion", "stock", "stockMinimo", "precioCompra",
                                         "precioVenta", "empresaId", "proveedorId", "creadoEn", "actualizadoEn",
                                         "codigoBarras", "rfid", "sku", "ubicacion", "temperaturaOptima",
                                         "humedadOptima", "color", "talla", "tipoProducto", "unidad", "estado",
                                         "etiquetas", "version"}));
  EXPECT_EQ(p.at("nombre"), "Leche");
  EXPECT_EQ(p.at("precioCompra").to_number<double>(), 12.5);
  EXPECT_EQ(p.at("temperaturaOptima").to_number<double>(), -4.5);
  EXPECT_EQ(p.at("empresaId").as_int64(), t.empresa_id);
  EXPECT_EQ(p.at("proveedorId").as_int64(), sup);
  EXPECT_EQ(p.at("stock").as_int64(), 0);
  EXPECT_EQ(p.at("estado"), "ACTIVO");
  EXPECT_EQ(p.at("version").as_int64(), 1);
  EXPECT_EQ(p.at("etiquetas"), (json::array{"lacteo", "frio"}));
  std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(std::string(p.at("creadoEn").as_string()), iso)) << p.at("creadoEn");
  EXPECT_EQ(p.at("creadoEn"), p.at("actualizadoEn"));
  auto got = h->Get(Path(Id(p)), t.empleado.token);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json, json::value(p)) << "GET answers what POST answered";
  EXPECT_EQ(CountMovements(Id(p)), 0) << "no stock, no movement";
}

TEST_P(ProductRoutesTest, CreateDefaultsAndBlankCodesAreNull) {
  auto p = Create({{"nombre", "Tornillo"}, {"sku", ""}, {"codigoBarras", "  "}});
  EXPECT_EQ(p.at("stockMinimo").as_int64(), 10);
  EXPECT_EQ(p.at("tipoProducto"), "GENERICO");
  EXPECT_EQ(p.at("unidad"), "UNIDAD");
  EXPECT_EQ(p.at("etiquetas"), json::array{});
  EXPECT_TRUE(p.at("sku").is_null());
  EXPECT_TRUE(p.at("codigoBarras").is_null());
  EXPECT_TRUE(p.at("proveedorId").is_null());
  Create({{"nombre", "Otro"}, {"sku", ""}});  // a second blank sku is no duplicate
}

TEST_P(ProductRoutesTest, InitialStockIsOneEntradaMovementInTheSameTransaction) {
  auto sup = Supplier(t, "Prov", "ACTIVO");
  auto p = Create({{"nombre", "Arroz"}, {"stock", 7}, {"precioCompra", 2.5}, {"proveedorId", sup}});
  EXPECT_EQ(p.at("stock").as_int64(), 7);
  auto rows = h->Sql(R"(SELECT "tipo", "cantidad", "motivo", "tipoPrecio", "precioUnitario", "precioTotal",
                          "costoUnitario", "estado", "empresaId", "proveedorId", "fecha", "createdAt"
                        FROM "MovimientoInventario" WHERE "productoId" = $1)",
                     {Id(p)});
  ASSERT_EQ(rows.size(), 1u);
  auto m = rows[0];
  EXPECT_EQ(m.Text(0), "ENTRADA");
  EXPECT_EQ(m.Int(1), 7);
  EXPECT_EQ(m.Text(2), "Stock inicial");
  EXPECT_EQ(m.Text(3), "COMPRA");
  EXPECT_DOUBLE_EQ(m.Double(4), 2.5);
  EXPECT_DOUBLE_EQ(m.Double(5), 17.5);
  EXPECT_DOUBLE_EQ(m.Double(6), 2.5);
  EXPECT_EQ(m.Text(7), "ACTIVO");
  EXPECT_EQ(m.Int(8), t.empresa_id);
  EXPECT_EQ(m.Int(9), sup);
  EXPECT_EQ(m.OptTimeMs(10), m.OptTimeMs(11));
  auto stock = h->Sql(R"(SELECT "stock" FROM "Producto" WHERE "id" = $1)", {Id(p)})[0].Int(0);
  EXPECT_EQ(stock, m.Int(1)) << "stock equals what the movements explain";

  // A refused insert (duplicate sku) leaves neither a product nor a movement behind.
  auto dup = h->Post("/productos", json::object{{"nombre", "X"}, {"precioCompra", 1}, {"precioVenta", 1},
                                                {"stock", 5}, {"sku", "S-1"}}, t.admin.token);
  ASSERT_EQ(dup.status, 201);
  auto before = h->Sql(R"(SELECT COUNT(*) FROM "MovimientoInventario")")[0].Int(0);
  auto again = h->Post("/productos", json::object{{"nombre", "Y"}, {"precioCompra", 1}, {"precioVenta", 1},
                                                  {"stock", 5}, {"sku", "S-1"}}, t.admin.token);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "MovimientoInventario")")[0].Int(0), before);
}

TEST_P(ProductRoutesTest, EveryValidationRuleIs400NamingTheField) {
  const std::string base = R"("nombre":"N","precioCompra":1,"precioVenta":2)";
  struct Case {
    std::string body, field;
  } kCases[] = {
      {"{" + base + R"(,"foo":1})", "foo"},
      {R"({"precioCompra":1,"precioVenta":2})", "nombre"},
      {R"({"nombre":")" + std::string(201, 'a') + R"(","precioCompra":1,"precioVenta":2})", "nombre"},
      {R"({"nombre":"   ","precioCompra":1,"precioVenta":2})", "nombre"},
      {R"({"nombre":"N","precioCompra":-1,"precioVenta":2})", "precioCompra"},
      {R"({"nombre":"N","precioCompra":"12","precioVenta":2})", "precioCompra"},
      {R"({"nombre":"N","precioCompra":1,"precioVenta":1e400})", "precioVenta"},
      {R"({"nombre":"N","precioCompra":1})", "precioVenta"},
      {"{" + base + R"(,"stock":1.5})", "stock"},
      {"{" + base + R"(,"stock":2147483648})", "stock"},
      {"{" + base + R"(,"stock":-1})", "stock"},
      {"{" + base + R"(,"stock":"3"})", "stock"},
      {"{" + base + R"(,"stockMinimo":-2})", "stockMinimo"},
      {"{" + base + R"(,"tipoProducto":"COMIDA"})", "tipoProducto"},
      {"{" + base + R"(,"unidad":"unidad"})", "unidad"},
      {"{" + base + R"(,"etiquetas":"a,b"})", "etiquetas"},
      {"{" + base + R"(,"etiquetas":[1]})", "etiquetas"},
      {"{" + base + R"(,"etiquetas":[")" + std::string(51, 'e') + R"("]})", "etiquetas"},
      {"{" + base + R"(,"humedadOptima":101})", "humedadOptima"},
      {"{" + base + R"(,"proveedorId":0})", "proveedorId"},
      {"{" + base + R"(,"sku":")" + std::string(101, 's') + R"("})", "sku"},
      {"{" + base + R"(,"estado":"INACTIVO"})", "estado"},
      {"{" + base + R"(,"version":2})", "version"},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.body.substr(0, 120));
    auto r = h->Request("POST", "/productos", k.body, t.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json.at("code"), "VALIDATION_ERROR");
    EXPECT_NE(std::string(r.json.at("message").as_string()).find(k.field), std::string::npos) << r.body;
  }
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "Producto")")[0].Int(0), 0);
  EXPECT_EQ(h->Request("POST", "/productos", "{", t.admin.token).status, 400);
}

TEST_P(ProductRoutesTest, ProveedorMustBeAnActiveSupplierOfTheTenant) {
  auto active = Supplier(t, "Activo", "ACTIVO");
  auto inactive = Supplier(t, "Inactivo", "INACTIVO");
  auto foreign = Supplier(other, "Ajeno", "ACTIVO");
  for (std::int64_t bad : {inactive, foreign, std::int64_t{999999}}) {
    SCOPED_TRACE(bad);
    auto r = h->Post("/productos", json::object{{"nombre", "N"}, {"precioCompra", 1}, {"precioVenta", 1},
                                                {"proveedorId", bad}}, t.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json.at("code"), "INVALID_PROVEEDOR");
    EXPECT_NE(r.body.find("proveedorId"), std::string::npos);
  }
  auto p = Create({{"nombre", "N"}, {"proveedorId", active}});
  EXPECT_EQ(h->Patch(Path(Id(p)), json::object{{"proveedorId", foreign}}, t.admin.token).status, 400);
  h->Sql(R"(UPDATE "Proveedor" SET "estado" = 'INACTIVO' WHERE "id" = $1)", {active});
  EXPECT_EQ(h->Patch(Path(Id(p)), json::object{{"proveedorId", active}, {"nombre", "M"}}, t.admin.token).status, 200)
      << "an unchanged supplier is not re-checked";
  auto cleared = h->Patch(Path(Id(p)), json::object{{"proveedorId", nullptr}}, t.admin.token);
  EXPECT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.json.at("proveedorId").is_null());
}

TEST_P(ProductRoutesTest, DuplicateCodesAre409WhicheverTenantHoldsThem) {
  Create({{"nombre", "A"}, {"sku", "SKU-1"}, {"codigoBarras", "111"}, {"rfid", "R-1"}}, other.admin.token);
  struct Case {
    const char* field;
    const char* value;
    const char* code;
  } kCases[] = {{"sku", "SKU-1", "DUPLICATE_SKU"},
                {"codigoBarras", "111", "DUPLICATE_CODIGO_BARRAS"},
                {"rfid", "R-1", "DUPLICATE_RFID"}};
  auto mine = Create({{"nombre", "B"}});
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.field);
    json::object body{{"nombre", "C"}, {"precioCompra", 1}, {"precioVenta", 1}, {k.field, k.value}};
    auto r = h->Post("/productos", body, t.admin.token);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.json.at("code"), k.code);
    auto patched = h->Patch(Path(Id(mine)), json::object{{k.field, k.value}}, t.admin.token);
    EXPECT_EQ(patched.status, 409);
    EXPECT_EQ(patched.json.at("code"), k.code);
  }
  EXPECT_EQ(h->Get(Path(Id(mine)), t.admin.token).json.at("version").as_int64(), 1);
}

TEST_P(ProductRoutesTest, PatchUpdatesFieldsAndBumpsVersion) {
  auto p = Create({{"nombre", "Uno"}, {"descripcion", "d"}, {"stock", 4}, {"etiquetas", json::array{"x"}}});
  auto r = h->Patch(Path(Id(p)), json::object{{"nombre", "Dos"}, {"descripcion", nullptr}, {"precioVenta", 99.5},
                                              {"tipoProducto", "ROPA"}, {"etiquetas", nullptr}},
                    t.admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("nombre"), "Dos");
  EXPECT_TRUE(r.json.at("descripcion").is_null());
  EXPECT_EQ(r.json.at("precioVenta").to_number<double>(), 99.5);
  EXPECT_EQ(r.json.at("precioCompra").to_number<double>(), 10) << "absent fields unchanged";
  EXPECT_EQ(r.json.at("tipoProducto"), "ROPA");
  EXPECT_EQ(r.json.at("etiquetas"), json::array{});
  EXPECT_EQ(r.json.at("stock").as_int64(), 4);
  EXPECT_EQ(r.json.at("version").as_int64(), 2);
  EXPECT_GE(r.json.at("actualizadoEn").as_string(), p.at("actualizadoEn").as_string());
  EXPECT_EQ(r.json.at("creadoEn"), p.at("creadoEn"));

  auto with_version = h->Patch(Path(Id(p)), json::object{{"color", "rojo"}, {"version", 2}}, t.admin.token);
  EXPECT_EQ(with_version.status, 200);
  EXPECT_EQ(with_version.json.at("version").as_int64(), 3);
  auto stale = h->Patch(Path(Id(p)), json::object{{"color", "azul"}, {"version", 2}}, t.admin.token);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json.at("code"), "VERSION_CONFLICT");
  auto empty = h->Patch(Path(Id(p)), json::object{}, t.admin.token);
  EXPECT_EQ(empty.json.at("version").as_int64(), 4) << "every successful update increments version";
  EXPECT_EQ(empty.json.at("color"), "rojo");

  struct Case {
    json::object body;
    const char* field;
  } kCases[] = {{{{"stock", 5}}, "stock"},       {{{"nombre", nullptr}}, "nombre"},
                {{{"precioCompra", nullptr}}, "precioCompra"}, {{{"version", 0}}, "version"},
                {{{"estado", "ACTIVO"}}, "estado"}, {{{"unidad", "LB"}}, "unidad"},
                {{{"stock", 5}, {"version", 4}}, "stock"}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.field);
    auto bad = h->Patch(Path(Id(p)), k.body, t.admin.token);
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(std::string(bad.json.at("message").as_string()).find(k.field), std::string::npos) << bad.body;
  }
  EXPECT_EQ(h->Get(Path(Id(p)), t.admin.token).json.at("version").as_int64(), 4);
  EXPECT_EQ(h->Patch(Path(999999), json::object{{"nombre", "x"}}, t.admin.token).status, 404);
  EXPECT_EQ(h->Patch(Path(999999), json::object{{"nombre", "x"}, {"version", 1}}, t.admin.token).status, 404);
}

TEST_P(ProductRoutesTest, StateTransitions) {
  auto p = Create({{"nombre", "Caja"}});
  auto id = Id(p);
  struct Step {
    const char* method;
    const char* suffix;
    int status;
    const char* estado;  // after the step
    std::int64_t version;
  } kSteps[] = {
      {"PATCH", "/desactivar", 200, "INACTIVO", 2}, {"PATCH", "/desactivar", 200, "INACTIVO", 2},
      {"PATCH", "/restaurar", 409, "INACTIVO", 2},  {"PATCH", "/reactivar", 200, "ACTIVO", 3},
      {"PATCH", "/reactivar", 200, "ACTIVO", 3},    {"DELETE", "", 200, "ELIMINADO", 4},
      {"DELETE", "", 200, "ELIMINADO", 4},          {"PATCH", "/reactivar", 409, "ELIMINADO", 4},
      {"PATCH", "/desactivar", 409, "ELIMINADO", 4}, {"PATCH", "/restaurar", 200, "ACTIVO", 5},
      {"PATCH", "/restaurar", 200, "ACTIVO", 5},    {"PATCH", "/desactivar", 200, "INACTIVO", 6},
      {"DELETE", "", 200, "ELIMINADO", 7},
  };
  for (const auto& s : kSteps) {
    SCOPED_TRACE(std::string(s.method) + s.suffix + " -> " + s.estado);
    auto r = h->Request(s.method, Path(id, s.suffix), {}, t.admin.token);
    EXPECT_EQ(r.status, s.status) << r.body;
    if (s.status == 409) {
      EXPECT_EQ(r.json.at("code"), "ESTADO_INVALIDO");
    }
    auto now = h->Get(Path(id), t.admin.token).json;
    EXPECT_EQ(now.at("estado"), s.estado);
    EXPECT_EQ(now.at("version").as_int64(), s.version);
  }
}

TEST_P(ProductRoutesTest, AnotherTenantsProductIs404OnEveryRouteAndUnchanged) {
  auto p = Create({{"nombre", "Ajeno"}, {"codigoBarras", "999"}}, other.admin.token);
  auto id = Id(p);
  std::vector<std::pair<std::string, std::string>> kRoutes = {
      {"GET", Path(id)},           {"PATCH", Path(id)},           {"PATCH", Path(id, "/desactivar")},
      {"PATCH", Path(id, "/reactivar")}, {"DELETE", Path(id)},   {"PATCH", Path(id, "/restaurar")},
      {"GET", "/productos/buscar/999"}};
  for (const auto& [method, path] : kRoutes) {
    SCOPED_TRACE(method + " " + path);
    bool edit = method == "PATCH" && path == Path(id);
    auto r = h->Request(method, path, edit ? R"({"nombre":"hack"})" : "", t.admin.token);
    EXPECT_EQ(r.status, 404) << r.body;
  }
  auto list = h->Get("/productos", t.admin.token);
  EXPECT_EQ(list.json.at("total").as_int64(), 0);
  auto after = h->Get(Path(id), other.admin.token).json;
  EXPECT_EQ(after.at("nombre"), "Ajeno");
  EXPECT_EQ(after.at("estado"), "ACTIVO");
  EXPECT_EQ(after.at("version").as_int64(), 1);
}

TEST_P(ProductRoutesTest, BuscarPorCodigoDeBarras) {
  auto p = Create({{"nombre", "Escaneable"}, {"codigoBarras", "7501 AB"}});
  auto r = h->Get("/productos/buscar/7501%20AB", t.proveedor.token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("id").as_int64(), Id(p));
  EXPECT_FALSE(r.json.as_object().contains("precioCompra"));
  EXPECT_EQ(h->Get("/productos/buscar/nada", t.admin.token).status, 404);
}

TEST_P(ProductRoutesTest, RolesWritesAreAdminOnlyAndProveedorSeesNoPrices) {
  auto p = Create({{"nombre", "Visible"}});
  auto id = Id(p);
  for (const auto* who : {&t.empleado, &t.proveedor}) {
    SCOPED_TRACE(who->rol);
    EXPECT_EQ(h->Post("/productos", json::object{{"nombre", "x"}, {"precioCompra", 1}, {"precioVenta", 1}},
                      who->token).status, 403);
    EXPECT_EQ(h->Patch(Path(id), json::object{{"nombre", "x"}}, who->token).status, 403);
    EXPECT_EQ(h->Request("PATCH", Path(id, "/desactivar"), {}, who->token).status, 403);
    EXPECT_EQ(h->Request("PATCH", Path(id, "/reactivar"), {}, who->token).status, 403);
    EXPECT_EQ(h->Request("PATCH", Path(id, "/restaurar"), {}, who->token).status, 403);
    EXPECT_EQ(h->Delete(Path(id), who->token).status, 403);
  }
  auto as_empleado = h->Get(Path(id), t.empleado.token);
  EXPECT_TRUE(as_empleado.json.as_object().contains("precioCompra"));
  auto as_proveedor = h->Get(Path(id), t.proveedor.token);
  EXPECT_EQ(as_proveedor.status, 200);
  EXPECT_FALSE(as_proveedor.json.as_object().contains("precioCompra"));
  EXPECT_FALSE(as_proveedor.json.as_object().contains("precioVenta"));
  EXPECT_EQ(as_proveedor.json.as_object().size(), 22u);
  auto list = h->Get("/productos", t.proveedor.token);
  ASSERT_EQ(list.json.at("productos").as_array().size(), 1u);
  EXPECT_FALSE(list.json.at("productos").as_array()[0].as_object().contains("precioVenta"));
  EXPECT_EQ(h->Get(Path(id)).status, 401);
  auto superadmin = h->CreateUser(t.empresa_id, "SUPERADMIN", "root@acme.test");
  EXPECT_EQ(h->Patch(Path(id), json::object{{"nombre", "Root"}}, superadmin.token).status, 200);
  EXPECT_EQ(h->Get("/productos/abc", t.admin.token).status, 400);
}

IAM_API_BACKENDS(ProductRoutesTest);

}  // namespace
}  // namespace iam::api
