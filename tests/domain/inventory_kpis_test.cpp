#include "domain/inventory_kpis.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace iam::domain {
namespace {

// The shared catalogue. Per ACTIVO product: stock⁺ × precioCompra, stock⁺ × precioVenta, margin.
const std::vector<ProductSnapshot> kProducts = {
    // 10×2.5 = 25, 10×4 = 40, (4 − 2.5)/2.5×100 = 60; not low (10 > 5)
    {.id = 1, .estado = "ACTIVO", .stock = 10, .stock_minimo = 5, .precio_compra = 2.5, .precio_venta = 4},
    // negative stock: stock⁺ = 0 → 0, 0; margin (15 − 10)/10×100 = 50; agotado and low
    {.id = 2, .estado = "ACTIVO", .stock = -3, .stock_minimo = 0, .precio_compra = 10, .precio_venta = 15},
    // precioCompra 0: value at cost 0, at sale 4×9 = 36, no margin; low (4 <= 4)
    {.id = 3, .estado = "ACTIVO", .stock = 4, .stock_minimo = 4, .precio_compra = 0, .precio_venta = 9},
    // counted in totalProductos only
    {.id = 4, .estado = "INACTIVO", .stock = 100, .stock_minimo = 1, .precio_compra = 1, .precio_venta = 2},
    // not counted, but its movements still count, valued at its current prices
    {.id = 5, .estado = "ELIMINADO", .stock = 50, .stock_minimo = 10, .precio_compra = 3, .precio_venta = 6},
};

struct InventoryCase {
  const char* name;
  std::vector<ProductSnapshot> products;
  std::vector<ProductFlows> last30;
  InventoryKpis expected;
};

TEST(InventoryKpisTest, Kpis) {
  const std::vector<ProductFlows> flows = {
      // COGS 2×2.4 + 1×2.6 = 7.4 known, plus 3 units at the current precioCompra 2.5 = 7.5 → 14.9
      {.producto_id = 1,
       .entradas = {.movimientos = 2, .cantidad = 30},
       .salidas = {.movimientos = 3, .cantidad = 6, .costo_conocido = 7.4, .cantidad_sin_costo = 3}},
      // ELIMINADO product: 2 units at 3 = 6
      {.producto_id = 5, .salidas = {.movimientos = 1, .cantidad = 2, .cantidad_sin_costo = 2}},
      // product missing from the list: only the known 1.1 (fallback price 0)
      {.producto_id = 99, .salidas = {.movimientos = 1, .cantidad = 6, .costo_conocido = 1.1, .cantidad_sin_costo = 5}},
  };
  const InventoryCase kCases[] = {
      {"no products, no movements", {}, {}, {}},
      {"movements but no products: rotation 0 (valorTotalInventario 0)",
       {},
       flows,
       {.movimientos_ultimo_mes = 7}},
      // COGS30 = 14.9 + 6 + 1.1 = 22; rotation 22/25 = 0.88; margins (60 + 50)/2 = 55;
      // movements 2 + 3 + 1 + 1 = 7
      {"catalogue",
       kProducts,
       flows,
       {.total_productos = 4,
        .productos_stock_bajo = 2,
        .productos_agotados = 1,
        .movimientos_ultimo_mes = 7,
        .valor_total_inventario = 25,
        .valor_venta_inventario = 76,
        .margen_promedio = 55,
        .rotacion_inventario = 0.88}},
      // margin (4 − 3)/3×100 = 33.333… → 33.33; value 3×3 = 9; rotation 1/9 = 0.111… → 0.11
      {"rounded ratios",
       {{.id = 1, .stock = 3, .stock_minimo = 3, .precio_compra = 3, .precio_venta = 4}},
       {{.producto_id = 1, .salidas = {.movimientos = 1, .cantidad = 1, .costo_conocido = 1}}},
       {.total_productos = 1,
        .productos_stock_bajo = 1,
        .movimientos_ultimo_mes = 1,
        .valor_total_inventario = 9,
        .valor_venta_inventario = 12,
        .margen_promedio = 33.33,
        .rotacion_inventario = 0.11}},
      // 1×1.005 → 1.01 and 1×2.675 → 2.68 (the decimal values, not their doubles);
      // margin (2.675 − 1.005)/1.005×100 = 1.67/1.005×100 = 166.169… → 166.17
      {"half cents",
       {{.id = 1, .stock = 1, .stock_minimo = 0, .precio_compra = 1.005, .precio_venta = 2.675}},
       {},
       {.total_productos = 1, .valor_total_inventario = 1.01, .valor_venta_inventario = 2.68, .margen_promedio = 166.17}},
      // only INACTIVO/ELIMINADO products: nothing ACTIVO, margin mean over no products = 0
      {"nothing active",
       {kProducts[3], kProducts[4]},
       {},
       {.total_productos = 1}},
      // stock 0 is agotado and low (0 <= 0); a negative margin is averaged as is: (1 − 2)/2×100 = −50
      {"zero stock, selling at a loss",
       {{.id = 1, .stock = 0, .stock_minimo = 0, .precio_compra = 2, .precio_venta = 1}},
       {},
       {.total_productos = 1, .productos_stock_bajo = 1, .productos_agotados = 1, .margen_promedio = -50}},
  };
  for (const InventoryCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const InventoryKpis k = ComputeInventoryKpis(c.products, c.last30);
    EXPECT_EQ(k.total_productos, c.expected.total_productos);
    EXPECT_EQ(k.productos_stock_bajo, c.expected.productos_stock_bajo);
    EXPECT_EQ(k.productos_agotados, c.expected.productos_agotados);
    EXPECT_EQ(k.movimientos_ultimo_mes, c.expected.movimientos_ultimo_mes);
    EXPECT_EQ(k.valor_total_inventario, c.expected.valor_total_inventario);
    EXPECT_EQ(k.valor_venta_inventario, c.expected.valor_venta_inventario);
    EXPECT_EQ(k.margen_promedio, c.expected.margen_promedio);
    EXPECT_EQ(k.rotacion_inventario, c.expected.rotacion_inventario);
  }
}

TEST(InventoryKpisTest, PeriodDays) {
  struct Case {
    std::string period;
    std::optional<int> days;
  };
  const Case kCases[] = {{"week", 7},          {"month", 30},         {"quarter", 90},       {"year", 365},
                         {"", std::nullopt},   {"Month", std::nullopt}, {"day", std::nullopt}, {"months", std::nullopt}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.period);
    const Result<int> r = PeriodDays(c.period);
    if (c.days) {
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(*r, *c.days);
    } else {
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    }
  }
}

struct FinancialCase {
  const char* name;
  std::vector<ProductSnapshot> products;
  std::vector<ProductFlows> window;
  int dias;
  std::int64_t units30;
  FinancialKpis expected;
};

TEST(InventoryKpisTest, FinancialKpis) {
  // ingresos: product 1 20 known + 1 unit at precioVenta 4 = 24; product 5 (ELIMINADO) 2 units at 6
  // = 12 → 36. costoVentas: 7.4 + 2 units at 3 = 13.4. utilidad 22.6. capital 25 (as in Kpis).
  const std::vector<ProductFlows> window = {
      {.producto_id = 1,
       .salidas = {.movimientos = 2, .cantidad = 4, .total_conocido = 20, .cantidad_sin_total = 1,
                   .costo_conocido = 7.4}},
      {.producto_id = 5, .salidas = {.movimientos = 1, .cantidad = 2, .cantidad_sin_total = 2, .cantidad_sin_costo = 2}},
  };
  const FinancialCase kCases[] = {
      {"nothing at all", {}, {}, 30, 0, {.dias = 30}},
      // margenBruto 22.6/36×100 = 62.777… → 62.78
      // almacenamiento 25×0.02×7/30 = 3.5/30 = 0.11666… → 0.12
      // oportunidad 25×0.08×7/365 = 14/365 = 0.038356… → 0.04
      // margenNeto (22.6 − 0.116667 − 0.038356)/36×100 = 22.444977/36×100 = 62.3472 → 62.35
      // roi 22.6/25×100 = 90.4; rotacion 13.4/25 = 0.536 → 0.54; dias 25/13.4×7 = 175/13.4 = 13.0597 → 13.06
      // eficiencia: T = 3, B = 2 → A = 1/3×100; I = 10 + 0 + 4 = 14, U = 7 → R = 50;
      //   0.6×33.333… + 0.4×50 = 20 + 20 = 40
      {"week",
       kProducts,
       window,
       7,
       7,
       {.dias = 7, .ingresos = 36, .costo_ventas = 13.4, .utilidad_bruta = 22.6, .margen_bruto = 62.78,
        .capital_trabajo = 25, .costo_almacenamiento = 0.12, .costo_oportunidad = 0.04, .margen_neto = 62.35,
        .roi_inventario = 90.4, .rotacion_inventario = 0.54, .dias_inventario = 13.06, .eficiencia_operativa = 40}},
      // year: almacenamiento 25×0.02×365/30 = 0.5×365/30 = 6.0833 → 6.08; oportunidad 25×0.08 = 2;
      // margenNeto (22.6 − 6.083333 − 2)/36×100 = 14.516667/36×100 = 40.3241 → 40.32
      // dias 175/13.4 × 365/7 = 25/13.4×365 = 680.97 (9125/13.4 = 680.970…)
      // R = min(100, 28/14×100 = 200) = 100 → 20 + 40 = 60
      {"year, R capped at 100",
       kProducts,
       window,
       365,
       28,
       {.dias = 365, .ingresos = 36, .costo_ventas = 13.4, .utilidad_bruta = 22.6, .margen_bruto = 62.78,
        .capital_trabajo = 25, .costo_almacenamiento = 6.08, .costo_oportunidad = 2, .margen_neto = 40.32,
        .roi_inventario = 90.4, .rotacion_inventario = 0.54, .dias_inventario = 680.97, .eficiencia_operativa = 60}},
      // quarter, no sales: ingresos 0 → both margins 0; costoVentas 0 → diasInventario 0;
      // almacenamiento 0.5×90/30 = 1.5; oportunidad 2×90/365 = 0.49315 → 0.49; roi 0; U = 0 → R = 0 → 20
      {"quarter without sales",
       kProducts,
       {},
       90,
       0,
       {.dias = 90, .capital_trabajo = 25, .costo_almacenamiento = 1.5, .costo_oportunidad = 0.49,
        .eficiencia_operativa = 20}},
      // SALIDA recorded at price 0 but with a cost: ingresos 0, utilidad −5, margins 0 (ingresos 0),
      // roi −5/25×100 = −20, rotacion 5/25 = 0.2, dias 25/5×30 = 150;
      // almacenamiento 0.5, oportunidad 2×30/365 = 0.16438 → 0.16
      {"revenue zero, cost positive",
       kProducts,
       {{.producto_id = 1, .salidas = {.movimientos = 1, .cantidad = 2, .costo_conocido = 5}}},
       30,
       2,
       {.dias = 30, .costo_ventas = 5, .utilidad_bruta = -5, .capital_trabajo = 25, .costo_almacenamiento = 0.5,
        .costo_oportunidad = 0.16, .roi_inventario = -20, .rotacion_inventario = 0.2, .dias_inventario = 150,
        // R = 2/14×100 = 14.2857; 20 + 0.4×14.2857 = 25.714 → 25.71
        .eficiencia_operativa = 25.71}},
  };
  for (const FinancialCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const FinancialKpis k = ComputeFinancialKpis(c.products, {c.dias, c.window, c.units30});
    const FinancialKpis& e = c.expected;
    EXPECT_EQ(k.dias, e.dias);
    EXPECT_EQ(k.ingresos, e.ingresos);
    EXPECT_EQ(k.costo_ventas, e.costo_ventas);
    EXPECT_EQ(k.utilidad_bruta, e.utilidad_bruta);
    EXPECT_EQ(k.margen_bruto, e.margen_bruto);
    EXPECT_EQ(k.capital_trabajo, e.capital_trabajo);
    EXPECT_EQ(k.costo_almacenamiento, e.costo_almacenamiento);
    EXPECT_EQ(k.costo_oportunidad, e.costo_oportunidad);
    EXPECT_EQ(k.margen_neto, e.margen_neto);
    EXPECT_EQ(k.roi_inventario, e.roi_inventario);
    EXPECT_EQ(k.rotacion_inventario, e.rotacion_inventario);
    EXPECT_EQ(k.dias_inventario, e.dias_inventario);
    EXPECT_EQ(k.eficiencia_operativa, e.eficiencia_operativa);
  }
}

TEST(InventoryKpisTest, ProductKpis) {
  struct Case {
    const char* name;
    ProductSnapshot product;
    FlowSums entradas, salidas;
    ProductKpis expected;
  };
  const Case kCases[] = {
      // ingresos 20 + 1×4 = 24; costo 7.4 + 3×2.5 = 14.9; margen 9.1/24×100 = 37.9166… → 37.92;
      // demanda 6/30 = 0.2; cobertura 10/0.2 = 50
      {"normal",
       kProducts[0],
       {.movimientos = 1, .cantidad = 20},
       {.movimientos = 3, .cantidad = 6, .total_conocido = 20, .cantidad_sin_total = 1, .costo_conocido = 7.4,
        .cantidad_sin_costo = 3},
       {.valor_stock = 25, .entradas30 = 20, .salidas30 = 6, .ingresos30 = 24, .costo_ventas30 = 14.9,
        .margen30 = 37.92, .demanda_diaria = 0.2, .dias_cobertura = 50, .estado_stock = "NORMAL"}},
      {"negative stock, no movements",
       kProducts[1],
       {},
       {},
       {.dias_cobertura = std::nullopt, .estado_stock = "AGOTADO"}},
      // 7 units without prices: ingresos 7×9 = 63, costo 7×0 = 0, margen 100;
      // demanda 7/30 = 0.2333 → 0.23; cobertura 4/(7/30) = 120/7 = 17.1428… → 17.14
      {"legacy rows, precioCompra 0",
       kProducts[2],
       {},
       {.movimientos = 2, .cantidad = 7, .cantidad_sin_total = 7, .cantidad_sin_costo = 7},
       {.salidas30 = 7, .ingresos30 = 63, .margen30 = 100, .demanda_diaria = 0.23, .dias_cobertura = 17.14,
        .estado_stock = "BAJO"}},
      // ELIMINADO products answer too; ingresos 0 → margen 0; demanda 1/30 = 0.0333 → 0.03;
      // cobertura 50/(1/30) = 1500; valor 50×3 = 150
      {"eliminado, sold at 0",
       kProducts[4],
       {},
       {.movimientos = 1, .cantidad = 1, .costo_conocido = 2.9},
       {.valor_stock = 150, .salidas30 = 1, .costo_ventas30 = 2.9, .demanda_diaria = 0.03, .dias_cobertura = 1500,
        .estado_stock = "NORMAL"}},
      // 3 × 0.335 = 1.005 → 1.01
      {"half-cent stock value",
       {.id = 6, .stock = 3, .stock_minimo = 3, .precio_compra = 0.335, .precio_venta = 1},
       {},
       {},
       {.valor_stock = 1.01, .estado_stock = "BAJO"}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const ProductKpis k = ComputeProductKpis(c.product, c.entradas, c.salidas);
    const ProductKpis& e = c.expected;
    EXPECT_EQ(k.valor_stock, e.valor_stock);
    EXPECT_EQ(k.entradas30, e.entradas30);
    EXPECT_EQ(k.salidas30, e.salidas30);
    EXPECT_EQ(k.ingresos30, e.ingresos30);
    EXPECT_EQ(k.costo_ventas30, e.costo_ventas30);
    EXPECT_EQ(k.margen30, e.margen30);
    EXPECT_EQ(k.demanda_diaria, e.demanda_diaria);
    EXPECT_EQ(k.dias_cobertura, e.dias_cobertura);
    EXPECT_EQ(k.estado_stock, e.estado_stock);
  }
}

TEST(InventoryKpisTest, EstadoStock) {
  struct Case {
    std::int64_t stock, minimo;
    std::string_view expected;
  };
  const Case kCases[] = {{-1, 5, "AGOTADO"}, {0, -5, "AGOTADO"}, {1, 1, "BAJO"}, {2, 1, "NORMAL"}, {5, 10, "BAJO"}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.stock << "/" << c.minimo);
    EXPECT_EQ(EstadoStock({.stock = c.stock, .stock_minimo = c.minimo}), c.expected);
  }
}

}  // namespace
}  // namespace iam::domain
