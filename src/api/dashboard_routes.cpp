// /dashboard-cqrs/* (api.md "Dashboard", formulas in kpis.md): thin handlers over the pure KPI math
// of domain/{inventory,movement,predictive}_kpis fed from the daily flow aggregates
// (store/flow_repository.hpp, store/kpi_queries.hpp) and the Producto table: never a scan of the
// movement ledger. Answers go through the cache (cache/cache.hpp) as serialized JSON, keyed by
// category, tenant and every parameter; on a miss the reads, the math and the serialization run on
// the blocking pool with one leased connection. `forceRefresh=true` recomputes and replaces.
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "api/detail/store_call.hpp"
#include "api/endpoint.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "cache/cache.hpp"
#include "http/json_writer.hpp"
#include "domain/inventory_kpis.hpp"
#include "domain/kpi_window.hpp"
#include "domain/movement_kpis.hpp"
#include "domain/predictive_kpis.hpp"
#include "domain/time_format.hpp"
#include "store/demand_analyses.hpp"
#include "store/flow_repository.hpp"
#include "store/kpi_queries.hpp"
#include "store/product_repository.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;
using domain::EpochDay;
using domain::ProductSnapshot;
using Snapshots = std::span<const ProductSnapshot>;

constexpr int kDefaultMovementDays = 7;
constexpr int kDefaultHorizon = 30;
constexpr std::string_view kDefaultPeriod = "month";
constexpr std::array<std::string_view, 4> kPeriods = {"week", "month", "quarter", "year"};

// `today` and `timestamp` of one computation, taken once so every part of all-kpis agrees.
struct Clock {
  EpochDay today = 0;
  std::string timestamp;
  static Clock Now() {
    const std::int64_t now = NowMs();
    return Clock{domain::DayOfMs(now), FormatIsoMs(now)};
  }
};

json::value OrNull(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }
std::string Day(EpochDay d) { return domain::FormatEpochDay(d); }

// ---- kpis ----

Result<json::object> Kpis(store::Connection& c, domain::Id empresa, Snapshots products, const Clock& clock) {
  const domain::DayWindow w = domain::LastDays(clock.today, 30);
  auto rows = store::ReadTenantDailyFlows(c, empresa, w.first, w.last);
  if (!rows) return Fail(rows.error());
  const auto k = domain::ComputeInventoryKpis(products, domain::SumByProduct(*rows, w));
  return json::object{{"totalProductos", k.total_productos},
                      {"productosStockBajo", k.productos_stock_bajo},
                      {"productosAgotados", k.productos_agotados},
                      {"movimientosUltimoMes", k.movimientos_ultimo_mes},
                      {"valorTotalInventario", k.valor_total_inventario},
                      {"valorVentaInventario", k.valor_venta_inventario},
                      {"margenPromedio", k.margen_promedio},
                      {"rotacionInventario", k.rotacion_inventario},
                      {"timestamp", clock.timestamp}};
}

// ---- financial-kpis ----

Result<json::object> Financial(store::Connection& c, domain::Id empresa, Snapshots products, std::string_view period,
                               const Clock& clock) {
  auto dias = domain::PeriodDays(period);
  if (!dias) return Fail(dias.error());
  const domain::DayWindow window = domain::LastDays(clock.today, *dias);
  const domain::DayWindow last30 = domain::LastDays(clock.today, 30);
  // One read covering both the period window and the 30 days of U.
  auto rows = store::ReadTenantDailyFlows(c, empresa, std::min(window.first, last30.first), clock.today);
  if (!rows) return Fail(rows.error());
  std::int64_t units_30 = 0;
  for (const auto& r : *rows)
    if (last30.Contains(r.dia)) units_30 += r.salidas.cantidad;
  const auto flows = domain::SumByProduct(*rows, window);
  const auto k = domain::ComputeFinancialKpis(
      products, domain::FinancialInputs{.dias = *dias, .window = flows, .unidades_salida_30 = units_30});
  return json::object{{"periodo", period},
                      {"dias", k.dias},
                      {"ingresos", k.ingresos},
                      {"costoVentas", k.costo_ventas},
                      {"utilidadBruta", k.utilidad_bruta},
                      {"margenBruto", k.margen_bruto},
                      {"capitalTrabajo", k.capital_trabajo},
                      {"costoAlmacenamiento", k.costo_almacenamiento},
                      {"costoOportunidad", k.costo_oportunidad},
                      {"margenNeto", k.margen_neto},
                      {"roiInventario", k.roi_inventario},
                      {"rotacionInventario", k.rotacion_inventario},
                      {"diasInventario", k.dias_inventario},
                      {"eficienciaOperativa", k.eficiencia_operativa},
                      {"timestamp", clock.timestamp}};
}

// ---- movement-kpis ----

Result<json::object> Movements(store::Connection& c, domain::Id empresa, Snapshots products, int days,
                               const Clock& clock) {
  const domain::DayWindow w = domain::LastDays(clock.today, days);
  auto rows = store::ReadTenantDailyFlows(c, empresa, w.first, w.last);
  if (!rows) return Fail(rows.error());
  const auto k = domain::ComputeMovementKpis(*rows, products, clock.today, days);
  json::array data;
  data.reserve(k.data.size());
  for (const auto& d : k.data) {
    data.emplace_back(json::object{{"fecha", Day(d.fecha)},
                                   {"entradas", d.entradas},
                                   {"salidas", d.salidas},
                                   {"neto", d.neto},
                                   {"valorEntradas", d.valor_entradas},
                                   {"valorSalidas", d.valor_salidas},
                                   {"movimientos", d.movimientos}});
  }
  const auto& s = k.summary;
  json::object summary{{"totalEntradas", s.total_entradas},
                       {"totalSalidas", s.total_salidas},
                       {"totalMovimientos", s.total_movimientos},
                       {"avgEntradasDiarias", s.avg_entradas_diarias},
                       {"avgSalidasDiarias", s.avg_salidas_diarias},
                       {"diaMaxActividad", s.dia_max_actividad ? json::value(Day(*s.dia_max_actividad))
                                                               : json::value(nullptr)},
                       {"tendencia", domain::TrendName(s.tendencia)}};
  return json::object{{"data", std::move(data)}, {"summary", std::move(summary)}, {"timestamp", clock.timestamp}};
}

// ---- predictive-kpis ----

Result<json::object> Predictive(store::Connection& c, domain::Id empresa, Snapshots products, int horizon,
                                const Clock& clock) {
  auto labels = store::ReadProductLabels(c, empresa);
  if (!labels) return Fail(labels.error());
  std::unordered_map<domain::Id, const store::ProductLabel*> label_of;
  std::unordered_map<domain::Id, domain::EpochDay> creado_en;
  label_of.reserve(labels->size());
  creado_en.reserve(labels->size());
  for (const auto& l : *labels) {
    label_of.emplace(l.id, &l);
    creado_en.emplace(l.id, l.creado_en);
  }
  // Each ACTIVO product's demand analysis, kept per product and recomputed only when its sales,
  // its creadoEn or the day changed (store/demand_analyses.hpp): O(products) rows, not one per
  // product-day of sales.
  auto analyzed = store::LoadDemandAnalyses(c, empresa, products, creado_en, clock.today);
  if (!analyzed) return Fail(analyzed.error());
  auto units_actual = store::ReadTenantSalidaUnits(c, empresa, clock.today - 59, clock.today);
  if (!units_actual) return Fail(units_actual.error());
  auto units_anterior = store::ReadTenantSalidaUnits(c, empresa, clock.today - 119, clock.today - 60);
  if (!units_anterior) return Fail(units_anterior.error());
  const auto k = domain::ComputePredictiveKpis(std::span<const domain::AnalyzedProduct>(*analyzed), horizon, clock.today);
  const auto trend = domain::ComputeSalesTrend(*units_actual, *units_anterior);

  auto nombre = [&](domain::Id id) -> json::value {
    auto it = label_of.find(id);
    return it != label_of.end() ? json::value(it->second->nombre) : json::value(nullptr);
  };
  json::array demanda, quiebres, reorden;
  for (const auto& d : k.prediccion_demanda) {
    demanda.emplace_back(json::object{{"productoId", d.producto_id},
                                      {"nombre", nombre(d.producto_id)},
                                      {"metodo", domain::ForecastMethodName(d.metodo)},
                                      {"clasificacion", domain::DemandClassName(d.clasificacion)},
                                      {"alpha", OrNull(d.alpha)},
                                      {"adi", OrNull(d.adi)},
                                      {"cv2", OrNull(d.cv2)},
                                      {"demandaDiaria", d.demanda_diaria},
                                      {"demandaEstimada", d.demanda_estimada}});
  }
  for (const auto& q : k.prediccion_quiebres) {
    quiebres.emplace_back(json::object{{"productoId", q.producto_id},
                                       {"nombre", nombre(q.producto_id)},
                                       {"stock", q.stock},
                                       {"demandaDiaria", q.demanda_diaria},
                                       {"diasHastaQuiebre", q.dias_hasta_quiebre},
                                       {"fechaEstimada", Day(q.fecha_estimada)}});
  }
  for (const auto& r : k.reorden) {
    reorden.emplace_back(json::object{{"productoId", r.producto_id},
                                      {"nombre", nombre(r.producto_id)},
                                      {"stock", r.stock},
                                      {"demandaDiaria", r.demanda_diaria},
                                      {"stockSeguridad", r.stock_seguridad},
                                      {"puntoReorden", r.punto_reorden},
                                      {"cantidadSugerida", r.cantidad_sugerida}});
  }
  json::object tendencias{{"unidadesActual", trend.unidades_actual},
                          {"unidadesAnterior", trend.unidades_anterior},
                          {"porcentajeCambio", OrNull(trend.porcentaje_cambio)},
                          {"tendencia", domain::TrendName(trend.tendencia)}};
  return json::object{{"horizonteDias", horizon},
                      {"prediccionDemanda", std::move(demanda)},
                      {"prediccionQuiebres", std::move(quiebres)},
                      {"reorden", std::move(reorden)},
                      {"tendenciasVentas", std::move(tendencias)},
                      {"timestamp", clock.timestamp}};
}

// ---- product-kpis ----

Result<json::object> ProductKpis(store::Connection& c, domain::Id empresa, domain::Id id, const Clock& clock) {
  auto p = store::FindProduct(c, empresa, id);  // any estado; another tenant's id is kNotFound
  if (!p) return Fail(p.error());
  const domain::DayWindow w = domain::LastDays(clock.today, 30);
  auto flows = store::ReadProductWindowFlows(c, empresa, id, w.first, w.last);
  if (!flows) return Fail(flows.error());
  auto last = store::ReadLastMovementMs(c, empresa, id);
  if (!last) return Fail(last.error());
  const ProductSnapshot snap{.id = p->id,
                             .estado = p->estado,
                             .stock = p->stock,
                             .stock_minimo = p->stock_minimo,
                             .precio_compra = p->precio_compra,
                             .precio_venta = p->precio_venta};
  const auto k = domain::ComputeProductKpis(snap, flows->entradas, flows->salidas);
  return json::object{{"productoId", p->id},
                      {"nombre", p->nombre},
                      {"estado", p->estado},
                      {"stock", p->stock},
                      {"stockMinimo", p->stock_minimo},
                      {"precioCompra", p->precio_compra},
                      {"precioVenta", p->precio_venta},
                      {"valorStock", k.valor_stock},
                      {"entradas30", k.entradas30},
                      {"salidas30", k.salidas30},
                      {"ingresos30", k.ingresos30},
                      {"costoVentas30", k.costo_ventas30},
                      {"margen30", k.margen30},
                      {"demandaDiaria", k.demanda_diaria},
                      {"diasCobertura", OrNull(k.dias_cobertura)},
                      {"ultimoMovimiento", *last ? json::value(FormatIsoMs(**last)) : json::value(nullptr)},
                      {"estadoStock", k.estado_stock},
                      {"timestamp", clock.timestamp}};
}

// ---- handlers ----

Result<bool> ForceRefresh(const http::RequestContext& ctx) {
  auto f = QueryBool(ctx, "forceRefresh");
  if (!f) return Fail(f.error());
  return f->value_or(false);
}

// Serves `compute(Connection&) -> Result<json::object>` through the cache under (category, tenant,
// variant). The variant is completed with today's UTC day, since every KPI window ends today: a
// value computed yesterday is never served today. The computation and its serialization run on
// the blocking pool. `compute` must capture only trivially destructible values: g++ 12 may destroy
// a coroutine's by-value argument twice (a std::string capture crashed here).
template <typename Fn>
awaitable<Result<Reply>> Cached(ApiContext& api, const http::RequestContext& ctx, cache::Category category,
                                domain::Id empresa, std::string variant, Fn compute) {
  static_assert(std::is_trivially_destructible_v<Fn>);
  auto force = ForceRefresh(ctx);
  if (!force) co_return Fail(force.error());
  variant += ";d=" + std::to_string(domain::DayOfMs(NowMs()));
  // Owning (api outlives every request; compute is copied): the cache may also call it after this
  // request, to refresh the value in the background (stale-while-revalidate, refresh-ahead).
  const cache::Cache::Factory factory = [&api, compute]() -> awaitable<Result<std::string>> {
    co_return co_await detail::WithConnection(api, [&compute](store::Connection& c) -> Result<std::string> {
      auto body = compute(c);
      if (!body) return Fail(body.error());
      return http::WriteJson(*body);
    });
  };
  // An L1 hit is answered without entering GetOrSet's coroutine (the common case).
  if (!*force)
    if (auto hit = api.cache.TryL1(co_await boost::asio::this_coro::executor, category, empresa, variant, factory))
      co_return CachedReply(std::move(*hit));
  auto served = co_await api.cache.GetOrSet(category, empresa, variant, factory, *force, factory);
  if (!served) co_return Fail(served.error());
  co_return CachedReply(std::move(*served));
}

// How a KPI reads. kOneSnapshot: all its reads in one snapshot (store::InSnapshot), since products
// and movement aggregates read by separate statements would otherwise mix states (stocks from
// before a movement, counts from after it). kPlain: on a plain connection, for predictive-kpis,
// which writes its demand analyses back in transactions of its own (store/demand_analyses.hpp).
enum class Reads { kOneSnapshot, kPlain };

// A tenant-wide KPI: `fn(Connection&, empresa, snapshots, clock) -> Result<json::object>`. Not a
// coroutine itself (one frame less per request): Cached's frame holds what it needs.
template <typename Fn>
awaitable<Result<Reply>> TenantWide(ApiContext& api, const http::RequestContext& ctx, const Principal& who,
                                    cache::Category category, std::string variant, Fn fn,
                                    Reads reads = Reads::kOneSnapshot) {
  static_assert(std::is_trivially_destructible_v<Fn>);
  const domain::Id empresa = TenantOf(who);
  return Cached(api, ctx, category, empresa, std::move(variant),
              [empresa, fn, reads](store::Connection& c) -> Result<json::object> {
                auto compute = [&](store::Connection& conn) -> Result<json::object> {
                  auto products = store::ReadProductSnapshots(conn, empresa);
                  if (!products) return Fail(products.error());
                  return fn(conn, empresa, Snapshots(*products), Clock::Now());
                };
                return reads == Reads::kOneSnapshot ? store::InSnapshot(c, compute) : compute(c);
              });
}

Result<int> DaysParam(const http::RequestContext& ctx, int fallback) {
  auto days = QueryInt(ctx, "days", 1, 365);
  if (!days) return Fail(days.error());
  return static_cast<int>(days->value_or(fallback));
}

// One of kPeriods (static storage, so handlers can capture it as a trivially destructible view).
Result<std::string_view> PeriodParam(const http::RequestContext& ctx) {
  auto period = QueryEnum(ctx, "period", kPeriods);
  if (!period) return Fail(period.error());
  if (!*period) return kDefaultPeriod;
  return *std::find(kPeriods.begin(), kPeriods.end(), **period);
}

awaitable<Result<Reply>> GetKpis(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  return TenantWide(api, ctx, who, cache::Category::kKpis, "kpis", Kpis);
}

awaitable<Result<Reply>> GetFinancial(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto period = PeriodParam(ctx);
  if (!period) co_return Fail(period.error());
  co_return co_await TenantWide(api, ctx, who, cache::Category::kFinancialKpis, "period=" + std::string(*period),
                                [period = *period](store::Connection& c, domain::Id e, Snapshots p, const Clock& k) {
                                  return Financial(c, e, p, period, k);
                                });
}

awaitable<Result<Reply>> GetMovements(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto days = DaysParam(ctx, kDefaultMovementDays);
  if (!days) co_return Fail(days.error());
  co_return co_await TenantWide(api, ctx, who, cache::Category::kMovementKpis, "days=" + std::to_string(*days),
                                [days = *days](store::Connection& c, domain::Id e, Snapshots p, const Clock& k) {
                                  return Movements(c, e, p, days, k);
                                });
}

awaitable<Result<Reply>> GetPredictive(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto days = DaysParam(ctx, kDefaultHorizon);
  if (!days) co_return Fail(days.error());
  co_return co_await TenantWide(api, ctx, who, cache::Category::kPredictiveKpis, "days=" + std::to_string(*days),
                                [days = *days](store::Connection& c, domain::Id e, Snapshots p, const Clock& k) {
                                  return Predictive(c, e, p, days, k);
                                },
                                Reads::kPlain);
}

awaitable<Result<Reply>> GetAll(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  const bool financial = std::find(kAdmins.begin(), kAdmins.end(), who.rol) != kAdmins.end();
  const domain::Id empresa = TenantOf(who);
  // kpis, financialKpis and movementKpis from one snapshot (see Reads); predictiveKpis afterwards
  // on the plain connection, from the same product snapshots.
  co_return co_await Cached(
      api, ctx, cache::Category::kKpis, empresa, financial ? "all;financial=1" : "all;financial=0",
      [empresa, financial](store::Connection& c) -> Result<json::object> {
        const Clock k = Clock::Now();
        std::vector<ProductSnapshot> products;
        json::object out;
        auto read = store::InSnapshot(c, [&](store::Connection& s) -> Result<bool> {
          auto p = store::ReadProductSnapshots(s, empresa);
          if (!p) return Fail(p.error());
          products = std::move(*p);
          auto kpis = Kpis(s, empresa, products, k);
          if (!kpis) return Fail(kpis.error());
          json::value fin = nullptr;
          if (financial) {
            auto f = Financial(s, empresa, products, kDefaultPeriod, k);
            if (!f) return Fail(f.error());
            fin = std::move(*f);
          }
          auto mov = Movements(s, empresa, products, kDefaultMovementDays, k);
          if (!mov) return Fail(mov.error());
          out = json::object{
              {"kpis", std::move(*kpis)}, {"financialKpis", std::move(fin)}, {"movementKpis", std::move(*mov)}};
          return true;
        });
        if (!read) return Fail(read.error());
        auto pred = Predictive(c, empresa, products, kDefaultHorizon, k);
        if (!pred) return Fail(pred.error());
        out["predictiveKpis"] = std::move(*pred);
        out["timestamp"] = k.timestamp;
        return out;
      });
}

awaitable<Result<Reply>> GetProduct(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx, "productoId");
  if (!id) co_return Fail(id.error());
  const domain::Id empresa = TenantOf(who);
  co_return co_await Cached(api, ctx, cache::Category::kProductKpis, empresa, "id=" + std::to_string(*id),
                            [empresa, id = *id](store::Connection& c) {
                              return store::InSnapshot(c, [&](store::Connection& s) {
                                return ProductKpis(s, empresa, id, Clock::Now());
                              });
                            });
}

}  // namespace

void RegisterDashboardRoutes(http::Router& router, ApiContext& api) {
  const Access read{kAllButProveedor};
  const Access admins{kAdmins};
  router.Get("/dashboard-cqrs/kpis", Bind(api, read, GetKpis));
  router.Get("/dashboard-cqrs/financial-kpis", Bind(api, admins, GetFinancial));
  router.Get("/dashboard-cqrs/product-kpis/:productoId", Bind(api, read, GetProduct));
  router.Get("/dashboard-cqrs/movement-kpis", Bind(api, read, GetMovements));
  router.Get("/dashboard-cqrs/daily-movements", Bind(api, read, GetMovements));
  router.Get("/dashboard-cqrs/predictive-kpis", Bind(api, read, GetPredictive));
  router.Get("/dashboard-cqrs/all-kpis", Bind(api, read, GetAll));
}

}  // namespace iam::api
