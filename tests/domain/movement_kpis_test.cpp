#include "domain/movement_kpis.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace iam::domain {
namespace {

constexpr EpochDay kToday = 20419;  // 2025-11-27

const std::vector<ProductSnapshot> kProducts = {
    {.id = 1, .estado = "ACTIVO", .stock = 10, .stock_minimo = 5, .precio_compra = 2.5, .precio_venta = 4},
    {.id = 2, .estado = "ELIMINADO", .stock = 0, .stock_minimo = 0, .precio_compra = 10, .precio_venta = 15},
};

TEST(MovementKpisTest, SevenDaysWithGapsFallbacksAndATie) {
  const std::vector<DailyFlows> rows = {
      {.producto_id = 1, .dia = kToday - 7, .salidas = {.movimientos = 50, .cantidad = 50}},  // one day too old
      {.producto_id = 1, .dia = kToday + 1, .salidas = {.movimientos = 50, .cantidad = 50}},  // future
      {.producto_id = 1,
       .dia = kToday - 6,
       .entradas = {.movimientos = 1, .cantidad = 10, .total_conocido = 25},
       .salidas = {.movimientos = 1, .cantidad = 2, .total_conocido = 8}},
      // SALIDA: 8 known + 1 unit at precioVenta 4 = 12
      {.producto_id = 1,
       .dia = kToday - 4,
       .salidas = {.movimientos = 2, .cantidad = 3, .total_conocido = 8, .cantidad_sin_total = 1}},
      // ENTRADA of an ELIMINADO product without prices: 5 units at precioCompra 10 = 50
      {.producto_id = 2, .dia = kToday - 4, .entradas = {.movimientos = 1, .cantidad = 5, .cantidad_sin_total = 5}},
      // a tenant-wide row (no product needed): 30.125 → 30.13
      {.producto_id = 0, .dia = kToday, .salidas = {.movimientos = 3, .cantidad = 9, .total_conocido = 30.125}},
  };
  const MovementKpis k = ComputeMovementKpis(rows, kProducts, kToday, 7);
  const DayMovements kExpected[] = {
      {kToday - 6, 10, 2, 8, 25, 8, 2}, {kToday - 5, 0, 0, 0, 0, 0, 0}, {kToday - 4, 5, 3, 2, 50, 12, 3},
      {kToday - 3, 0, 0, 0, 0, 0, 0},   {kToday - 2, 0, 0, 0, 0, 0, 0}, {kToday - 1, 0, 0, 0, 0, 0, 0},
      {kToday, 0, 9, -9, 0, 30.13, 3},
  };
  ASSERT_EQ(k.data.size(), 7u);
  for (std::size_t i = 0; i < k.data.size(); ++i) {
    SCOPED_TRACE(i);
    const DayMovements& d = k.data[i];
    const DayMovements& e = kExpected[i];
    EXPECT_EQ(d.fecha, e.fecha);
    EXPECT_EQ(d.entradas, e.entradas);
    EXPECT_EQ(d.salidas, e.salidas);
    EXPECT_EQ(d.neto, e.neto);
    EXPECT_EQ(d.valor_entradas, e.valor_entradas);
    EXPECT_EQ(d.valor_salidas, e.valor_salidas);
    EXPECT_EQ(d.movimientos, e.movimientos);
  }
  EXPECT_EQ(k.summary.total_entradas, 15);
  EXPECT_EQ(k.summary.total_salidas, 14);
  EXPECT_EQ(k.summary.total_movimientos, 8);
  EXPECT_EQ(k.summary.avg_entradas_diarias, 2.14);  // 15/7 = 2.142857…
  EXPECT_EQ(k.summary.avg_salidas_diarias, 2);      // 14/7
  EXPECT_EQ(k.summary.dia_max_actividad, kToday - 4);  // 3 movements, tied with today: earliest wins
  // h = 3: first days 2 + 0 + 3 = 5, last days 0 + 0 + 9 = 9; (9 − 5)/5 = 0.8 > 0.10
  EXPECT_EQ(k.summary.tendencia, Trend::kCreciente);
}

TEST(MovementKpisTest, EmptyWindows) {
  struct Case {
    int days;
    EpochDay first_day;
  };
  const Case kCases[] = {{1, kToday}, {2, kToday - 1}, {7, kToday - 6}, {365, kToday - 364}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.days);
    const MovementKpis k = ComputeMovementKpis({}, {}, kToday, c.days);
    ASSERT_EQ(k.data.size(), static_cast<std::size_t>(c.days));
    EXPECT_EQ(k.data.front().fecha, c.first_day);
    EXPECT_EQ(k.data.back().fecha, kToday);
    EXPECT_EQ(k.summary.total_movimientos, 0);
    EXPECT_EQ(k.summary.avg_entradas_diarias, 0);
    EXPECT_EQ(k.summary.avg_salidas_diarias, 0);
    EXPECT_EQ(k.summary.dia_max_actividad, std::nullopt);
    EXPECT_EQ(k.summary.tendencia, Trend::kEstable);
  }
}

TEST(MovementKpisTest, OneDayWindowIsStableWhateverItHolds) {
  const std::vector<DailyFlows> rows = {{.producto_id = 1, .dia = kToday, .salidas = {.movimientos = 1, .cantidad = 4}}};
  const MovementKpis k = ComputeMovementKpis(rows, kProducts, kToday, 1);
  ASSERT_EQ(k.data.size(), 1u);
  EXPECT_EQ(k.summary.dia_max_actividad, kToday);
  EXPECT_EQ(k.summary.avg_salidas_diarias, 4);
  EXPECT_EQ(k.summary.tendencia, Trend::kEstable);  // N = 1 → h = 0
}

TEST(MovementKpisTest, HalvesTrend) {
  struct Case {
    std::vector<std::int64_t> salidas;
    Trend expected;
  };
  const Case kCases[] = {
      {{}, Trend::kEstable},
      {{5}, Trend::kEstable},                 // h = 0
      {{0, 5}, Trend::kCreciente},            // a1 = 0, a2 > 0
      {{0, 0}, Trend::kEstable},              // a1 = a2 = 0
      {{10, 11}, Trend::kEstable},            // c = 0.1 exactly: not > 0.10
      {{10, 12}, Trend::kCreciente},          // 0.2
      {{10, 9}, Trend::kEstable},             // −0.1 exactly
      {{10, 8}, Trend::kDecreciente},         // −0.2
      {{10, 0}, Trend::kDecreciente},         // −1
      {{10, 1000, 11}, Trend::kEstable},      // odd N: the middle day is in neither half
      {{0, 1000, 0}, Trend::kEstable},
      {{30, 0, 0, 33}, Trend::kEstable},      // 33/30 − 1 = 0.1
      {{30, 0, 0, 34}, Trend::kCreciente},    // 4/30 = 0.133
      {{3, 3, 4, 4, 4, 3}, Trend::kEstable},  // a1 = 10/3, a2 = 11/3: c = 0.1 exactly
      // a1 = 10/5, a2 = 11/5: c = 0.1 exactly, but (2.2 − 2)/2 is 0.10000000000000009 in doubles
      {{2, 2, 2, 2, 2, 2, 2, 2, 2, 3}, Trend::kEstable},
      {{2, 2, 2, 2, 2, 2, 2, 2, 2, 4}, Trend::kCreciente},  // 12 vs 10: 0.2
      {{3, 3, 4, 9, 4, 4, 3}, Trend::kEstable},
      {{7, 7, 7, 7, 7, 7, 6}, Trend::kEstable},  // 20 vs 21: −1/21
      {{0, 0, 1, 0, 0}, Trend::kEstable},        // odd N with all sales in the middle day
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::PrintToString(c.salidas));
    EXPECT_EQ(HalvesTrend(c.salidas), c.expected);
  }
}

TEST(MovementKpisTest, SalesTrend) {
  struct Case {
    std::int64_t a, b;
    std::optional<double> pct;
    Trend expected;
  };
  const Case kCases[] = {
      {0, 0, std::nullopt, Trend::kEstable},      {5, 0, std::nullopt, Trend::kCreciente},
      {110, 100, 10, Trend::kEstable},            {111, 100, 11, Trend::kCreciente},
      {90, 100, -10, Trend::kEstable},            {89, 100, -11, Trend::kDecreciente},
      {0, 100, -100, Trend::kDecreciente},        {1, 3, -66.67, Trend::kDecreciente},  // −2/3×100 = −66.666…
      {2, 3, -33.33, Trend::kDecreciente},        {1001, 910, 10, Trend::kEstable},     // 91/910 = 0.1 exactly
      {2, 1, 100, Trend::kCreciente},             {7, 7, 0, Trend::kEstable},
      {37, 33, 12.12, Trend::kCreciente},  // 4/33×100 = 12.1212…
      {77, 70, 10, Trend::kEstable},       // 7/70 = 0.1 exactly: decided on integers (10·7 = 70)
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.a << " vs " << c.b);
    const SalesTrend t = ComputeSalesTrend(c.a, c.b);
    EXPECT_EQ(t.unidades_actual, c.a);
    EXPECT_EQ(t.unidades_anterior, c.b);
    EXPECT_EQ(t.porcentaje_cambio, c.pct);
    EXPECT_EQ(t.tendencia, c.expected);
  }
}

TEST(MovementKpisTest, SalesTrendWindowsFromDailyRows) {
  const EpochDay today = 200;
  const std::vector<DailyFlows> rows = {
      {.dia = 200, .salidas = {.cantidad = 5}},   {.dia = 141, .salidas = {.cantidad = 1}},  // today−59: current
      {.dia = 140, .salidas = {.cantidad = 2}},                                              // today−60: previous
      {.dia = 81, .salidas = {.cantidad = 4}},                                               // today−119: previous
      {.dia = 80, .salidas = {.cantidad = 100}},  {.dia = 201, .salidas = {.cantidad = 100}},  // outside, future
      {.dia = 150, .entradas = {.cantidad = 100}},                                           // ENTRADA: ignored
  };
  const SalesTrend t = ComputeSalesTrend(rows, today);
  EXPECT_EQ(t.unidades_actual, 6);    // 5 + 1
  EXPECT_EQ(t.unidades_anterior, 6);  // 2 + 4
  EXPECT_EQ(t.porcentaje_cambio, 0.0);
  EXPECT_EQ(t.tendencia, Trend::kEstable);
}

TEST(MovementKpisTest, TrendNames) {
  EXPECT_EQ(TrendName(Trend::kCreciente), "CRECIENTE");
  EXPECT_EQ(TrendName(Trend::kDecreciente), "DECRECIENTE");
  EXPECT_EQ(TrendName(Trend::kEstable), "ESTABLE");
}

}  // namespace
}  // namespace iam::domain
