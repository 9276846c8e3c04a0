#include "domain/reorder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

namespace iam::domain {
namespace {

using Series = std::vector<std::int64_t>;
constexpr EpochDay kToday = 1000;

TEST(ReorderTest, SeriesStdDev) {
  struct Case {
    Series y;
    double expected;
  };
  const Case kCases[] = {
      {{}, 0},
      {{5}, 0},                      // T < 2
      {{4, 4}, 0},
      {{0, 2}, std::sqrt(2.0)},      // mean 1, (1 + 1)/1 = 2
      {{1, 2, 3, 4}, std::sqrt(5.0 / 3)},  // squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, /3
      {{0, 0, 0, 90}, 45},           // mean 22.5: (3·506.25 + 4556.25)/3 = 6075/3 = 2025
      {{13, 13, 13, 41}, 14},        // mean 20: (3·49 + 441)/3 = 196
      {{100'000'000'000'000, 0}, std::sqrt(5e27)},  // 2·(5e13)²/1
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::PrintToString(c.y));
    EXPECT_NEAR(SeriesStdDev(c.y), c.expected, 1e-12 * std::max(1.0, c.expected));
  }
}

TEST(ReorderTest, PredictStockout) {
  struct Case {
    const char* name;
    std::int64_t stock;
    double f;
    int horizon;
    std::optional<std::int64_t> days;  // nullopt: not listed
    double demanda = 0;
  };
  const Case kCases[] = {
      {"no stock", 0, 1, 30, std::nullopt},
      {"negative stock", -5, 1, 30, std::nullopt},
      {"no demand", 10, 0, 30, std::nullopt},
      {"exactly the horizon", 10, 1, 10, 10, 1},
      {"one day past the horizon", 10, 1, 9, std::nullopt},
      {"10/0.3 = 33.33 > 30", 10, 0.3, 30, std::nullopt},
      {"10/0.3 = 33.33 <= 34: floor 33", 10, 0.3, 34, 33, 0.3},
      // SMA 23/30 with stock 23: exactly 30 days, although 23/(23.0/30) is 29.999999999999996
      {"exact integer quotient", 23, 23.0 / 30, 30, 30, 0.77},
      {"same, horizon 29", 23, 23.0 / 30, 29, std::nullopt},
      // 9 units at 9/7 a day: exactly 7 (doubles 6.999999999999999)
      {"9/(9/7)", 9, 9.0 / 7, 7, 7, 1.29},
      // 2/1.005 = 1.99 → 1 day (listed with horizon 2, not 1); demanda 1.005 → 1.01
      {"rounded demand", 2, 1.005, 2, 1, 1.01},
      {"1.99 days, horizon 1", 2, 1.005, 1, std::nullopt},
      {"less than a day left", 3, 15.01, 1, 0, 15.01},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::optional<StockoutPrediction> p = PredictStockout(42, c.stock, c.f, c.horizon, kToday);
    ASSERT_EQ(p.has_value(), c.days.has_value());
    if (!p) continue;
    EXPECT_EQ(p->producto_id, 42);
    EXPECT_EQ(p->stock, c.stock);
    EXPECT_EQ(p->dias_hasta_quiebre, *c.days);
    EXPECT_EQ(p->fecha_estimada, kToday + *c.days);
    EXPECT_EQ(p->demanda_diaria, c.demanda);
  }
}

TEST(ReorderTest, SuggestReorder) {
  struct Case {
    const char* name;
    std::int64_t stock;
    double f;
    Series y;
    int lead;
    bool listed;
    double safety = 0, point = 0;
    std::int64_t cantidad = 0;
  };
  const Case kCases[] = {
      {"no demand", 0, 0, {0, 0}, 7, false},
      // σ = 0: point = 2·7 = 14; stock 14 <= 14; ceil(14 − 14 + 14) = 14
      {"constant series at the point", 14, 2, {2, 2, 2, 2}, 7, true, 0, 14, 14},
      {"constant series above the point", 15, 2, {2, 2, 2, 2}, 7, false},
      // ceil(14 + 5 + 14) = 33: negative stock is not clamped here
      {"negative stock", -5, 2, {2, 2, 2, 2}, 7, true, 0, 14, 33},
      // σ = 45; safety 1.6449·45·√7 = 74.0205·2.6457513 = 195.8398; point 157.5 + 195.8398 = 353.3398;
      // ceil(353.3398 − 100 + 157.5) = ceil(410.8398) = 411
      {"sma series", 100, 22.5, {0, 0, 0, 90}, 7, true, 195.84, 353.34, 411},
      // σ = 14; safety 1.6449·14·√7 = 23.0286·2.6457513 = 60.9279; point 105.07 + 60.9279 = 165.9979;
      // ceil(165.9979 − 3 + 105.07) = ceil(268.0679) = 269
      {"sba series", 3, 15.01, {13, 13, 13, 41}, 7, true, 60.93, 166, 269},
      // T = 1 → σ = 0; point 6·7 = 42; ceil(42 − 5 + 42) = 79
      {"single day", 5, 6, {6}, 7, true, 0, 42, 79},
      // L = 25, f = 1.1: point 27.5, ceil(27.5 − 0 + 27.5) = 55 (the doubles sum to 55.00000000000001)
      {"exact integer before ceil", 0, 1.1, {1, 1}, 25, true, 0, 27.5, 55},
      // L = 20, f = 0.35: point 7, stock 7 is on it; ceil(7 − 7 + 7) = 7
      {"on the point, integer quantity", 7, 0.35, {1, 1}, 20, true, 0, 7, 7},
      // L = 0: point 0; stock −3 <= 0; ceil(0 + 3 + 0) = 3
      {"zero lead time", -3, 1, {1, 1}, 0, true, 0, 0, 3},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    ReorderParams params;
    params.lead_time_days = c.lead;
    const std::optional<ReorderSuggestion> r = SuggestReorder(9, c.stock, c.f, c.y, params);
    ASSERT_EQ(r.has_value(), c.listed);
    if (!r) continue;
    EXPECT_EQ(r->producto_id, 9);
    EXPECT_EQ(r->stock, c.stock);
    EXPECT_EQ(r->stock_seguridad, c.safety);
    EXPECT_EQ(r->punto_reorden, c.point);
    EXPECT_EQ(r->cantidad_sugerida, c.cantidad);
  }
}

TEST(ReorderTest, OrderStockoutsByDaysThenId) {
  std::vector<StockoutPrediction> items = {
      {.producto_id = 2, .dias_hasta_quiebre = 5}, {.producto_id = 7, .dias_hasta_quiebre = 3},
      {.producto_id = 1, .dias_hasta_quiebre = 5}, {.producto_id = 9, .dias_hasta_quiebre = 0}};
  struct Case {
    std::size_t limit;
    std::vector<Id> ids;
  };
  const Case kCases[] = {{50, {9, 7, 1, 2}}, {2, {9, 7}}, {0, {}}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.limit);
    std::vector<StockoutPrediction> copy = items;
    OrderStockouts(copy, c.limit);
    std::vector<Id> ids;
    for (const StockoutPrediction& s : copy) ids.push_back(s.producto_id);
    EXPECT_EQ(ids, c.ids);
  }
}

TEST(ReorderTest, OrderReordersTreatsNearlyEqualKeysAsTies) {
  std::vector<ReorderSuggestion> items = {
      {.producto_id = 5, .sort_key = -10},         {.producto_id = 3, .sort_key = -10},
      {.producto_id = 9, .sort_key = -20},         {.producto_id = 1, .sort_key = 0},
      {.producto_id = 2, .sort_key = -10 + 1e-12},  // the same real value computed differently
      {.producto_id = 4, .sort_key = -10 - 1e-12},  {.producto_id = 6, .sort_key = -9.99},
  };
  struct Case {
    std::size_t limit;
    std::vector<Id> ids;
  };
  const Case kCases[] = {{50, {9, 2, 3, 4, 5, 6, 1}}, {3, {9, 2, 3}}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.limit);
    std::vector<ReorderSuggestion> copy = items;
    OrderReorders(copy, c.limit);
    std::vector<Id> ids;
    for (const ReorderSuggestion& r : copy) ids.push_back(r.producto_id);
    EXPECT_EQ(ids, c.ids);
  }
}

}  // namespace
}  // namespace iam::domain
