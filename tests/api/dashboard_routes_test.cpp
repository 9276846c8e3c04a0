// /dashboard-cqrs/* over both backends: every field of kpis, financial-kpis (month), product-kpis
// and movement-kpis, and the structure plus demand / stock-out / reorder figures of predictive-kpis,
// against values computed by hand below (kpis.md formulas, the arithmetic in the comments); plus
// parameter validation, roles, tenancy, the X-Cache header, and aggregates kept exact by the
// triggers when movements are inserted and updated with plain SQL.
//
// Data is written straight into the database at fixed days relative to today (UTC): d(k) = today − k,
// at 12:00 UTC (today's rows at 00:00:01 UTC, so never in the future). A run straddling UTC midnight
// could see a different `today`; the window for that is a few milliseconds.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "api/harness/api_harness.hpp"
#include "domain/kpi_window.hpp"
#include "domain/time_format.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using test::HttpResult;

constexpr std::int64_t kDayMs = 86'400'000;

class DashboardRoutesTest : public test::ApiTest {
 protected:
  void SetUp() override {
    test::ApiTest::SetUp();
    if (!h) return;
    now_ms = NowMs();
    today_ms = now_ms - now_ms % kDayMs;  // 00:00 UTC of today
    t = h->CreateTenant("Acme");
  }

  // "YYYY-MM-DD" of today − k.
  std::string DayStr(std::int64_t k) const { return FormatDay(today_ms - k * kDayMs); }
  // ISO timestamp of d(k): 12:00 UTC, or 00:00:01 UTC for today.
  std::string At(std::int64_t k) const {
    return FormatIsoMs(k == 0 ? today_ms + 1000 : today_ms - k * kDayMs + 12 * 3600 * 1000);
  }

  std::int64_t Product(std::int64_t empresa, const std::string& nombre, const std::string& estado, std::int64_t stock,
                       std::int64_t minimo, double compra, double venta, std::int64_t created_days_ago = 200) {
    auto rows = h->Sql(
        R"(INSERT INTO "Producto" ("nombre", "precioCompra", "precioVenta", "empresaId", "actualizadoEn", "creadoEn",
                                   "stock", "stockMinimo", "estado")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING "id")",
        {store::Param(nombre), store::Param(compra), store::Param(venta), store::Param(empresa),
         store::Param(FormatIsoMs(now_ms)), store::Param(At(created_days_ago)), store::Param(stock),
         store::Param(minimo), store::Param(estado)});
    return rows[0].Int(0);
  }

  static store::Param Opt(std::optional<double> v) { return v ? store::Param(*v) : store::Param(nullptr); }

  std::int64_t Movement(std::int64_t empresa, std::int64_t producto, const std::string& tipo, std::int64_t cantidad,
                        std::int64_t days_ago, std::optional<double> unitario, std::optional<double> total,
                        std::optional<double> costo, const std::string& estado = "ACTIVO") {
    auto rows = h->Sql(
        R"(INSERT INTO "MovimientoInventario" ("cantidad", "productoId", "fecha", "tipo", "empresaId", "estado",
                                               "precioUnitario", "precioTotal", "costoUnitario")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING "id")",
        {store::Param(cantidad), store::Param(producto), store::Param(At(days_ago)), store::Param(tipo),
         store::Param(empresa), store::Param(estado), Opt(unitario), Opt(total), Opt(costo)});
    return rows[0].Int(0);
  }

  // The main tenant:
  //   P1 ACTIVO   stock 50, min 10, compra 10, venta 15
  //   P2 ACTIVO   stock  5, min 10, compra 20, venta 30   (BAJO)
  //   P3 ACTIVO   stock  0, min  5, compra  4, venta  4   (AGOTADO)
  //   P4 INACTIVO stock  7, min  1, compra 100, venta 200
  //   P5 ELIMINADO stock 3, min  1, compra  8, venta  9
  //   P6 ACTIVO   stock 10, min  0, compra  0, venta  5
  // Movements (all ACTIVO unless said):
  //   M1  P1 SALIDA   4 d2   pu 15  pt 60   cu 10
  //   M2  P1 ENTRADA 10 d2   pu 10  pt 100  cu 10
  //   M3  P2 SALIDA   3 d5   pu 30  pt 90   cu 18
  //   M4  P1 SALIDA   6 d20  pu 14  pt 84   cu 9.5
  //   M5  P2 SALIDA   2 d40  pu 30  pt 60   cu 20
  //   M6  P1 SALIDA   5 d100 pu 15  pt 75   cu 10
  //   M7  P1 SALIDA   2 d1   pt 1000  ELIMINADO (never counts)
  //   M8  P2 SALIDA   1 d1   legacy: pu, pt, cu NULL → total 1×venta 30, cost 1×compra 20
  //   M9  P3 ENTRADA  2 d0   legacy: NULL prices → value 2×compra 4 = 8
  //   M10 P4 SALIDA   1 d2   pu 200 pt 200  cu 100 (INACTIVO product: its movement still counts)
  void BuildMainTenant() {
    const auto e = t.empresa_id;
    p1 = Product(e, "P1", "ACTIVO", 50, 10, 10, 15);
    p2 = Product(e, "P2", "ACTIVO", 5, 10, 20, 30);
    p3 = Product(e, "P3", "ACTIVO", 0, 5, 4, 4);
    p4 = Product(e, "P4", "INACTIVO", 7, 1, 100, 200);
    p5 = Product(e, "P5", "ELIMINADO", 3, 1, 8, 9);
    p6 = Product(e, "P6", "ACTIVO", 10, 0, 0, 5);
    Movement(e, p1, "SALIDA", 4, 2, 15, 60, 10);
    Movement(e, p1, "ENTRADA", 10, 2, 10, 100, 10);
    Movement(e, p2, "SALIDA", 3, 5, 30, 90, 18);
    Movement(e, p1, "SALIDA", 6, 20, 14, 84, 9.5);
    Movement(e, p2, "SALIDA", 2, 40, 30, 60, 20);
    Movement(e, p1, "SALIDA", 5, 100, 15, 75, 10);
    Movement(e, p1, "SALIDA", 2, 1, 500, 1000, 10, "ELIMINADO");
    Movement(e, p2, "SALIDA", 1, 1, std::nullopt, std::nullopt, std::nullopt);
    Movement(e, p3, "ENTRADA", 2, 0, std::nullopt, std::nullopt, std::nullopt);
    Movement(e, p4, "SALIDA", 1, 2, 200, 200, 100);
  }

  // Always recomputed (forceRefresh): these tests write with plain SQL, which SQLite does not
  // announce to the cache; caching itself is tested in dashboard_cache_test.cpp.
  json::object GetOk(const std::string& target, const std::string& token = {}) {
    const std::string fresh =
        target.find("forceRefresh") != std::string::npos
            ? target
            : target + (target.find('?') == std::string::npos ? "?" : "&") + "forceRefresh=true";
    HttpResult r = h->Get(fresh, token.empty() ? t.admin.token : token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.Header("x-cache"), "BYPASS") << target;
    return r.json.is_object() ? r.json.as_object() : json::object{};
  }

  static double Num(const json::value& v) { return v.to_number<double>(); }
  static std::int64_t Int(const json::value& v) { return v.to_number<std::int64_t>(); }
  static void ExpectTimestamp(const json::object& o) {
    ASSERT_TRUE(o.contains("timestamp"));
    EXPECT_TRUE(ParseTimestampMs(o.at("timestamp").as_string()).has_value()) << o.at("timestamp");
  }

  test::TenantFixture t;
  std::int64_t now_ms = 0, today_ms = 0;
  std::int64_t p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0;
};

TEST_P(DashboardRoutesTest, KpisEveryField) {
  BuildMainTenant();
  auto k = GetOk("/dashboard-cqrs/kpis");
  // ACTIVO or INACTIVO: P1, P2, P3, P4, P6.
  EXPECT_EQ(Int(k.at("totalProductos")), 5);
  // ACTIVO with stock <= min: P2 (5 <= 10), P3 (0 <= 5).
  EXPECT_EQ(Int(k.at("productosStockBajo")), 2);
  // ACTIVO with stock <= 0: P3.
  EXPECT_EQ(Int(k.at("productosAgotados")), 1);
  // d0..d29, ACTIVO: M1, M2, M3, M4, M8, M9, M10 (M5 d40, M6 d100 outside; M7 ELIMINADO).
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 7);
  // 50×10 + 5×20 + 0×4 + 10×0 = 600 (P4 INACTIVO, P5 ELIMINADO not counted).
  EXPECT_DOUBLE_EQ(Num(k.at("valorTotalInventario")), 600);
  // 50×15 + 5×30 + 0×4 + 10×5 = 950.
  EXPECT_DOUBLE_EQ(Num(k.at("valorVentaInventario")), 950);
  // P1 (15−10)/10×100 = 50, P2 (30−20)/20×100 = 50, P3 0; P6 has compra 0: (50+50+0)/3 = 33.333… → 33.33.
  EXPECT_DOUBLE_EQ(Num(k.at("margenPromedio")), 33.33);
  // COGS30 = M1 4×10 + M3 3×18 + M4 6×9.5 + M8 1×20 (legacy: compra of P2) + M10 1×100
  //        = 40 + 54 + 57 + 20 + 100 = 271; 271 / 600 = 0.4516… → 0.45.
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0.45);
  ExpectTimestamp(k);
  EXPECT_EQ(k.size(), 9u);
}

TEST_P(DashboardRoutesTest, FinancialKpisMonthEveryField) {
  BuildMainTenant();
  auto f = GetOk("/dashboard-cqrs/financial-kpis?period=month");
  EXPECT_EQ(f.at("periodo").as_string(), "month");
  EXPECT_EQ(Int(f.at("dias")), 30);
  // SALIDA in d0..d29: M1 60 + M3 90 + M4 84 + M8 30 (legacy: 1×venta 30) + M10 200 = 464.
  EXPECT_DOUBLE_EQ(Num(f.at("ingresos")), 464);
  // As COGS30 above: 271.
  EXPECT_DOUBLE_EQ(Num(f.at("costoVentas")), 271);
  // 464 − 271 = 193.
  EXPECT_DOUBLE_EQ(Num(f.at("utilidadBruta")), 193);
  // 193 / 464 × 100 = 41.5948… → 41.59.
  EXPECT_DOUBLE_EQ(Num(f.at("margenBruto")), 41.59);
  EXPECT_DOUBLE_EQ(Num(f.at("capitalTrabajo")), 600);
  // 600 × 0.02 × 30/30 = 12.
  EXPECT_DOUBLE_EQ(Num(f.at("costoAlmacenamiento")), 12);
  // 600 × 0.08 × 30/365 = 1440/365 = 3.9452… → 3.95.
  EXPECT_DOUBLE_EQ(Num(f.at("costoOportunidad")), 3.95);
  // (193 − 12 − 3.945205…) / 464 × 100 = 177.054794… / 4.64 = 38.1583… → 38.16.
  EXPECT_DOUBLE_EQ(Num(f.at("margenNeto")), 38.16);
  // 193 / 600 × 100 = 32.1666… → 32.17.
  EXPECT_DOUBLE_EQ(Num(f.at("roiInventario")), 32.17);
  // 271 / 600 = 0.4516… → 0.45.
  EXPECT_DOUBLE_EQ(Num(f.at("rotacionInventario")), 0.45);
  // 600 / 271 × 30 = 66.4206… → 66.42.
  EXPECT_DOUBLE_EQ(Num(f.at("diasInventario")), 66.42);
  // T = 4 ACTIVO (P1, P2, P3, P6), B = 2 → A = 50. U = 4 + 3 + 6 + 1 + 1 = 15, I = 50 + 5 + 0 + 10 = 65,
  // R = 15/65 × 100 = 23.0769…; 0.6×50 + 0.4×23.0769… = 39.2307… → 39.23.
  EXPECT_DOUBLE_EQ(Num(f.at("eficienciaOperativa")), 39.23);
  ExpectTimestamp(f);
  EXPECT_EQ(f.size(), 15u);

  // Default period is month; week narrows the window to d0..d6.
  auto def = GetOk("/dashboard-cqrs/financial-kpis");
  EXPECT_EQ(def.at("periodo").as_string(), "month");
  EXPECT_DOUBLE_EQ(Num(def.at("ingresos")), 464);
  auto week = GetOk("/dashboard-cqrs/financial-kpis?period=week");
  EXPECT_EQ(Int(week.at("dias")), 7);
  // M1 60 + M3 90 + M8 30 + M10 200 = 380; cost 40 + 54 + 20 + 100 = 214.
  EXPECT_DOUBLE_EQ(Num(week.at("ingresos")), 380);
  EXPECT_DOUBLE_EQ(Num(week.at("costoVentas")), 214);
  // 600 × 0.02 × 7/30 = 2.8.
  EXPECT_DOUBLE_EQ(Num(week.at("costoAlmacenamiento")), 2.8);
  // U is still the last 30 days whatever D: same 39.23.
  EXPECT_DOUBLE_EQ(Num(week.at("eficienciaOperativa")), 39.23);
}

TEST_P(DashboardRoutesTest, ProductKpisEveryField) {
  BuildMainTenant();
  auto k = GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(p1));
  EXPECT_EQ(Int(k.at("productoId")), p1);
  EXPECT_EQ(k.at("nombre").as_string(), "P1");
  EXPECT_EQ(k.at("estado").as_string(), "ACTIVO");
  EXPECT_EQ(Int(k.at("stock")), 50);
  EXPECT_EQ(Int(k.at("stockMinimo")), 10);
  EXPECT_DOUBLE_EQ(Num(k.at("precioCompra")), 10);
  EXPECT_DOUBLE_EQ(Num(k.at("precioVenta")), 15);
  EXPECT_DOUBLE_EQ(Num(k.at("valorStock")), 500);  // 50 × 10
  EXPECT_EQ(Int(k.at("entradas30")), 10);           // M2
  EXPECT_EQ(Int(k.at("salidas30")), 10);            // M1 4 + M4 6 (M7 ELIMINADO, M6 d100)
  EXPECT_DOUBLE_EQ(Num(k.at("ingresos30")), 144);   // 60 + 84
  EXPECT_DOUBLE_EQ(Num(k.at("costoVentas30")), 97);  // 4×10 + 6×9.5
  EXPECT_DOUBLE_EQ(Num(k.at("margen30")), 32.64);   // 47/144×100 = 32.638…
  EXPECT_DOUBLE_EQ(Num(k.at("demandaDiaria")), 0.33);  // 10/30
  EXPECT_DOUBLE_EQ(Num(k.at("diasCobertura")), 150);   // 50 / (10/30)
  // M1/M2 at d2 12:00; M7 (d1) is ELIMINADO.
  EXPECT_EQ(k.at("ultimoMovimiento").as_string(), At(2));
  EXPECT_EQ(k.at("estadoStock").as_string(), "NORMAL");
  ExpectTimestamp(k);
  EXPECT_EQ(k.size(), 18u);

  // P2, with a legacy movement: salidas 3 (M3) + 1 (M8) = 4; ingresos 90 + 1×30 = 120; cost 54 + 1×20 = 74;
  // margen 46/120×100 = 38.33; demanda 4/30 = 0.133… → 0.13; cobertura 5 / (4/30) = 37.5.
  auto k2 = GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(p2));
  EXPECT_DOUBLE_EQ(Num(k2.at("valorStock")), 100);
  EXPECT_EQ(Int(k2.at("entradas30")), 0);
  EXPECT_EQ(Int(k2.at("salidas30")), 4);
  EXPECT_DOUBLE_EQ(Num(k2.at("ingresos30")), 120);
  EXPECT_DOUBLE_EQ(Num(k2.at("costoVentas30")), 74);
  EXPECT_DOUBLE_EQ(Num(k2.at("margen30")), 38.33);
  EXPECT_DOUBLE_EQ(Num(k2.at("demandaDiaria")), 0.13);
  EXPECT_DOUBLE_EQ(Num(k2.at("diasCobertura")), 37.5);
  EXPECT_EQ(k2.at("ultimoMovimiento").as_string(), At(1));
  EXPECT_EQ(k2.at("estadoStock").as_string(), "BAJO");

  // P5 ELIMINADO: any state is served; no movements → nulls and zeros.
  auto k5 = GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(p5));
  EXPECT_EQ(k5.at("estado").as_string(), "ELIMINADO");
  EXPECT_DOUBLE_EQ(Num(k5.at("valorStock")), 24);  // 3 × 8
  EXPECT_EQ(Int(k5.at("salidas30")), 0);
  EXPECT_DOUBLE_EQ(Num(k5.at("margen30")), 0);
  EXPECT_DOUBLE_EQ(Num(k5.at("demandaDiaria")), 0);
  EXPECT_TRUE(k5.at("diasCobertura").is_null());
  EXPECT_TRUE(k5.at("ultimoMovimiento").is_null());

  // P3 (stock 0): AGOTADO, one legacy ENTRADA today.
  auto k3 = GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(p3));
  EXPECT_EQ(k3.at("estadoStock").as_string(), "AGOTADO");
  EXPECT_EQ(Int(k3.at("entradas30")), 2);
  EXPECT_EQ(k3.at("ultimoMovimiento").as_string(), At(0));
}

TEST_P(DashboardRoutesTest, MovementKpisSevenDaysAndOne) {
  BuildMainTenant();
  for (const std::string path : {"/dashboard-cqrs/movement-kpis?days=7", "/dashboard-cqrs/daily-movements",
                                 "/dashboard-cqrs/movement-kpis"}) {
    SCOPED_TRACE(path);
    auto k = GetOk(path);
    const auto& data = k.at("data").as_array();
    ASSERT_EQ(data.size(), 7u);
    // {days ago, entradas, salidas, valorEntradas, valorSalidas, movimientos}
    struct Day { int ago; std::int64_t e, s; double ve, vs; std::int64_t m; };
    const Day expected[] = {
        {6, 0, 0, 0, 0, 0},
        {5, 0, 3, 0, 90, 1},         // M3
        {4, 0, 0, 0, 0, 0},
        {3, 0, 0, 0, 0, 0},
        {2, 10, 5, 100, 260, 3},     // M2 E10 (100); M1 S4 (60) + M10 S1 (200)
        {1, 0, 1, 0, 30, 1},         // M8 legacy 1×30 (M7 ELIMINADO)
        {0, 2, 0, 8, 0, 1},          // M9 legacy 2×compra 4
    };
    for (std::size_t i = 0; i < 7; ++i) {
      const auto& d = data[i].as_object();
      const Day& x = expected[i];
      SCOPED_TRACE(i);
      EXPECT_EQ(d.at("fecha").as_string(), DayStr(x.ago));
      EXPECT_EQ(Int(d.at("entradas")), x.e);
      EXPECT_EQ(Int(d.at("salidas")), x.s);
      EXPECT_EQ(Int(d.at("neto")), x.e - x.s);
      EXPECT_DOUBLE_EQ(Num(d.at("valorEntradas")), x.ve);
      EXPECT_DOUBLE_EQ(Num(d.at("valorSalidas")), x.vs);
      EXPECT_EQ(Int(d.at("movimientos")), x.m);
      EXPECT_EQ(d.size(), 7u);
    }
    const auto& s = k.at("summary").as_object();
    EXPECT_EQ(Int(s.at("totalEntradas")), 12);     // 10 + 2
    EXPECT_EQ(Int(s.at("totalSalidas")), 9);       // 3 + 5 + 1
    EXPECT_EQ(Int(s.at("totalMovimientos")), 6);   // 1 + 3 + 1 + 1
    EXPECT_DOUBLE_EQ(Num(s.at("avgEntradasDiarias")), 1.71);  // 12/7 = 1.714…
    EXPECT_DOUBLE_EQ(Num(s.at("avgSalidasDiarias")), 1.29);   // 9/7 = 1.2857…
    EXPECT_EQ(s.at("diaMaxActividad").as_string(), DayStr(2));
    // h = 3: first d6..d4 salidas 3, last d2..d0 salidas 6: (6−3)/3 = 1 > 0.10.
    EXPECT_EQ(s.at("tendencia").as_string(), "CRECIENTE");
    EXPECT_EQ(s.size(), 7u);
    ExpectTimestamp(k);
  }

  auto one = GetOk("/dashboard-cqrs/movement-kpis?days=1");
  const auto& data = one.at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  const auto& d = data[0].as_object();
  EXPECT_EQ(d.at("fecha").as_string(), DayStr(0));
  EXPECT_EQ(Int(d.at("entradas")), 2);
  EXPECT_EQ(Int(d.at("salidas")), 0);
  EXPECT_EQ(Int(d.at("neto")), 2);
  EXPECT_DOUBLE_EQ(Num(d.at("valorEntradas")), 8);
  EXPECT_DOUBLE_EQ(Num(d.at("valorSalidas")), 0);
  EXPECT_EQ(Int(d.at("movimientos")), 1);
  const auto& s = one.at("summary").as_object();
  EXPECT_EQ(Int(s.at("totalEntradas")), 2);
  EXPECT_EQ(Int(s.at("totalSalidas")), 0);
  EXPECT_EQ(Int(s.at("totalMovimientos")), 1);
  EXPECT_DOUBLE_EQ(Num(s.at("avgEntradasDiarias")), 2);
  EXPECT_DOUBLE_EQ(Num(s.at("avgSalidasDiarias")), 0);
  EXPECT_EQ(s.at("diaMaxActividad").as_string(), DayStr(0));
  EXPECT_EQ(s.at("tendencia").as_string(), "ESTABLE");  // h = 0
}

TEST_P(DashboardRoutesTest, MovementKpisEmptyTenant) {
  auto k = GetOk("/dashboard-cqrs/movement-kpis?days=3");
  ASSERT_EQ(k.at("data").as_array().size(), 3u);
  const auto& s = k.at("summary").as_object();
  EXPECT_EQ(Int(s.at("totalMovimientos")), 0);
  EXPECT_TRUE(s.at("diaMaxActividad").is_null());
  EXPECT_EQ(s.at("tendencia").as_string(), "ESTABLE");
}

TEST_P(DashboardRoutesTest, PredictiveKpisMainTenant) {
  BuildMainTenant();
  auto k = GetOk("/dashboard-cqrs/predictive-kpis");
  EXPECT_EQ(Int(k.at("horizonteDias")), 30);
  // Series of 180 days (created 200 days ago), position of d(k) = 180 − k.
  // P1: d100 5 (pos 80), d20 6 (pos 160), d2 4 (pos 178); n = 3, adi = 60, non-zero 5, 6, 4: mean 5,
  //   s² = (0 + 1 + 1)/2 = 1, cv2 = 1/25 = 0.04 → INTERMITTENT → SBA:
  //   z = 5, p = 80; (q = 80) z = 5.1, p = 80; (q = 18) z = 4.99, p = 73.8; f = 0.95×4.99/73.8 = 0.06423…
  //   → 0.06, ×30 = 1.927… → 1.93. 180-day units 15.
  // P2: d40 2 (140), d5 3 (175), d1 1 (179, legacy); mean 2, s² = 1, cv2 = 0.25, adi 60 → INTERMITTENT:
  //   z = 2, p = 140; (q = 35) z = 2.1, p = 129.5; (q = 4) z = 1.99, p = 116.95; f = 1.8905/116.95 = 0.01616…
  //   → 0.02, ×30 = 0.4849… → 0.48. Units 6. P3, P6: no units, left out. P4 INACTIVO: not forecast.
  const auto& demanda = k.at("prediccionDemanda").as_array();
  ASSERT_EQ(demanda.size(), 2u);
  const auto& d1 = demanda[0].as_object();
  EXPECT_EQ(Int(d1.at("productoId")), p1);
  EXPECT_EQ(d1.at("nombre").as_string(), "P1");
  EXPECT_EQ(d1.at("metodo").as_string(), "SBA");
  EXPECT_EQ(d1.at("clasificacion").as_string(), "INTERMITTENT");
  EXPECT_DOUBLE_EQ(Num(d1.at("alpha")), 0.1);
  EXPECT_DOUBLE_EQ(Num(d1.at("adi")), 60);
  EXPECT_DOUBLE_EQ(Num(d1.at("cv2")), 0.04);
  EXPECT_DOUBLE_EQ(Num(d1.at("demandaDiaria")), 0.06);
  EXPECT_DOUBLE_EQ(Num(d1.at("demandaEstimada")), 1.93);
  const auto& d2 = demanda[1].as_object();
  EXPECT_EQ(Int(d2.at("productoId")), p2);
  EXPECT_DOUBLE_EQ(Num(d2.at("cv2")), 0.25);
  EXPECT_DOUBLE_EQ(Num(d2.at("demandaDiaria")), 0.02);
  EXPECT_DOUBLE_EQ(Num(d2.at("demandaEstimada")), 0.48);
  // P1: 50 / 0.0642 ≈ 778 days, P2: 5 / 0.0162 ≈ 309 days: both beyond 30.
  EXPECT_TRUE(k.at("prediccionQuiebres").as_array().empty());
  // P1: σ² = (77 − 180·(1/12)²)/179 = 0.4232, σ = 0.6505, SS = 1.6449·σ·√7 = 2.83, PR ≈ 3.28 < 50.
  // P2: σ² = (14 − 0.2)/179, σ = 0.2777, SS = 1.21, PR ≈ 1.32 < 5. Neither listed.
  EXPECT_TRUE(k.at("reorden").as_array().empty());
  // a = SALIDA units d0..d59: 4 + 3 + 6 + 2 + 1 + 1 (M10 of the INACTIVO product) = 17; b = d60..d119: 5.
  // (17 − 5)/5 × 100 = 240 → CRECIENTE.
  const auto& tv = k.at("tendenciasVentas").as_object();
  EXPECT_EQ(Int(tv.at("unidadesActual")), 17);
  EXPECT_EQ(Int(tv.at("unidadesAnterior")), 5);
  EXPECT_DOUBLE_EQ(Num(tv.at("porcentajeCambio")), 240);
  EXPECT_EQ(tv.at("tendencia").as_string(), "CRECIENTE");
  ExpectTimestamp(k);
  EXPECT_EQ(k.size(), 6u);
}

TEST_P(DashboardRoutesTest, PredictiveKpisStockoutsAndReorders) {
  const auto e = t.empresa_id;
  // Q1: created d3 (T = 4), SALIDA 2 on each of d3, d2, d1, d0; stock 6.
  //   n = 4, adi = 1, cv2 = 0 → SMOOTH → SES: every α keeps ℓ = 2 with SSE 0; tie → α = 0.05; f = 2.
  //   Stock-out: 6/2 = 3 <= 30 → diasHastaQuiebre 3, fecha today + 3.
  //   Reorder: σ = 0, SS = 0, PR = 2×7 = 14 >= 6 → cantidad = ceil(14 − 6 + 14) = 22; key 6 − 14 = −8.
  // Q2: created 200 days ago, stock 10, SALIDA d10 3 (pos 170), d4 1 (pos 176): n = 2, adi = 90,
  //   mean 2, s² = 2, cv2 = 0.5 → LUMPY → SBA: z = 3, p = 170; (q = 6) z = 2.8, p = 153.6;
  //   f = 0.95×2.8/153.6 = 0.017317… → 0.02, ×30 = 0.5195… → 0.52. 10/f ≈ 577 > 30: no stock-out.
  //   σ² = (10 − 16/180)/179, σ = 0.2353, SS = 1.0241, PR = 0.1212 + 1.0241 = 1.1453 < 10: no reorder.
  // Q3: created 200 days ago, stock 0, SALIDA d1 5: n = 1 → SMA, INSUFFICIENT_DATA, f = 5/180 = 0.02777…
  //   → 0.03, ×30 = 0.8333… → 0.83. No stock-out (stock 0). σ² = (25 − 25/180)/179 = 25/180, σ = 0.372678,
  //   SS = 1.6449·0.372678·√7 = 1.62189… → 1.62; PR = 7·5/180 + 1.62189 = 1.81634… → 1.82;
  //   cantidad = ceil(1.81634 − 0 + 0.19444) = ceil(2.0108) = 3; key −1.816.
  const auto q1 = Product(e, "Q1", "ACTIVO", 6, 0, 1, 2, 3);
  const auto q2 = Product(e, "Q2", "ACTIVO", 10, 0, 1, 2);
  const auto q3 = Product(e, "Q3", "ACTIVO", 0, 0, 1, 2);
  for (int d : {3, 2, 1, 0}) Movement(e, q1, "SALIDA", 2, d, 2, 4, 1);
  Movement(e, q2, "SALIDA", 3, 10, 2, 6, 1);
  Movement(e, q2, "SALIDA", 1, 4, 2, 2, 1);
  Movement(e, q3, "SALIDA", 5, 1, 2, 10, 1);

  auto k = GetOk("/dashboard-cqrs/predictive-kpis?days=30&forceRefresh=true");
  // Top by units: Q1 8, Q3 5, Q2 4.
  const auto& demanda = k.at("prediccionDemanda").as_array();
  ASSERT_EQ(demanda.size(), 3u);
  const auto& a = demanda[0].as_object();
  EXPECT_EQ(Int(a.at("productoId")), q1);
  EXPECT_EQ(a.at("metodo").as_string(), "SES");
  EXPECT_EQ(a.at("clasificacion").as_string(), "SMOOTH");
  EXPECT_DOUBLE_EQ(Num(a.at("alpha")), 0.05);
  EXPECT_DOUBLE_EQ(Num(a.at("adi")), 1);
  EXPECT_DOUBLE_EQ(Num(a.at("cv2")), 0);
  EXPECT_DOUBLE_EQ(Num(a.at("demandaDiaria")), 2);
  EXPECT_DOUBLE_EQ(Num(a.at("demandaEstimada")), 60);
  const auto& b = demanda[1].as_object();
  EXPECT_EQ(Int(b.at("productoId")), q3);
  EXPECT_EQ(b.at("metodo").as_string(), "SMA");
  EXPECT_EQ(b.at("clasificacion").as_string(), "INSUFFICIENT_DATA");
  EXPECT_TRUE(b.at("alpha").is_null());
  EXPECT_TRUE(b.at("adi").is_null());
  EXPECT_TRUE(b.at("cv2").is_null());
  EXPECT_DOUBLE_EQ(Num(b.at("demandaDiaria")), 0.03);
  EXPECT_DOUBLE_EQ(Num(b.at("demandaEstimada")), 0.83);
  const auto& c = demanda[2].as_object();
  EXPECT_EQ(Int(c.at("productoId")), q2);
  EXPECT_EQ(c.at("metodo").as_string(), "SBA");
  EXPECT_EQ(c.at("clasificacion").as_string(), "LUMPY");
  EXPECT_DOUBLE_EQ(Num(c.at("alpha")), 0.1);
  EXPECT_DOUBLE_EQ(Num(c.at("adi")), 90);
  EXPECT_DOUBLE_EQ(Num(c.at("cv2")), 0.5);
  EXPECT_DOUBLE_EQ(Num(c.at("demandaDiaria")), 0.02);
  EXPECT_DOUBLE_EQ(Num(c.at("demandaEstimada")), 0.52);

  const auto& quiebres = k.at("prediccionQuiebres").as_array();
  ASSERT_EQ(quiebres.size(), 1u);
  const auto& q = quiebres[0].as_object();
  EXPECT_EQ(Int(q.at("productoId")), q1);
  EXPECT_EQ(q.at("nombre").as_string(), "Q1");
  EXPECT_EQ(Int(q.at("stock")), 6);
  EXPECT_DOUBLE_EQ(Num(q.at("demandaDiaria")), 2);
  EXPECT_EQ(Int(q.at("diasHastaQuiebre")), 3);
  EXPECT_EQ(q.at("fechaEstimada").as_string(), DayStr(-3));

  const auto& reorden = k.at("reorden").as_array();
  ASSERT_EQ(reorden.size(), 2u);
  const auto& r1 = reorden[0].as_object();  // key −8 before −1.816
  EXPECT_EQ(Int(r1.at("productoId")), q1);
  EXPECT_EQ(r1.at("nombre").as_string(), "Q1");
  EXPECT_EQ(Int(r1.at("stock")), 6);
  EXPECT_DOUBLE_EQ(Num(r1.at("demandaDiaria")), 2);
  EXPECT_DOUBLE_EQ(Num(r1.at("stockSeguridad")), 0);
  EXPECT_DOUBLE_EQ(Num(r1.at("puntoReorden")), 14);
  EXPECT_EQ(Int(r1.at("cantidadSugerida")), 22);
  const auto& r2 = reorden[1].as_object();
  EXPECT_EQ(Int(r2.at("productoId")), q3);
  EXPECT_EQ(Int(r2.at("stock")), 0);
  EXPECT_DOUBLE_EQ(Num(r2.at("demandaDiaria")), 0.03);
  EXPECT_DOUBLE_EQ(Num(r2.at("stockSeguridad")), 1.62);
  EXPECT_DOUBLE_EQ(Num(r2.at("puntoReorden")), 1.82);
  EXPECT_EQ(Int(r2.at("cantidadSugerida")), 3);

  // a = 8 + 4 + 5 = 17, b = 0 → porcentajeCambio null, CRECIENTE.
  const auto& tv = k.at("tendenciasVentas").as_object();
  EXPECT_EQ(Int(tv.at("unidadesActual")), 17);
  EXPECT_EQ(Int(tv.at("unidadesAnterior")), 0);
  EXPECT_TRUE(tv.at("porcentajeCambio").is_null());
  EXPECT_EQ(tv.at("tendencia").as_string(), "CRECIENTE");

  // Horizon 2: 6/2 = 3 > 2 → no stock-out; demandaEstimada of Q1 = 2 × 2 = 4.
  auto k2 = GetOk("/dashboard-cqrs/predictive-kpis?days=2");
  EXPECT_EQ(Int(k2.at("horizonteDias")), 2);
  EXPECT_TRUE(k2.at("prediccionQuiebres").as_array().empty());
  EXPECT_DOUBLE_EQ(Num(k2.at("prediccionDemanda").as_array()[0].at("demandaEstimada")), 4);
}

TEST_P(DashboardRoutesTest, AllKpisByRole) {
  BuildMainTenant();
  auto all = GetOk("/dashboard-cqrs/all-kpis?forceRefresh=true");
  EXPECT_EQ(Int(all.at("kpis").at("totalProductos")), 5);
  ASSERT_TRUE(all.at("financialKpis").is_object());
  EXPECT_EQ(all.at("financialKpis").at("periodo").as_string(), "month");
  EXPECT_DOUBLE_EQ(Num(all.at("financialKpis").at("ingresos")), 464);
  EXPECT_EQ(all.at("movementKpis").at("data").as_array().size(), 7u);
  EXPECT_EQ(Int(all.at("movementKpis").at("summary").at("totalMovimientos")), 6);
  EXPECT_EQ(Int(all.at("predictiveKpis").at("horizonteDias")), 30);
  EXPECT_EQ(all.at("predictiveKpis").at("prediccionDemanda").as_array().size(), 2u);
  ExpectTimestamp(all);
  EXPECT_EQ(all.size(), 5u);

  auto emp = GetOk("/dashboard-cqrs/all-kpis", t.empleado.token);
  EXPECT_TRUE(emp.at("financialKpis").is_null());
  EXPECT_EQ(Int(emp.at("kpis").at("movimientosUltimoMes")), 7);
}

TEST_P(DashboardRoutesTest, Roles) {
  BuildMainTenant();
  const std::string pid = std::to_string(p1);
  const std::vector<std::string> paths = {"/dashboard-cqrs/kpis", "/dashboard-cqrs/financial-kpis",
                                          "/dashboard-cqrs/product-kpis/" + pid,
                                          "/dashboard-cqrs/movement-kpis",
                                          "/dashboard-cqrs/daily-movements",
                                          "/dashboard-cqrs/predictive-kpis",
                                          "/dashboard-cqrs/all-kpis"};
  for (const std::string& path : paths) {
    EXPECT_EQ(h->Get(path, t.proveedor.token).status, 403) << path;
    EXPECT_EQ(h->Get(path).status, 401) << path;
    const int empleado = path == "/dashboard-cqrs/financial-kpis" ? 403 : 200;
    EXPECT_EQ(h->Get(path, t.empleado.token).status, empleado) << path;
  }
}

TEST_P(DashboardRoutesTest, ParameterValidation) {
  for (const std::string path : {"/dashboard-cqrs/movement-kpis", "/dashboard-cqrs/daily-movements",
                                 "/dashboard-cqrs/predictive-kpis"}) {
    for (const std::string bad : {"0", "366", "x", "-1", "1.5"}) {
      auto r = h->Get(path + "?days=" + bad, t.admin.token);
      EXPECT_EQ(r.status, 400) << path << " days=" << bad << ": " << r.body;
    }
    EXPECT_EQ(h->Get(path + "?days=365", t.admin.token).status, 200) << path;
    EXPECT_EQ(h->Get(path + "?days=1", t.admin.token).status, 200) << path;
  }
  EXPECT_EQ(GetOk("/dashboard-cqrs/movement-kpis?days=365").at("data").as_array().size(), 365u);
  EXPECT_EQ(h->Get("/dashboard-cqrs/financial-kpis?period=decade", t.admin.token).status, 400);
  for (const std::string p : {"week", "month", "quarter", "year"}) {
    auto f = GetOk("/dashboard-cqrs/financial-kpis?period=" + p);
    EXPECT_EQ(f.at("periodo").as_string(), p);
  }
  EXPECT_EQ(Int(GetOk("/dashboard-cqrs/financial-kpis?period=quarter").at("dias")), 90);
  EXPECT_EQ(Int(GetOk("/dashboard-cqrs/financial-kpis?period=year").at("dias")), 365);
  EXPECT_EQ(h->Get("/dashboard-cqrs/product-kpis/abc", t.admin.token).status, 400);
  // forceRefresh is accepted everywhere.
  GetOk("/dashboard-cqrs/kpis?forceRefresh=true");
  GetOk("/dashboard-cqrs/financial-kpis?period=week&forceRefresh=true");
}

TEST_P(DashboardRoutesTest, OtherTenantsProductIsNotFound) {
  BuildMainTenant();
  auto other = h->CreateTenant("Other");
  const auto theirs = Product(other.empresa_id, "X", "ACTIVO", 1, 0, 1, 1);
  EXPECT_EQ(h->Get("/dashboard-cqrs/product-kpis/" + std::to_string(theirs), t.admin.token).status, 404);
  EXPECT_EQ(h->Get("/dashboard-cqrs/product-kpis/999999", t.admin.token).status, 404);
  // And the other tenant sees none of ours.
  auto k = GetOk("/dashboard-cqrs/kpis", other.admin.token);
  EXPECT_EQ(Int(k.at("totalProductos")), 1);
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 0);
  EXPECT_EQ(h->Get("/dashboard-cqrs/product-kpis/" + std::to_string(p1), other.admin.token).status, 404);
}

TEST_P(DashboardRoutesTest, PlainSqlWritesAreReflected) {
  const auto e = t.empresa_id;
  // R: stock 10, compra 10, venta 20 → valorTotalInventario 100.
  const auto r = Product(e, "R", "ACTIVO", 10, 0, 10, 20);
  auto k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 0);
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0);

  // INSERT SALIDA 2 at d1, cu 10: COGS30 20 → 20/100 = 0.2.
  const auto m = Movement(e, r, "SALIDA", 2, 1, 20, 40, 10);
  k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 1);
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0.2);

  // UPDATE cantidad 5, precioTotal 100: COGS30 50 → 0.5; ingresos 100.
  h->Sql(R"(UPDATE "MovimientoInventario" SET "cantidad" = 5, "precioTotal" = 100 WHERE "id" = $1)", {m});
  k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0.5);
  EXPECT_DOUBLE_EQ(Num(GetOk("/dashboard-cqrs/financial-kpis").at("ingresos")), 100);
  auto day = GetOk("/dashboard-cqrs/movement-kpis?days=2").at("data").as_array()[0].as_object();
  EXPECT_EQ(Int(day.at("salidas")), 5);
  EXPECT_DOUBLE_EQ(Num(day.at("valorSalidas")), 100);

  // UPDATE to a legacy row (NULL prices): valued at the product's prices: 5×10 = 50 cost, 5×20 = 100 total.
  h->Sql(R"(UPDATE "MovimientoInventario" SET "precioTotal" = NULL, "precioUnitario" = NULL, "costoUnitario" = NULL
            WHERE "id" = $1)",
         {m});
  EXPECT_DOUBLE_EQ(Num(GetOk("/dashboard-cqrs/kpis").at("rotacionInventario")), 0.5);
  // The price change is seen at read time: compra 12 → value 120, cost 5×12 = 60 → 0.5; venta 30 → 150.
  h->Sql(R"(UPDATE "Producto" SET "precioCompra" = 12, "precioVenta" = 30 WHERE "id" = $1)", {r});
  k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_DOUBLE_EQ(Num(k.at("valorTotalInventario")), 120);
  EXPECT_DOUBLE_EQ(Num(GetOk("/dashboard-cqrs/financial-kpis").at("ingresos")), 150);

  // UPDATE fecha to d40: out of the 30 days.
  h->Sql(R"(UPDATE "MovimientoInventario" SET "fecha" = $1 WHERE "id" = $2)", {store::Param(At(40)), m});
  k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 0);
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0);
  EXPECT_DOUBLE_EQ(Num(GetOk("/dashboard-cqrs/financial-kpis?period=quarter").at("costoVentas")), 60);

  // Back to d3 but ELIMINADO: still nothing; then ACTIVO again; then DELETE.
  h->Sql(R"(UPDATE "MovimientoInventario" SET "fecha" = $1, "estado" = 'ELIMINADO' WHERE "id" = $2)",
         {store::Param(At(3)), m});
  EXPECT_EQ(Int(GetOk("/dashboard-cqrs/kpis").at("movimientosUltimoMes")), 0);
  EXPECT_TRUE(GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(r)).at("ultimoMovimiento").is_null());
  h->Sql(R"(UPDATE "MovimientoInventario" SET "estado" = 'ACTIVO' WHERE "id" = $1)", {m});
  k = GetOk("/dashboard-cqrs/kpis");
  EXPECT_EQ(Int(k.at("movimientosUltimoMes")), 1);
  EXPECT_DOUBLE_EQ(Num(k.at("rotacionInventario")), 0.5);
  EXPECT_EQ(GetOk("/dashboard-cqrs/product-kpis/" + std::to_string(r)).at("ultimoMovimiento").as_string(), At(3));
  h->Sql(R"(DELETE FROM "MovimientoInventario" WHERE "id" = $1)", {m});
  EXPECT_EQ(Int(GetOk("/dashboard-cqrs/kpis").at("movimientosUltimoMes")), 0);
}

IAM_API_BACKENDS(DashboardRoutesTest);

}  // namespace
}  // namespace iam::api
