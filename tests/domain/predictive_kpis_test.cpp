#include "domain/predictive_kpis.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace iam::domain {
namespace {

constexpr EpochDay kToday = 1000;

ProductSnapshot Activo(Id id, std::int64_t stock) {
  return {.id = id, .estado = "ACTIVO", .stock = stock, .stock_minimo = 0, .precio_compra = 1, .precio_venta = 2};
}

std::vector<PredictiveProduct> Catalogue() {
  return {
      // T = 4 (created 3 days ago): [13, 13, 13, 41] → ERRATIC, SBA f = 15.01; 80 units
      {Activo(1, 3), 997, {{997, 13}, {998, 13}, {999, 13}, {1000, 41}}},
      // T = 180, one sale of 90 → SMA f = 0.5; 90 units
      {Activo(2, 1000), 0, {{1000, 90}}},
      // not ACTIVO: left out everywhere, whatever it sells
      {{.id = 3, .estado = "INACTIVO", .stock = 0}, 0, {{999, 500}, {1000, 500}}},
      // created after today → T = 1, series [6] → SMA f = 6; the sale of day 990 predates creadoEn:
      // out of the series but in the 180-day units (6 + 4 = 10)
      {Activo(4, 5), 1005, {{990, 4}, {1000, 6}}},
      // no sales: f = 0, 0 units
      {Activo(5, 0), 0, {}},
      // T = 180, 45 on days 179 and 180 → INTERMITTENT (adi 90, cv2 0), SBA:
      // z = 45, p = 179, then q = 1: p = 179 + 0.1·(1 − 179) = 161.2; f = 42.75/161.2 = 0.265198…;
      // 90 units: ties with product 2, smaller id first
      {Activo(6, 0), 0, {{999, 45}, {1000, 45}, {820, 1000}}},  // day 820 is outside the 180 days
  };
}

TEST(PredictiveKpisTest, SelectionForecastsStockoutsAndReorders) {
  const std::vector<PredictiveProduct> products = Catalogue();
  const PredictiveKpis k = ComputePredictiveKpis(products, 30, kToday);

  struct DemandRow {
    Id id;
    ForecastMethod metodo;
    DemandClass clase;
    std::optional<double> alpha, adi, cv2;
    double f, estimada;
  };
  const DemandRow kDemand[] = {
      {2, ForecastMethod::kSma, DemandClass::kInsufficientData, {}, {}, {}, 0.5, 15},                // 0.5·30
      {6, ForecastMethod::kSba, DemandClass::kIntermittent, 0.1, 90, 0, 0.27, 7.96},  // 0.265198…·30 = 7.95596
      {1, ForecastMethod::kSba, DemandClass::kErratic, 0.1, 1, 0.49, 15.01, 450.3},   // 15.01·30
      {4, ForecastMethod::kSma, DemandClass::kInsufficientData, {}, {}, {}, 6, 180},
  };
  ASSERT_EQ(k.prediccion_demanda.size(), std::size(kDemand));
  for (std::size_t i = 0; i < std::size(kDemand); ++i) {
    SCOPED_TRACE(i);
    const DemandPrediction& p = k.prediccion_demanda[i];
    const DemandRow& e = kDemand[i];
    EXPECT_EQ(p.producto_id, e.id);
    EXPECT_EQ(p.metodo, e.metodo);
    EXPECT_EQ(p.clasificacion, e.clase);
    EXPECT_EQ(p.alpha, e.alpha);
    EXPECT_EQ(p.adi, e.adi);
    EXPECT_EQ(p.cv2, e.cv2);
    EXPECT_EQ(p.demanda_diaria, e.f);
    EXPECT_EQ(p.demanda_estimada, e.estimada);
  }

  // Stock-outs: product 1: 3/15.01 = 0.1999 → 0 days; product 4: 5/6 → 0 days; product 2: 1000/0.5
  // = 2000 > 30; products 5 and 6 have no stock. Ordered by days then id.
  ASSERT_EQ(k.prediccion_quiebres.size(), 2u);
  EXPECT_EQ(k.prediccion_quiebres[0].producto_id, 1);
  EXPECT_EQ(k.prediccion_quiebres[0].dias_hasta_quiebre, 0);
  EXPECT_EQ(k.prediccion_quiebres[0].fecha_estimada, kToday);
  EXPECT_EQ(k.prediccion_quiebres[1].producto_id, 4);
  EXPECT_EQ(k.prediccion_quiebres[1].demanda_diaria, 6);

  // Reorders (L = 7): product 1: point 165.9979, key 3 − 165.9979 = −162.9979, quantity 269;
  // product 4: σ = 0 (T = 1), point 42, key −37, quantity ceil(42 − 5 + 42) = 79;
  // product 6: σ² = (180·4050 − 90²)/(180·179) = 720 900/32 220 = 22.3743, σ = 4.730148;
  //   safety 1.6449·4.730148·√7 = 20.5856; point 7·0.265199 + 20.5856 = 1.856390 + 20.5856 = 22.44198;
  //   key −22.44; quantity ceil(22.44198 + 1.85639) = ceil(24.2984) = 25;
  // product 2: σ = √45 = 6.7082, safety 29.1941, point 3.5 + 29.1941 = 32.69 < stock 1000: not listed.
  struct ReorderRow {
    Id id;
    double safety, point;
    std::int64_t cantidad;
  };
  const ReorderRow kReorder[] = {{1, 60.93, 166, 269}, {4, 0, 42, 79}, {6, 20.59, 22.44, 25}};
  ASSERT_EQ(k.reorden.size(), std::size(kReorder));
  for (std::size_t i = 0; i < std::size(kReorder); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(k.reorden[i].producto_id, kReorder[i].id);
    EXPECT_EQ(k.reorden[i].stock_seguridad, kReorder[i].safety);
    EXPECT_EQ(k.reorden[i].punto_reorden, kReorder[i].point);
    EXPECT_EQ(k.reorden[i].cantidad_sugerida, kReorder[i].cantidad);
  }
}

TEST(PredictiveKpisTest, TopTenByUnitsThenId) {
  // Products 1…12 sell 12, 11, …, 1 units except that 11 and 12 sell as much as product 3 (10);
  // expected order: 1 (12), 2 (11), then the 10-unit tie 3, 11, 12 by id, then 4 (9) … 8 (5).
  std::vector<PredictiveProduct> products;
  for (Id id = 1; id <= 12; ++id) {
    const std::int64_t units = id >= 11 ? 10 : 13 - id;
    products.push_back({Activo(id, 1000), 0, {{kToday, units}}});
  }
  const PredictiveKpis k = ComputePredictiveKpis(products, 30, kToday);
  std::vector<Id> ids;
  for (const DemandPrediction& p : k.prediccion_demanda) ids.push_back(p.producto_id);
  EXPECT_EQ(ids, (std::vector<Id>{1, 2, 3, 11, 12, 4, 5, 6, 7, 8}));
}

TEST(PredictiveKpisTest, EmptyCatalogueAndUnits) {
  const PredictiveKpis k = ComputePredictiveKpis(std::span<const PredictiveProduct>{}, 30, kToday);
  EXPECT_TRUE(k.prediccion_demanda.empty());
  EXPECT_TRUE(k.prediccion_quiebres.empty());
  EXPECT_TRUE(k.reorden.empty());
  const std::vector<DailyUnits> rows = {{821, 1}, {820, 10}, {1000, 100}, {1001, 1000}};
  EXPECT_EQ(UnitsLast180(rows, kToday), 101);  // days 821 … 1000
}

TEST(PredictiveKpisTest, AnalyzeDemandPerProduct) {
  // Product 6 of the catalogue: 90 units in the window (day 820 is outside), σ² = 720 900/32 220,
  // SBA f = 42.75/161.2.
  const std::vector<DailyUnits> sales = {{999, 45}, {1000, 45}, {820, 1000}};
  const DemandAnalysis a = AnalyzeDemand(sales, 0, kToday);
  EXPECT_EQ(a.units_180, 90);
  EXPECT_NEAR(a.sigma, 4.730148, 1e-6);
  EXPECT_EQ(a.forecast.metodo, ForecastMethod::kSba);
  EXPECT_EQ(a.forecast.clasificacion, DemandClass::kIntermittent);
  EXPECT_NEAR(a.forecast.demanda_diaria, 42.75 / 161.2, 1e-12);
  // Created after today: T = 1, σ = 0, but the 180-day units still count the earlier sale.
  const DemandAnalysis b = AnalyzeDemand(std::vector<DailyUnits>{{990, 4}, {1000, 6}}, 1005, kToday);
  EXPECT_EQ(b.units_180, 10);
  EXPECT_EQ(b.sigma, 0);
  EXPECT_EQ(b.forecast.demanda_diaria, 6);
}

TEST(PredictiveKpisTest, FromAnalysesEqualsFromSales) {
  // The kept-analysis path (what predictive-kpis reads from iam_product_demand) gives exactly the
  // result of the from-sales path, for every field.
  const std::vector<PredictiveProduct> products = Catalogue();
  std::vector<AnalyzedProduct> analyzed;
  for (const PredictiveProduct& p : products)
    analyzed.push_back({p.producto, AnalyzeDemand(p.salidas, p.creado_en, kToday)});
  for (int horizon : {1, 7, 30, 365}) {
    SCOPED_TRACE(horizon);
    const PredictiveKpis a = ComputePredictiveKpis(products, horizon, kToday);
    const PredictiveKpis b = ComputePredictiveKpis(analyzed, horizon, kToday);
    ASSERT_EQ(a.prediccion_demanda.size(), b.prediccion_demanda.size());
    for (std::size_t i = 0; i < a.prediccion_demanda.size(); ++i) {
      EXPECT_EQ(a.prediccion_demanda[i].producto_id, b.prediccion_demanda[i].producto_id);
      EXPECT_EQ(a.prediccion_demanda[i].demanda_estimada, b.prediccion_demanda[i].demanda_estimada);
    }
    ASSERT_EQ(a.prediccion_quiebres.size(), b.prediccion_quiebres.size());
    for (std::size_t i = 0; i < a.prediccion_quiebres.size(); ++i)
      EXPECT_EQ(a.prediccion_quiebres[i].dias_hasta_quiebre, b.prediccion_quiebres[i].dias_hasta_quiebre);
    ASSERT_EQ(a.reorden.size(), b.reorden.size());
    for (std::size_t i = 0; i < a.reorden.size(); ++i) {
      EXPECT_EQ(a.reorden[i].producto_id, b.reorden[i].producto_id);
      EXPECT_EQ(a.reorden[i].punto_reorden, b.reorden[i].punto_reorden);
      EXPECT_EQ(a.reorden[i].cantidad_sugerida, b.reorden[i].cantidad_sugerida);
    }
  }
}

}  // namespace
}  // namespace iam::domain
