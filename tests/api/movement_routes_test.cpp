// /movimientos routes on both backends: shape, defaults, validation, lists, delete/restore,
// tenancy and roles. Concurrency and idempotency: movement_concurrency_test.cpp.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/harness/api_harness.hpp"
#include "api/movement_fixture.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;

class MovementRoutesTest : public MovementTest {};

std::string Code(const HttpResult& r) { return r.json.is_object() ? json::value_to<std::string>(r.json.at("code")) : ""; }
std::string Message(const HttpResult& r) {
  return r.json.is_object() ? json::value_to<std::string>(r.json.at("message")) : "";
}

TEST_P(MovementRoutesTest, EntradaAppliesDefaultsAndReturnsTheDocumentedShape) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto r = Move("ENTRADA", 3, p, a_.admin.token);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto& m = r.json.at("movimiento").as_object();
  std::set<std::string> keys;
  for (const auto& kv : m) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "tipo", "cantidad", "productoId", "proveedorId", "fecha", "motivo",
                                          "descripcion", "estado", "precioUnitario", "precioTotal", "tipoPrecio",
                                          "costoUnitario", "empresaId", "createdAt"}));
  EXPECT_EQ(m.at("tipo"), "ENTRADA");
  EXPECT_EQ(m.at("cantidad"), 3);
  EXPECT_EQ(m.at("productoId"), p);
  EXPECT_TRUE(m.at("proveedorId").is_null());
  EXPECT_EQ(m.at("estado"), "ACTIVO");
  EXPECT_DOUBLE_EQ(m.at("precioUnitario").to_number<double>(), 10.0);
  EXPECT_DOUBLE_EQ(m.at("precioTotal").to_number<double>(), 30.0);
  EXPECT_EQ(m.at("tipoPrecio"), "COMPRA");
  EXPECT_DOUBLE_EQ(m.at("costoUnitario").to_number<double>(), 10.0);
  EXPECT_EQ(m.at("empresaId"), a_.empresa_id);
  auto fecha = json::value_to<std::string>(m.at("fecha"));
  EXPECT_EQ(fecha.size(), 24u);
  EXPECT_EQ(fecha.back(), 'Z');
  EXPECT_LE(std::llabs(*ParseTimestampMs(fecha) - NowMs()), 60000);
  EXPECT_EQ(r.json.at("producto"), (json::value{{"id", p}, {"stock", 13}, {"version", 2}}));
  EXPECT_EQ(Stock(p), 13);
  EXPECT_EQ(Version(p), 2);
  EXPECT_EQ(h->Get("/movimientos/" + std::to_string(m.at("id").as_int64()), a_.empleado.token).json, json::value(m));
}

TEST_P(MovementRoutesTest, PriceDefaultsAndReconciliation) {
  auto p = MakeProduct(a_.empresa_id, 100, 4.0, 7.5);
  struct Case {
    const char* name;
    json::object extra;
    const char* tipo;
    double pu, pt;
    const char* tipo_precio;
  };
  const Case kCases[] = {
      {"salida defaults to precioVenta", {}, "SALIDA", 7.5, 15.0, "VENTA"},
      {"only precioTotal", {{"precioTotal", 5.0}}, "ENTRADA", 2.5, 5.0, "COMPRA"},
      {"only precioUnitario", {{"precioUnitario", 1.25}}, "SALIDA", 1.25, 2.5, "VENTA"},
      {"both consistent", {{"precioUnitario", 3.0}, {"precioTotal", 6.005}}, "ENTRADA", 3.0, 6.005, "COMPRA"},
      {"tipoPrecio AJUSTE", {{"tipoPrecio", "AJUSTE"}}, "SALIDA", 7.5, 15.0, "AJUSTE"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    json::object body{{"tipo", c.tipo}, {"cantidad", 2}, {"productoId", p}};
    for (const auto& kv : c.extra) body[kv.key()] = kv.value();
    auto r = Move(body, a_.admin.token);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto& m = r.json.at("movimiento");
    EXPECT_DOUBLE_EQ(m.at("precioUnitario").to_number<double>(), c.pu);
    EXPECT_DOUBLE_EQ(m.at("precioTotal").to_number<double>(), c.pt);
    EXPECT_EQ(m.at("tipoPrecio"), c.tipo_precio);
    EXPECT_DOUBLE_EQ(m.at("costoUnitario").to_number<double>(), 4.0);
  }
}

TEST_P(MovementRoutesTest, EachBadInputIs400NamingTheField) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto base = [&] { return json::object{{"tipo", "ENTRADA"}, {"cantidad", 1}, {"productoId", p}}; };
  struct Case {
    const char* field;
    json::value value;  // null: remove the field
  };
  const Case kCases[] = {
      {"cantidad", 0},
      {"cantidad", 1000000},
      {"cantidad", 1.5},
      {"cantidad", "3"},
      {"cantidad", nullptr},
      {"tipo", "TRASPASO"},
      {"productoId", "x"},
      {"fecha", json::string(FormatIsoMs(NowMs() + 86'400'000 + 60'000))},
      {"fecha", "ayer"},
      {"precioUnitario", -1},
      {"precioTotal", -0.5},
      {"tipoPrecio", "REGALO"},
      {"proveedorId", 0},
      {"desconocido", 1},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.field) + " = " + json::serialize(c.value));
    auto body = base();
    if (c.value.is_null()) body.erase(c.field);
    else body[c.field] = c.value;
    auto r = Move(body, a_.admin.token);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(Message(r).find(c.field), std::string::npos) << r.body;
  }
  auto mismatch = base();
  mismatch["precioUnitario"] = 2.0;
  mismatch["precioTotal"] = 2.5;
  auto r = Move(mismatch, a_.admin.token);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("precioTotal"), std::string::npos);
  EXPECT_EQ(h->Request("POST", "/movimientos", "{nope", a_.admin.token).status, 400);
  for (std::string key : {std::string(201, 'k'), std::string("has space"), std::string("ñ")}) {
    auto k = Move(base(), a_.admin.token, key);
    EXPECT_EQ(k.status, 400) << key;
    EXPECT_NE(Message(k).find("Idempotency-Key"), std::string::npos);
  }
  EXPECT_EQ(Stock(p), 10) << "nothing refused changed stock";
  EXPECT_EQ(Rows(p), 0);
  EXPECT_EQ(Move(base(), a_.admin.token, std::string(200, 'k')).status, 201) << "200 characters is the limit";
}

TEST_P(MovementRoutesTest, SalidaBeyondStockIs409AndChangesNothing) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto r = Move("SALIDA", 11, p, a_.empleado.token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "STOCK_INSUFICIENTE");
  EXPECT_EQ(Stock(p), 10);
  EXPECT_EQ(Version(p), 1);
  EXPECT_EQ(Rows(p), 0);
  EXPECT_EQ(Move("SALIDA", 10, p, a_.empleado.token).status, 201) << "exactly the stock is fine";
  EXPECT_EQ(Stock(p), 0);
}

TEST_P(MovementRoutesTest, ProductAndSupplierMustBeActiveAndOfTheTenant) {
  auto b = h->CreateTenant("Other");
  auto inactive = MakeProduct(a_.empresa_id, 5, 1, 2, "INACTIVO");
  auto deleted = MakeProduct(a_.empresa_id, 5, 1, 2, "ELIMINADO");
  auto foreign = MakeProduct(b.empresa_id, 5);
  auto p = MakeProduct(a_.empresa_id, 5);
  EXPECT_EQ(Code(Move("ENTRADA", 1, inactive, a_.admin.token)), "PRODUCTO_NO_ACTIVO");
  EXPECT_EQ(Code(Move("ENTRADA", 1, deleted, a_.admin.token)), "PRODUCTO_NO_ACTIVO");
  EXPECT_EQ(Move("ENTRADA", 1, foreign, a_.admin.token).status, 404);
  EXPECT_EQ(Move("ENTRADA", 1, 999999, a_.admin.token).status, 404);
  EXPECT_EQ(Stock(inactive) + Stock(deleted) + Stock(foreign), 15);

  auto body = [&](domain::Id s) { return json::object{{"tipo", "ENTRADA"}, {"cantidad", 1}, {"productoId", p}, {"proveedorId", s}}; };
  EXPECT_EQ(Move(body(MakeSupplier(b.empresa_id)), a_.admin.token).status, 404);
  auto r = Move(body(MakeSupplier(a_.empresa_id, "INACTIVO")), a_.admin.token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "PROVEEDOR_NO_ACTIVO");
  EXPECT_EQ(Stock(p), 5);
  auto s = MakeSupplier(a_.empresa_id);
  auto ok = Move(body(s), a_.admin.token);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json.at("movimiento").at("proveedorId"), s);
}

TEST_P(MovementRoutesTest, ByBarcodeWithinTheTenant) {
  auto b = h->CreateTenant("Other");
  auto p = MakeProduct(a_.empresa_id, 4, 2, 3, "ACTIVO", "750100");
  MakeProduct(b.empresa_id, 4, 2, 3, "ACTIVO", "750200");
  auto post = [&](const std::string& code, const std::string& token) {
    return Move(json::object{{"tipo", "SALIDA"}, {"cantidad", 1}, {"codigoBarras", code}, {"motivo", "venta"}}, token, {},
                "/movimientos/codigo-barras");
  };
  auto r = post("750100", a_.empleado.token);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("movimiento").at("productoId"), p);
  EXPECT_EQ(r.json.at("movimiento").at("motivo"), "venta");
  EXPECT_EQ(r.json.at("producto").at("stock"), 3);
  EXPECT_EQ(post("750200", a_.empleado.token).status, 404) << "another tenant's barcode";
  EXPECT_EQ(post("000", a_.empleado.token).status, 404);
  EXPECT_EQ(Move(json::object{{"tipo", "SALIDA"}, {"cantidad", 1}, {"productoId", p}}, a_.admin.token, {},
                 "/movimientos/codigo-barras")
                .status,
            400);
}

TEST_P(MovementRoutesTest, ListsFilterPaginateAndCount) {
  auto p = MakeProduct(a_.empresa_id, 100);
  auto q = MakeProduct(a_.empresa_id, 100);
  std::int64_t now = NowMs();
  std::string old_day = FormatDay(now - 10 * 86'400'000LL);
  auto at = [&](const char* tipo, domain::Id prod, const std::string& fecha) {
    auto r = Move(json::object{{"tipo", tipo}, {"cantidad", 1}, {"productoId", prod}, {"fecha", fecha}}, a_.admin.token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.at("movimiento").at("id").as_int64();
  };
  auto m1 = at("ENTRADA", p, old_day + "T10:00:00.000Z");
  auto m2 = at("SALIDA", p, old_day + "T12:00:00.000Z");
  auto m3 = at("SALIDA", q, FormatIsoMs(now));
  auto m4 = at("ENTRADA", p, FormatIsoMs(now));  // same fecha as m3: id breaks the tie

  auto all = h->Get("/movimientos", a_.empleado.token);
  ASSERT_EQ(all.status, 200) << all.body;
  std::vector<std::int64_t> ids;
  for (const auto& m : all.json.at("movimientos").as_array()) ids.push_back(m.at("id").as_int64());
  EXPECT_EQ(ids, (std::vector<std::int64_t>{m4, m3, m2, m1}));
  EXPECT_EQ(all.json.at("total"), 4);
  EXPECT_EQ(all.json.at("totalPages"), 1);
  EXPECT_EQ(all.json.at("estadisticas"), (json::value{{"total", 4}, {"entradas", 2}, {"salidas", 2}, {"hoy", 2}}));

  auto page2 = h->Get("/movimientos?page=2&limit=3", a_.empleado.token);
  EXPECT_EQ(page2.json.at("movimientos").as_array().size(), 1u);
  EXPECT_EQ(page2.json.at("totalPages"), 2);
  EXPECT_EQ(page2.json.at("page"), 2);
  EXPECT_EQ(h->Get("/movimientos?tipo=SALIDA", a_.admin.token).json.at("estadisticas"),
            (json::value{{"total", 2}, {"entradas", 0}, {"salidas", 2}, {"hoy", 1}}));
  EXPECT_EQ(h->Get("/movimientos?productoId=" + std::to_string(q), a_.admin.token).json.at("total"), 1);
  EXPECT_EQ(h->Get("/movimientos?hasta=" + old_day, a_.admin.token).json.at("total"), 2) << "a date includes its day";
  EXPECT_EQ(h->Get("/movimientos?desde=" + old_day + "T11:00:00Z&hasta=" + old_day + "T12:00:00Z", a_.admin.token)
                .json.at("total"),
            1);
  auto by_product = h->Get("/movimientos/producto/" + std::to_string(p) + "?limit=2", a_.admin.token);
  ASSERT_EQ(by_product.status, 200);
  EXPECT_EQ(by_product.json.at("total"), 3);
  EXPECT_EQ(by_product.json.at("movimientos").as_array().size(), 2u);
  EXPECT_EQ(by_product.json.at("estadisticas").at("entradas"), 2);
  for (const char* bad : {"?tipo=X", "?limit=101", "?page=0", "?desde=nope", "?productoId=-1"})
    EXPECT_EQ(h->Get(std::string("/movimientos") + bad, a_.admin.token).status, 400) << bad;
  EXPECT_EQ(h->Get("/movimientos/producto/999999", a_.admin.token).status, 404);
}

TEST_P(MovementRoutesTest, PatchChangesOnlyMotivoAndDescripcion) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto id = std::to_string(Move("ENTRADA", 2, p, a_.admin.token).json.at("movimiento").at("id").as_int64());
  auto r = h->Patch("/movimientos/" + id, {{"motivo", "compra"}, {"descripcion", "lote 7"}}, a_.empleado.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("motivo"), "compra");
  EXPECT_EQ(r.json.at("descripcion"), "lote 7");
  r = h->Patch("/movimientos/" + id, {{"descripcion", nullptr}}, a_.empleado.token);
  EXPECT_EQ(r.json.at("motivo"), "compra");
  EXPECT_TRUE(r.json.at("descripcion").is_null());
  for (const char* field : {"cantidad", "tipo", "precioUnitario", "productoId", "estado"}) {
    auto bad = h->Patch("/movimientos/" + id, {{field, 1}}, a_.admin.token);
    EXPECT_EQ(bad.status, 400) << field;
    EXPECT_NE(Message(bad).find(field), std::string::npos);
  }
  EXPECT_EQ(Stock(p), 12);
  EXPECT_EQ(h->Patch("/movimientos/999999", {{"motivo", "x"}}, a_.admin.token).status, 404);
}

TEST_P(MovementRoutesTest, DeleteReversesAndRestoreReappliesStock) {
  auto p = MakeProduct(a_.empresa_id, 0);
  auto entrada = std::to_string(Move("ENTRADA", 5, p, a_.admin.token).json.at("movimiento").at("id").as_int64());
  auto salida = std::to_string(Move("SALIDA", 3, p, a_.admin.token).json.at("movimiento").at("id").as_int64());
  ASSERT_EQ(Stock(p), 2);
  auto v = Version(p);

  auto r = h->Delete("/movimientos/" + entrada, a_.admin.token);
  EXPECT_EQ(r.status, 409) << "reversing the entrada would leave -3";
  EXPECT_EQ(Code(r), "STOCK_INSUFICIENTE");
  EXPECT_EQ(Stock(p), 2);
  EXPECT_EQ(Version(p), v);
  EXPECT_EQ(Rows(p), 2);

  r = h->Delete("/movimientos/" + salida, a_.empleado.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("movimiento").at("estado"), "ELIMINADO");
  EXPECT_EQ(r.json.at("producto"), (json::value{{"id", p}, {"stock", 5}, {"version", v + 1}}));
  EXPECT_EQ(Code(h->Delete("/movimientos/" + salida, a_.admin.token)), "MOVIMIENTO_YA_ELIMINADO");
  EXPECT_EQ(Stock(p), 5);
  EXPECT_EQ(h->Get("/movimientos/" + salida, a_.admin.token).status, 404) << "an ELIMINADO one is not ACTIVO";
  EXPECT_EQ(h->Get("/movimientos/eliminados/" + salida, a_.admin.token).json.at("estado"), "ELIMINADO");
  EXPECT_EQ(h->Get("/movimientos/eliminados/" + entrada, a_.admin.token).status, 404);
  auto eliminados = h->Get("/movimientos/eliminados", a_.admin.token);
  EXPECT_EQ(eliminados.json.at("total"), 1);
  EXPECT_FALSE(eliminados.json.as_object().contains("estadisticas"));
  EXPECT_EQ(h->Get("/movimientos", a_.admin.token).json.at("total"), 1);

  EXPECT_EQ(Move("SALIDA", 4, p, a_.admin.token).status, 201);  // stock 1: the deleted salida of 3 no longer fits
  r = h->Patch("/movimientos/" + salida + "/restaurar", json::object{}, a_.admin.token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "STOCK_INSUFICIENTE");
  EXPECT_EQ(Stock(p), 1);
  EXPECT_EQ(Move("ENTRADA", 2, p, a_.admin.token).status, 201);
  r = h->Patch("/movimientos/" + salida + "/restaurar", json::object{}, a_.admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("movimiento").at("estado"), "ACTIVO");
  EXPECT_EQ(r.json.at("producto").at("stock"), 0);
  EXPECT_EQ(Code(h->Patch("/movimientos/" + salida + "/restaurar", json::object{}, a_.admin.token)),
            "MOVIMIENTO_NO_ELIMINADO");
  EXPECT_EQ(Stock(p), LedgerSum(p)) << "stock is what the ACTIVO movements explain";
}

TEST_P(MovementRoutesTest, AnotherTenantsIdsAre404OnEveryRouteAndChangeNothing) {
  auto p = MakeProduct(a_.empresa_id, 10, 1, 2, "ACTIVO", "A-1");
  auto id = std::to_string(Move("ENTRADA", 1, p, a_.admin.token).json.at("movimiento").at("id").as_int64());
  auto gone = std::to_string(Move("ENTRADA", 1, p, a_.admin.token).json.at("movimiento").at("id").as_int64());
  ASSERT_EQ(h->Delete("/movimientos/" + gone, a_.admin.token).status, 200);
  auto b = h->CreateTenant("Intruder");
  auto t = b.admin.token;
  EXPECT_EQ(Move("SALIDA", 1, p, t).status, 404);
  EXPECT_EQ(Move(json::object{{"tipo", "SALIDA"}, {"cantidad", 1}, {"codigoBarras", "A-1"}}, t, {}, "/movimientos/codigo-barras")
                .status,
            404);
  EXPECT_EQ(h->Get("/movimientos/" + id, t).status, 404);
  EXPECT_EQ(h->Patch("/movimientos/" + id, {{"motivo", "x"}}, t).status, 404);
  EXPECT_EQ(h->Delete("/movimientos/" + id, t).status, 404);
  EXPECT_EQ(h->Patch("/movimientos/" + gone + "/restaurar", json::object{}, t).status, 404);
  EXPECT_EQ(h->Get("/movimientos/eliminados/" + gone, t).status, 404);
  EXPECT_EQ(h->Get("/movimientos/producto/" + std::to_string(p), t).status, 404);
  EXPECT_EQ(h->Get("/movimientos?productoId=" + std::to_string(p), t).json.at("total"), 0);
  EXPECT_EQ(h->Get("/movimientos", t).json.at("total"), 0);
  EXPECT_EQ(h->Get("/movimientos/eliminados", t).json.at("total"), 0);
  EXPECT_EQ(Stock(p), 11);
  EXPECT_EQ(h->Get("/movimientos/" + id, a_.admin.token).json.at("motivo"), nullptr);
}

TEST_P(MovementRoutesTest, RolesAndAuthentication) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto r = Move("ENTRADA", 1, p, a_.proveedor.token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(h->Get("/movimientos", a_.proveedor.token).status, 403) << "movements carry prices";
  EXPECT_EQ(Move("ENTRADA", 1, p, "").status, 401);
  EXPECT_EQ(h->Get("/movimientos").status, 401);
  auto lonely = h->CreateUser(std::nullopt, "ADMIN", "lonely@x.test");
  EXPECT_EQ(Code(Move("ENTRADA", 1, p, lonely.token)), "EMPRESA_REQUIRED");
  EXPECT_EQ(Move("ENTRADA", 1, p, a_.empleado.token).status, 201);
  EXPECT_EQ(Stock(p), 11);
}

IAM_API_BACKENDS(MovementRoutesTest);

}  // namespace
}  // namespace iam::test
