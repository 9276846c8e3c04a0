#include "domain/kpi_flows.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace iam::domain {
namespace {

const ProductSnapshot kProduct{.id = 7, .estado = "ELIMINADO", .stock = 0, .stock_minimo = 0,
                               .precio_compra = 2.5, .precio_venta = 4};

TEST(KpiFlowsTest, ValuationAppliesTheCurrentPriceOnlyToFallbackQuantities) {
  struct Case {
    const char* name;
    FlowSums flows;
    double salida_total, entrada_total, costo;
  };
  const Case kCases[] = {
      {"empty", {}, 0, 0, 0},
      // all rows carry their own prices: the product's prices never enter
      {"known only", {.movimientos = 2, .cantidad = 5, .total_conocido = 19.5, .costo_conocido = 11}, 19.5, 19.5, 11},
      // 3 units without precioTotal/precioUnitario: SALIDA at precioVenta 3×4 = 12, ENTRADA at
      // precioCompra 3×2.5 = 7.5; 4 units without costoUnitario: 4×2.5 = 10
      {"fallback only", {.movimientos = 2, .cantidad = 4, .cantidad_sin_total = 3, .cantidad_sin_costo = 4}, 12, 7.5,
       10},
      // 10 + 2×4 = 18; 10 + 2×2.5 = 15; 1.5 + 1×2.5 = 4
      {"mixed",
       {.movimientos = 3, .cantidad = 3, .total_conocido = 10, .cantidad_sin_total = 2, .costo_conocido = 1.5,
        .cantidad_sin_costo = 1},
       18, 15, 4},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_DOUBLE_EQ(SalidaTotal(c.flows, kProduct), c.salida_total);
    EXPECT_DOUBLE_EQ(EntradaTotal(c.flows, kProduct), c.entrada_total);
    EXPECT_DOUBLE_EQ(CostoTotal(c.flows, kProduct), c.costo);
  }
}

TEST(KpiFlowsTest, FlowSumsAddFieldByField) {
  FlowSums a{.movimientos = 1, .cantidad = 2, .total_conocido = 3, .cantidad_sin_total = 4, .costo_conocido = 5,
             .cantidad_sin_costo = 6};
  a += FlowSums{.movimientos = 10, .cantidad = 20, .total_conocido = 30, .cantidad_sin_total = 40,
                .costo_conocido = 50, .cantidad_sin_costo = 60};
  EXPECT_EQ(a.movimientos, 11);
  EXPECT_EQ(a.cantidad, 22);
  EXPECT_EQ(a.total_conocido, 33);
  EXPECT_EQ(a.cantidad_sin_total, 44);
  EXPECT_EQ(a.costo_conocido, 55);
  EXPECT_EQ(a.cantidad_sin_costo, 66);
}

TEST(KpiFlowsTest, SumByProductKeepsTheWindowAndOrdersById) {
  const std::vector<DailyFlows> rows = {
      {.producto_id = 9, .dia = 100, .entradas = {.cantidad = 1}, .salidas = {.cantidad = 2}},
      {.producto_id = 3, .dia = 71, .salidas = {.movimientos = 1, .cantidad = 5}},   // first day of the window
      {.producto_id = 9, .dia = 90, .salidas = {.movimientos = 2, .cantidad = 7}},
      {.producto_id = 3, .dia = 70, .salidas = {.cantidad = 1000}},   // one day too old
      {.producto_id = 4, .dia = 101, .salidas = {.cantidad = 1000}},  // future (after today)
  };
  const std::vector<ProductFlows> sums = SumByProduct(rows, LastDays(100, 30));  // days 71 … 100
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_EQ(sums[0].producto_id, 3);
  EXPECT_EQ(sums[0].salidas.cantidad, 5);
  EXPECT_EQ(sums[0].salidas.movimientos, 1);
  EXPECT_EQ(sums[1].producto_id, 9);
  EXPECT_EQ(sums[1].entradas.cantidad, 1);
  EXPECT_EQ(sums[1].salidas.cantidad, 9);  // 2 + 7
  EXPECT_EQ(sums[1].salidas.movimientos, 2);
  EXPECT_TRUE(SumByProduct({}, LastDays(100, 30)).empty());
}

TEST(KpiFlowsTest, SnapshotIndexFindsByIdAndAnswersZeroPricesOtherwise) {
  const std::vector<ProductSnapshot> products = {kProduct, {.id = 8, .precio_compra = 1, .precio_venta = 2}};
  SnapshotIndex index(products);
  EXPECT_EQ(index.Find(7).precio_venta, 4);
  EXPECT_EQ(index.Find(8).precio_compra, 1);
  EXPECT_EQ(index.Find(99).precio_compra, 0);
  EXPECT_EQ(index.Find(99).precio_venta, 0);
}

}  // namespace
}  // namespace iam::domain
