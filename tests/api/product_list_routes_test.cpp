// GET /productos over both backends: filters, default estado, order and pagination.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;

class ProductListTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    t = h->CreateTenant("Acme");
    other = h->CreateTenant("Other");
  }

  std::int64_t Create(json::object body, const std::string& token = {}) {
    body["precioCompra"] = 1;
    body["precioVenta"] = 2;
    auto r = h->Post("/productos", body, token.empty() ? t.admin.token : token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.at("id").as_int64();
  }
  // The nombres listed by GET `query`, in order.
  std::vector<std::string> Listed(const std::string& query) {
    auto r = h->Get("/productos" + query, t.empleado.token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> out;
    if (!r.json.is_object()) return out;
    for (const auto& p : r.json.at("productos").as_array()) out.emplace_back(p.at("nombre").as_string());
    return out;
  }

  test::TenantFixture t, other;
};

using Names = std::vector<std::string>;

TEST_P(ProductListTest, OrderIsStockDescThenNombreThenId) {
  auto first_b = Create({{"nombre", "b"}, {"stock", 5}});
  auto second_b = Create({{"nombre", "b"}, {"stock", 5}});
  Create({{"nombre", "a"}, {"stock", 5}});
  Create({{"nombre", "z"}, {"stock", 9}});
  Create({{"nombre", "c"}});
  auto r = h->Get("/productos", t.admin.token);
  auto items = r.json.at("productos").as_array();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(Listed(""), (Names{"z", "a", "b", "b", "c"}));
  EXPECT_EQ(items[2].at("id").as_int64(), first_b);
  EXPECT_EQ(items[3].at("id").as_int64(), second_b);
}

TEST_P(ProductListTest, Pagination) {
  for (int i = 0; i < 5; ++i) Create({{"nombre", "p" + std::to_string(i)}});
  Create({{"nombre", "foreign"}}, other.admin.token);
  auto r = h->Get("/productos?page=2&limit=2", t.admin.token);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("total").as_int64(), 5);
  EXPECT_EQ(r.json.at("page").as_int64(), 2);
  EXPECT_EQ(r.json.at("limit").as_int64(), 2);
  EXPECT_EQ(r.json.at("totalPages").as_int64(), 3);
  EXPECT_EQ(Listed("?page=2&limit=2"), (Names{"p2", "p3"}));
  EXPECT_EQ(Listed("?page=3&limit=2"), (Names{"p4"}));
  EXPECT_EQ(Listed("?page=9&limit=2"), Names{});
  auto defaults = h->Get("/productos", t.admin.token);
  EXPECT_EQ(defaults.json.at("page").as_int64(), 1);
  EXPECT_EQ(defaults.json.at("limit").as_int64(), 50);
  for (const char* bad : {"?limit=0", "?limit=101", "?page=0", "?page=-1", "?limit=x"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(h->Get(std::string("/productos") + bad, t.admin.token).status, 400);
  }
}

TEST_P(ProductListTest, Filters) {
  auto sup = h->Sql(R"(INSERT INTO "Proveedor" ("nombre", "empresaId") VALUES ('S', $1) RETURNING "id")",
                    {t.empresa_id})[0].Int(0);
  Create({{"nombre", "Leche Entera"}, {"stock", 3}, {"etiquetas", json::array{"lacteo", "frio"}},
          {"tipoProducto", "ALIMENTO"}, {"sku", "L-1"}, {"codigoBarras", "111"}});
  Create({{"nombre", "Queso"}, {"descripcion", "de LECHE de cabra"}, {"stock", 2}, {"etiquetas", json::array{"lacteo"}},
          {"tipoProducto", "ALIMENTO"}, {"proveedorId", sup}});
  Create({{"nombre", "Martillo 100%"}, {"descripcion", "acero_inox"}, {"stock", 0}, {"tipoProducto", "HARDWARE"}});
  auto gone = Create({{"nombre", "Viejo"}, {"stock", 1}});
  auto paused = Create({{"nombre", "Pausado"}});
  h->Delete("/productos/" + std::to_string(gone), t.admin.token);
  h->Request("PATCH", "/productos/" + std::to_string(paused) + "/desactivar", {}, t.admin.token);
  Create({{"nombre", "leche ajena"}, {"etiquetas", json::array{"lacteo"}}}, other.admin.token);

  struct Case {
    std::string query;
    Names names;
  } kCases[] = {
      {"", {"Leche Entera", "Queso", "Martillo 100%"}},
      {"?search=leche", {"Leche Entera", "Queso"}},
      {"?search=LECHE%20ENT", {"Leche Entera"}},
      {"?search=100%25", {"Martillo 100%"}},
      {"?search=0%25", {"Martillo 100%"}},
      {"?search=%25", {"Martillo 100%"}},
      {"?search=o_i", {"Martillo 100%"}},
      {"?search=e_e", {}},
      {"?etiqueta=lacteo", {"Leche Entera", "Queso"}},
      {"?etiqueta=frio", {"Leche Entera"}},
      {"?etiqueta=fri", {}},
      {"?tipoProducto=HARDWARE", {"Martillo 100%"}},
      {"?agotados=true", {"Martillo 100%"}},
      {"?agotados=false", {"Leche Entera", "Queso", "Martillo 100%"}},
      {"?proveedorId=" + std::to_string(sup), {"Queso"}},
      {"?sku=L-1", {"Leche Entera"}},
      {"?codigoBarras=111", {"Leche Entera"}},
      {"?estado=ELIMINADO", {"Viejo"}},
      {"?estado=INACTIVO", {"Pausado"}},
      {"?estado=INACTIVO&agotados=true", {"Pausado"}},
      {"?search=leche&etiqueta=lacteo&tipoProducto=ALIMENTO&agotados=false", {"Leche Entera", "Queso"}},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.query);
    EXPECT_EQ(Listed(k.query), k.names);
  }
  for (const char* bad : {"?estado=BORRADO", "?tipoProducto=x", "?agotados=si", "?proveedorId=abc",
                          "?proveedorId=0"}) {
    SCOPED_TRACE(bad);
    auto r = h->Get(std::string("/productos") + bad, t.admin.token);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json.at("code"), "VALIDATION_ERROR");
  }
}

TEST_P(ProductListTest, LegacyNullEtiquetasReadAsEmpty) {
  auto id = Create({{"nombre", "Legado"}, {"etiquetas", json::array{"x"}}});
  h->Sql(R"(UPDATE "Producto" SET "etiquetas" = NULL WHERE "id" = $1)", {id});
  auto r = h->Get("/productos/" + std::to_string(id), t.admin.token);
  EXPECT_EQ(r.json.at("etiquetas"), json::array{});
  EXPECT_EQ(Listed("?etiqueta=x"), Names{});
  auto tricky = Create({{"nombre", "Comillas"}, {"etiquetas", json::array{"a \"b\"", "c\\d", "ñandú", "x,y"}}});
  auto got = h->Get("/productos/" + std::to_string(tricky), t.admin.token);
  EXPECT_EQ(got.json.at("etiquetas"), (json::array{"a \"b\"", "c\\d", "ñandú", "x,y"}));
  EXPECT_EQ(Listed("?etiqueta=x%2Cy"), Names{"Comillas"});
}

IAM_API_BACKENDS(ProductListTest);

}  // namespace
}  // namespace iam::api
