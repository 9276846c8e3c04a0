#include "domain/demo_data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace iam::domain {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kNow = 1'764'201'600'000;  // 2025-11-27T00:00:00Z, fixed for determinism

DemoOptions Options(int products = 40, std::int64_t movements = 3000, int days = 120, std::uint64_t seed = 7) {
  return DemoOptions{products, movements, days, seed, kNow};
}

bool SameMovement(const DemoMovement& a, const DemoMovement& b) {
  return a.fecha_ms == b.fecha_ms && a.product_index == b.product_index && a.cantidad == b.cantidad &&
         a.tipo == b.tipo && a.precio_unitario == b.precio_unitario && a.supplier_index == b.supplier_index &&
         std::string(a.motivo) == b.motivo;
}

TEST(DemoDataTest, SameSeedSameData) {
  DemoTenant a = GenerateDemoTenant(Options(), 1);
  DemoTenant b = GenerateDemoTenant(Options(), 1);
  EXPECT_EQ(a.company.nombre, b.company.nombre);
  EXPECT_EQ(a.company.rfc, b.company.rfc);
  ASSERT_EQ(a.products.size(), b.products.size());
  for (std::size_t i = 0; i < a.products.size(); ++i) {
    EXPECT_EQ(a.products[i].sku, b.products[i].sku);
    EXPECT_EQ(a.products[i].precio_compra, b.products[i].precio_compra);
    EXPECT_EQ(a.products[i].stock, b.products[i].stock);
  }
  ASSERT_EQ(a.movements.size(), b.movements.size());
  for (std::size_t i = 0; i < a.movements.size(); ++i) ASSERT_TRUE(SameMovement(a.movements[i], b.movements[i])) << i;
}

TEST(DemoDataTest, OtherSeedOtherData) {
  DemoTenant a = GenerateDemoTenant(Options(40, 3000, 120, 7), 0);
  DemoTenant b = GenerateDemoTenant(Options(40, 3000, 120, 8), 0);
  int same_prices = 0;
  for (std::size_t i = 0; i < a.products.size(); ++i)
    same_prices += a.products[i].precio_compra == b.products[i].precio_compra;
  EXPECT_LT(same_prices, 5);
}

TEST(DemoDataTest, MovementCountIsExactWithOneInitialEntryPerProduct) {
  struct Case {
    int products;
    std::int64_t movements;
    std::size_t expected;
  };
  const Case kCases[] = {{40, 3000, 3000}, {1, 1, 1}, {10, 3, 10}, {10, 10, 10}, {7, 1001, 1001}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.products << " products, " << c.movements << " movements");
    DemoTenant t = GenerateDemoTenant(Options(c.products, c.movements), 0);
    EXPECT_EQ(t.movements.size(), c.expected);
    std::map<int, int> initial;
    for (const DemoMovement& m : t.movements) initial[m.product_index] += std::string(m.motivo) == "Stock inicial";
    ASSERT_EQ(initial.size(), static_cast<std::size_t>(c.products));
    for (const auto& [pi, n] : initial) EXPECT_EQ(n, 1) << pi;
  }
}

TEST(DemoDataTest, StockNeverNegativeAndFinalStockIsTheSum) {
  for (int index : {0, 3}) {
    DemoTenant t = GenerateDemoTenant(Options(60, 8000, 90, 99), index);
    std::vector<std::int64_t> stock(t.products.size(), 0);
    std::vector<bool> seen(t.products.size(), false);
    for (const DemoMovement& m : t.movements) {
      auto pi = static_cast<std::size_t>(m.product_index);
      if (!seen[pi]) {  // the first movement of a product is its initial ENTRADA, at creadoEn
        EXPECT_EQ(m.tipo, DemoMovementType::kEntrada);
        EXPECT_STREQ(m.motivo, "Stock inicial");
        EXPECT_EQ(m.fecha_ms, t.products[pi].creado_en_ms);
        seen[pi] = true;
      }
      ASSERT_GE(m.cantidad, 1);
      stock[pi] += m.tipo == DemoMovementType::kEntrada ? m.cantidad : -m.cantidad;
      ASSERT_GE(stock[pi], 0) << "product " << pi << " at " << m.fecha_ms;
    }
    for (std::size_t pi = 0; pi < t.products.size(); ++pi) EXPECT_EQ(t.products[pi].stock, stock[pi]) << pi;
  }
}

TEST(DemoDataTest, SkuAndBarcodeUniqueAcrossTenants) {
  std::set<std::string> skus, barcodes, rfcs, emails;
  std::size_t products = 0;
  for (int index = 0; index < 6; ++index) {
    DemoTenant t = GenerateDemoTenant(Options(80, 100), index);
    EXPECT_TRUE(rfcs.insert(t.company.rfc).second) << t.company.rfc;
    for (const DemoUser& u : t.users) EXPECT_TRUE(emails.insert(u.email).second) << u.email;
    for (const DemoProduct& p : t.products) {
      skus.insert(p.sku);
      barcodes.insert(p.codigo_barras);
      EXPECT_EQ(p.codigo_barras.size(), 13u);
      ++products;
    }
    std::set<std::string> supplier_names, supplier_emails, product_names;
    for (const DemoSupplier& s : t.suppliers) {
      EXPECT_TRUE(supplier_names.insert(s.nombre).second) << s.nombre;
      EXPECT_TRUE(supplier_emails.insert(s.email).second) << s.email;
    }
    for (const DemoProduct& p : t.products) EXPECT_TRUE(product_names.insert(p.nombre).second) << p.nombre;
  }
  EXPECT_EQ(skus.size(), products);
  EXPECT_EQ(barcodes.size(), products);
}

TEST(DemoDataTest, BarcodeHasValidEan13CheckDigit) {
  DemoTenant t = GenerateDemoTenant(Options(20, 20), 12);
  for (const DemoProduct& p : t.products) {
    int sum = 0;
    for (std::size_t i = 0; i < 13; ++i) sum += (p.codigo_barras[i] - '0') * (i % 2 == 0 ? 1 : 3);
    EXPECT_EQ(sum % 10, 0) << p.codigo_barras;
  }
}

TEST(DemoDataTest, DemoLogins) {
  DemoTenant first = GenerateDemoTenant(Options(5, 5), 0);
  ASSERT_EQ(first.users.size(), 2u);
  EXPECT_EQ(first.users[0].email, "admin@demo.iam");
  EXPECT_EQ(first.users[0].rol, "ADMIN");
  EXPECT_EQ(first.users[1].email, "empleado@demo.iam");
  EXPECT_EQ(first.users[1].rol, "EMPLEADO");
  DemoTenant third = GenerateDemoTenant(Options(5, 5), 2);
  EXPECT_EQ(third.users[0].email, "admin@tenant3.demo.iam");
  EXPECT_EQ(third.users[1].email, "empleado@tenant3.demo.iam");
}

TEST(DemoDataTest, MovementsSortedAndInsideTheWindow) {
  DemoOptions o = Options(50, 5000, 30);
  DemoTenant t = GenerateDemoTenant(o, 0);
  std::int64_t start = kNow - 30 * kDayMs;
  for (std::size_t i = 0; i < t.movements.size(); ++i) {
    ASSERT_GE(t.movements[i].fecha_ms, start);
    ASSERT_LE(t.movements[i].fecha_ms, kNow);
    if (i > 0) {
      ASSERT_LE(t.movements[i - 1].fecha_ms, t.movements[i].fecha_ms);
    }
  }
  for (const DemoProduct& p : t.products) {
    EXPECT_GE(p.creado_en_ms, start);
    EXPECT_LE(p.creado_en_ms, p.actualizado_en_ms);
  }
  EXPECT_LT(t.company.fecha_creacion_ms, start);
}

TEST(DemoDataTest, PricesFollowTheMovementDefaults) {
  DemoTenant t = GenerateDemoTenant(Options(), 4);
  for (const DemoProduct& p : t.products) {
    EXPECT_GT(p.precio_compra, 0);
    EXPECT_DOUBLE_EQ(p.precio_compra, std::round(p.precio_compra * 100) / 100);
    EXPECT_DOUBLE_EQ(p.precio_venta, std::round(p.precio_venta * 100) / 100);
    EXPECT_GE(p.precio_venta / p.precio_compra, 1.1 - 1e-3) << p.nombre;
    EXPECT_LE(p.precio_venta / p.precio_compra, 1.8 + 1e-3) << p.nombre;
  }
  for (const DemoMovement& m : t.movements) {
    const DemoProduct& p = t.products[static_cast<std::size_t>(m.product_index)];
    bool entrada = m.tipo == DemoMovementType::kEntrada;
    EXPECT_EQ(m.precio_unitario, entrada ? p.precio_compra : p.precio_venta);
    EXPECT_STREQ(TipoPrecio(m.tipo), entrada ? "COMPRA" : "VENTA");
    EXPECT_NEAR(m.precio_total, m.precio_unitario * m.cantidad, 1e-6);
    EXPECT_EQ(m.costo_unitario, p.precio_compra);
    EXPECT_EQ(m.supplier_index, entrada ? p.supplier_index : -1);
  }
}

TEST(DemoDataTest, EnumValuesComeFromTheSchema) {
  const std::set<std::string> kTipos = {
      "GENERICO",   "ROPA",          "ALIMENTO",         "ELECTRONICO", "MEDICAMENTO",
      "SUPLEMENTO", "EQUIPO_MEDICO", "CUIDADO_PERSONAL", "BIOLOGICO",   "MATERIAL_QUIRURGICO",
      "SOFTWARE",   "HARDWARE"};
  const std::set<std::string> kUnidades = {"UNIDAD",     "KILO",       "KILOGRAMO",   "LITRO",   "LITROS", "CAJA",
                                           "PAQUETE",    "METRO",      "METROS",      "GRAMO",   "GRAMOS", "MILILITRO",
                                           "MILILITROS", "CENTIMETRO", "CENTIMETROS", "LICENCIA"};
  const std::set<std::string> kIndustrias = {"GENERICA", "ROPA", "ALIMENTOS", "ELECTRONICA", "FARMACIA"};
  for (int index = 0; index < 5; ++index) {
    DemoTenant t = GenerateDemoTenant(Options(70, 70), index);
    EXPECT_TRUE(kIndustrias.contains(t.company.tipo_industria)) << t.company.tipo_industria;
    for (const DemoProduct& p : t.products) {
      EXPECT_TRUE(kTipos.contains(p.tipo_producto)) << p.tipo_producto;
      EXPECT_TRUE(kUnidades.contains(p.unidad)) << p.unidad;
      EXPECT_FALSE(p.etiquetas.empty());
    }
  }
}

// Demand has a shape the forecasts can find: sales differ between products, and Saturdays
// sell more than Sundays over a long window.
TEST(DemoDataTest, DemandIsSkewedWithWeeklySeasonality) {
  DemoTenant t = GenerateDemoTenant(Options(100, 60000, 180), 0);
  std::vector<std::int64_t> sold(t.products.size(), 0);
  std::int64_t by_weekday[7] = {};
  for (const DemoMovement& m : t.movements) {
    if (m.tipo != DemoMovementType::kSalida) continue;
    sold[static_cast<std::size_t>(m.product_index)] += m.cantidad;
    by_weekday[((m.fecha_ms / kDayMs) + 3) % 7] += m.cantidad;  // 0 = Monday
  }
  std::sort(sold.begin(), sold.end());
  EXPECT_GT(sold[90], 10 * std::max<std::int64_t>(1, sold[10]));  // fast movers vs slow ones
  EXPECT_GT(by_weekday[5], by_weekday[6] * 1.4);                  // Saturday vs Sunday
}

TEST(DemoDataTest, LargeTenantStaysCompact) {
  DemoTenant t = GenerateDemoTenant(Options(2000, 200000, 180), 0);
  EXPECT_EQ(t.movements.size(), 200000u);
  EXPECT_LE(sizeof(DemoMovement), 56u);
}

}  // namespace
}  // namespace iam::domain
