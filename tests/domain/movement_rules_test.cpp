#include "domain/movement_rules.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace iam::domain {
namespace {

constexpr double kCompra = 10.0;
constexpr double kVenta = 15.5;

struct PriceCase {
  const char* name;
  PriceRequest request;
  bool valid;
  double precio_unitario;
  double precio_total;
  const char* tipo_precio;
};

const PriceCase kPriceCases[] = {
    {"entrada defaults to precioCompra", {"ENTRADA", 3, {}, {}, {}}, true, 10.0, 30.0, "COMPRA"},
    {"salida defaults to precioVenta", {"SALIDA", 2, {}, {}, {}}, true, 15.5, 31.0, "VENTA"},
    {"unit price given", {"SALIDA", 4, 2.5, {}, {}}, true, 2.5, 10.0, "VENTA"},
    {"only total given divides", {"ENTRADA", 4, {}, 10.0, {}}, true, 2.5, 10.0, "COMPRA"},
    {"only total, not exact", {"ENTRADA", 3, {}, 10.0, {}}, true, 10.0 / 3, 10.0, "COMPRA"},
    {"both given, equal", {"ENTRADA", 3, 2.0, 6.0, {}}, true, 2.0, 6.0, "COMPRA"},
    {"both given, within 0.01", {"ENTRADA", 3, 3.333, 10.0, {}}, true, 3.333, 10.0, "COMPRA"},
    {"both given, 0.01 apart is accepted", {"ENTRADA", 3, 3.33, 10.0, {}}, true, 3.33, 10.0, "COMPRA"},
    {"both given, 0.011 apart", {"ENTRADA", 1, 5.0, 5.011, {}}, false, 0, 0, ""},
    {"both given, far apart", {"SALIDA", 1, 5.0, 7.0, {}}, false, 0, 0, ""},
    {"total rounded to cents", {"ENTRADA", 3, 0.1, {}, {}}, true, 0.1, 0.3, "COMPRA"},
    {"tipoPrecio VENTA on entrada uses precioVenta", {"ENTRADA", 2, {}, {}, "VENTA"}, true, 15.5, 31.0, "VENTA"},
    {"tipoPrecio COMPRA on salida uses precioCompra", {"SALIDA", 2, {}, {}, "COMPRA"}, true, 10.0, 20.0, "COMPRA"},
    {"AJUSTE follows tipo (salida)", {"SALIDA", 1, {}, {}, "AJUSTE"}, true, 15.5, 15.5, "AJUSTE"},
    {"AJUSTE follows tipo (entrada)", {"ENTRADA", 1, {}, {}, "AJUSTE"}, true, 10.0, 10.0, "AJUSTE"},
    {"zero prices are prices", {"SALIDA", 5, 0.0, {}, {}}, true, 0.0, 0.0, "VENTA"},
    {"large consistent pair", {"ENTRADA", 999999, 1e9, 999999e9, {}}, true, 1e9, 999999e9, "COMPRA"},
};

TEST(MovementRulesTest, PriceDefaultsAndReconciliation) {
  for (const auto& c : kPriceCases) {
    SCOPED_TRACE(c.name);
    auto checked = CheckPrices(c.request);
    ASSERT_EQ(checked.has_value(), c.valid);
    if (!c.valid) {
      EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidArgument);
      EXPECT_NE(checked.error().message.find("precioTotal"), std::string::npos);
      continue;
    }
    auto p = ResolvePrices(c.request, kCompra, kVenta);
    EXPECT_DOUBLE_EQ(p.precio_unitario, c.precio_unitario);
    EXPECT_DOUBLE_EQ(p.precio_total, c.precio_total);
    EXPECT_EQ(p.tipo_precio, c.tipo_precio);
    EXPECT_DOUBLE_EQ(p.costo_unitario, kCompra) << "always the product's current precioCompra";
  }
}

TEST(MovementRulesTest, RoundMoneyIsHalfAwayFromZero) {
  struct Case {
    double in, out;
  };
  const Case kCases[] = {{0.125, 0.13}, {-0.125, -0.13}, {2.675000001, 2.68}, {1.004, 1.0}, {0.30000000000000004, 0.3}};
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.in);
    EXPECT_DOUBLE_EQ(RoundMoney(c.in), c.out);
  }
}

TEST(MovementRulesTest, FechaDefaultsToNowAndIsAtMostOneDayAhead) {
  constexpr std::int64_t kNow = 1'764'201'600'000;
  struct Case {
    const char* name;
    std::optional<std::int64_t> fecha;
    bool valid;
    std::int64_t expected;
  };
  const Case kCases[] = {
      {"absent → now", std::nullopt, true, kNow},
      {"past kept", kNow - 86'400'000 * 30LL, true, kNow - 86'400'000 * 30LL},
      {"exactly now + 1 day", kNow + kMaxFechaAheadMs, true, kNow + kMaxFechaAheadMs},
      {"1 ms beyond", kNow + kMaxFechaAheadMs + 1, false, 0},
      {"a year ahead", kNow + 365LL * 86'400'000, false, 0},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto f = ResolveFecha(c.fecha, kNow);
    ASSERT_EQ(f.has_value(), c.valid);
    if (c.valid) EXPECT_EQ(*f, c.expected);
    else EXPECT_NE(f.error().message.find("fecha"), std::string::npos);
  }
}

TEST(MovementRulesTest, StockDeltaOfRecordDeleteRestore) {
  struct Case {
    const char* tipo;
    StockOp op;
    std::int64_t expected;
  };
  const Case kCases[] = {
      {"ENTRADA", StockOp::kRecord, 7},  {"SALIDA", StockOp::kRecord, -7},  {"ENTRADA", StockOp::kDelete, -7},
      {"SALIDA", StockOp::kDelete, 7},   {"ENTRADA", StockOp::kRestore, 7}, {"SALIDA", StockOp::kRestore, -7},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.tipo) + " op " + std::to_string(static_cast<int>(c.op)));
    EXPECT_EQ(StockDelta(c.tipo, 7, c.op), c.expected);
  }
}

TEST(MovementRulesTest, ApplyStockDeltaNeverGoesNegativeOrOverflows) {
  struct Case {
    std::int64_t stock, delta;
    bool valid;
    std::int64_t expected;
    const char* code;
  };
  const Case kCases[] = {
      {10, -10, true, 0, ""},
      {10, -11, false, 0, "STOCK_INSUFICIENTE"},
      {0, -1, false, 0, "STOCK_INSUFICIENTE"},
      {0, 5, true, 5, ""},
      {kMaxStock - 1, 1, true, kMaxStock, ""},
      {kMaxStock, 1, false, 0, "STOCK_MAXIMO"},
      {-3, 2, true, -1, ""},   // legacy negative stock: an entrada is never refused for it
      {-3, -1, false, 0, "STOCK_INSUFICIENTE"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::to_string(c.stock) + " + " + std::to_string(c.delta));
    auto r = ApplyStockDelta(c.stock, c.delta);
    ASSERT_EQ(r.has_value(), c.valid);
    if (c.valid) {
      EXPECT_EQ(*r, c.expected);
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
      EXPECT_EQ(r.error().code, c.code);
    }
  }
}

}  // namespace
}  // namespace iam::domain
