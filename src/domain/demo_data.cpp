#include "domain/demo_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "domain/detail/demo_catalog.hpp"
#include "domain/detail/demo_rng.hpp"

namespace iam::domain {
namespace {

using detail::CatalogItem;
using detail::DemoRng;
using detail::IndustryCatalog;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr const char* kMotivoInicial = "Stock inicial";
constexpr const char* kMotivoReabasto = "Reabastecimiento";
constexpr const char* kMotivoVenta = "Venta";
// Relative demand by UTC weekday, Monday first: busier Friday and Saturday, quiet Sunday.
constexpr double kWeekdayFactor[7] = {0.9, 0.85, 0.95, 1.0, 1.15, 1.3, 0.7};
constexpr double kMaxWeekdayFactor = 1.3;
constexpr int kMaxCantidad = 999'999;  // the API's limit for one movement

// What the generator decides about a product's demand; not stored.
struct ProductPlan {
  double weight = 1;          // relative number of movements per active day
  double mean_sale_qty = 1;   // mean units per SALIDA (>= 1)
  double trend = 0;           // relative demand change over the window, e.g. +0.2
  bool restock_late = false;  // reorders only once sold out: shows some stock-outs
  std::int64_t created_ms = 0;
  std::int64_t event_count = 0;  // movements after "Stock inicial"
};

double Round2(double x) { return std::round(x * 100.0) / 100.0; }

std::string Pad(std::int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  return buf;
}

// "@demo.iam" for tenant 1, "@tenantK.demo.iam" for tenant K > 1.
std::string Domain(int index) { return index == 0 ? "demo.iam" : "tenant" + std::to_string(index + 1) + ".demo.iam"; }

std::uint64_t TenantSeed(std::uint64_t seed, int index) {
  DemoRng mix(seed ^ (0xA0761D6478BD642Full * static_cast<std::uint64_t>(index + 1)));
  mix.Next();
  return mix.Next();
}

// EAN-13 from 12 data digits: the check digit weights odd positions 1 and even ones 3.
std::string Ean13(const std::string& digits12) {
  int sum = 0;
  for (std::size_t i = 0; i < digits12.size(); ++i) sum += (digits12[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return digits12 + static_cast<char>('0' + (10 - sum % 10) % 10);
}

DemoCompany MakeCompany(DemoRng& rng, const IndustryCatalog& cat, int index, std::int64_t window_start) {
  auto cities = detail::CityNames();
  const char* city = cities[static_cast<std::size_t>(rng.Int(0, static_cast<std::int64_t>(cities.size()) - 1))];
  const char* name = cat.company_names[static_cast<std::size_t>(index) % cat.company_names.size()];
  DemoCompany c;
  c.nombre = std::string(name) + " " + city;
  if (index >= static_cast<int>(cat.company_names.size())) c.nombre += " " + std::to_string(index + 1);
  static constexpr char kAlnum[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789";
  c.rfc = "DEM" + Pad(index + 1, 6) + "A" + kAlnum[rng.Int(0, 34)] + kAlnum[rng.Int(0, 34)];
  c.tipo_industria = cat.tipo_industria;
  c.email_contacto = "contacto@" + Domain(index);
  c.direccion = "Av. Principal " + std::to_string(rng.Int(1, 999)) + ", " + city;
  c.fecha_creacion_ms = window_start - rng.Int(1, 30) * kDayMs;
  return c;
}

std::vector<DemoUser> MakeUsers(int index) {
  std::string suffix = index == 0 ? "" : " " + std::to_string(index + 1);
  return {{"Administrador Demo" + suffix, DemoAdminEmail(index), "ADMIN"},
          {"Empleado Demo" + suffix, DemoEmployeeEmail(index), "EMPLEADO"}};
}

std::vector<DemoSupplier> MakeSuppliers(DemoRng& rng, int index) {
  auto names = detail::SupplierNames();
  auto count = static_cast<std::size_t>(rng.Int(3, 6));
  auto first = static_cast<std::size_t>(rng.Int(0, static_cast<std::int64_t>(names.size()) - 1));
  std::vector<DemoSupplier> out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back({names[(first + i) % names.size()], "proveedor" + std::to_string(i + 1) + "@" + Domain(index),
                   "55" + Pad(rng.Int(10'000'000, 99'999'999), 8)});
  }
  return out;
}

// Fast movers (20%), regular ones (45%) and slow, intermittent ones (35%).
ProductPlan MakePlan(DemoRng& rng, std::int64_t window_start, std::int64_t window_ms) {
  ProductPlan plan;
  double r = rng.Uniform();
  if (r < 0.2) {
    plan.weight = rng.Uniform(6, 15);
    plan.mean_sale_qty = 3;
  } else if (r < 0.65) {
    plan.weight = rng.Uniform(1.5, 4);
    plan.mean_sale_qty = 1.8;
  } else {
    plan.weight = rng.Uniform(0.15, 0.8);
    plan.mean_sale_qty = 1.2;
  }
  plan.trend = rng.Uniform(-0.3, 0.3);
  plan.restock_late = rng.Chance(0.1);
  // Most of the catalogue exists from the start; the rest arrives during the first 70%.
  double offset = rng.Chance(0.65) ? rng.Uniform(0, 0.05) : rng.Uniform(0.05, 0.7);
  plan.created_ms = window_start + static_cast<std::int64_t>(offset * static_cast<double>(window_ms));
  return plan;
}

std::vector<std::string> Tags(const CatalogItem& item, const ProductPlan& plan) {
  std::vector<std::string> tags = {item.etiqueta};
  if (plan.weight >= 6) tags.emplace_back("alta-rotacion");
  if (plan.weight < 1) tags.emplace_back("baja-rotacion");
  tags.emplace_back("demo");
  return tags;
}

// Names cycle through item x variant so consecutive products differ and none repeat in a tenant.
DemoProduct MakeProduct(DemoRng& rng, const IndustryCatalog& cat, int index, int pi, const ProductPlan& plan,
                        std::size_t supplier_count) {
  std::size_t n_items = cat.items.size(), n_variants = cat.variants.size();
  auto upi = static_cast<std::size_t>(pi);
  const CatalogItem& item = cat.items[upi % n_items];
  const char* variant = cat.variants[(upi / n_items) % n_variants];
  std::size_t round = upi / (n_items * n_variants);
  DemoProduct p;
  p.nombre = std::string(item.nombre) + " " + variant + (round > 0 ? " Lote " + std::to_string(round + 1) : "");
  p.descripcion = std::string(item.nombre) + ", presentación " + variant + " (categoría " + item.etiqueta + ")";
  p.sku = std::string(cat.sku_prefix) + "-T" + Pad(index + 1, 5) + "-" + Pad(pi + 1, 6);
  p.codigo_barras = Ean13("2" + Pad(index, 5) + Pad(pi, 6));  // 0-based: 100000 tenants x 1e6 products
  p.tipo_producto = item.tipo_producto;
  p.unidad = item.unidad;
  p.ubicacion = "Pasillo " + std::to_string(rng.Int(1, 12)) + ", estante " + static_cast<char>('A' + rng.Int(0, 5));
  p.etiquetas = Tags(item, plan);
  double price = std::exp(rng.Uniform(std::log(item.precio_min), std::log(item.precio_max)));
  p.precio_compra = std::max(0.01, Round2(price));
  p.precio_venta = Round2(p.precio_compra * rng.Uniform(1.1, 1.8));
  if (supplier_count > 0 && rng.Chance(0.9))
    p.supplier_index = static_cast<int>(rng.Int(0, static_cast<std::int64_t>(supplier_count) - 1));
  p.creado_en_ms = plan.created_ms;
  return p;
}

// Splits `extra` movements over the products in proportion to weight x active time (largest
// remainder, ties to the lower index), so the tenant total is exact.
void AllocateEvents(std::vector<ProductPlan>& plans, std::int64_t extra, std::int64_t now_ms) {
  std::vector<double> share(plans.size());
  double total = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    share[i] = plans[i].weight * static_cast<double>(now_ms - plans[i].created_ms);
    total += share[i];
  }
  std::int64_t given = 0;
  std::vector<std::pair<double, std::size_t>> remainders;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    double exact = static_cast<double>(extra) * share[i] / total;
    plans[i].event_count = static_cast<std::int64_t>(std::floor(exact));
    given += plans[i].event_count;
    remainders.emplace_back(-(exact - std::floor(exact)), i);
  }
  std::sort(remainders.begin(), remainders.end());
  for (std::size_t k = 0; given < extra; k = (k + 1) % remainders.size(), ++given)
    ++plans[remainders[k].second].event_count;
}

// Relative demand at time t: weekday, business hours (UTC) and the product's trend.
double DemandFactor(std::int64_t t, std::int64_t window_start, std::int64_t window_ms, double trend) {
  std::int64_t day = t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs;
  double weekday = kWeekdayFactor[((day + 3) % 7 + 7) % 7];  // 1970-01-01 was a Thursday
  std::int64_t hour = (t - day * kDayMs) / 3'600'000;
  double hourly = hour >= 8 && hour < 20 ? 1.0 : (hour == 7 || hour == 20 ? 0.3 : 0.02);
  double progress = static_cast<double>(t - window_start) / static_cast<double>(window_ms);
  return weekday * hourly * (1 + trend * (progress - 0.5));
}

// `count` strictly increasing times in (created, now], drawn by rejection from DemandFactor.
std::vector<std::int64_t> EventTimes(DemoRng& rng, const ProductPlan& plan, std::int64_t window_start,
                                     std::int64_t now_ms) {
  std::int64_t window_ms = now_ms - window_start;
  double max_factor = kMaxWeekdayFactor * (1 + std::abs(plan.trend) / 2);
  std::vector<std::int64_t> times;
  times.reserve(static_cast<std::size_t>(plan.event_count));
  while (static_cast<std::int64_t>(times.size()) < plan.event_count) {
    std::int64_t t = rng.Int(plan.created_ms + 1, now_ms);
    if (rng.Uniform() * max_factor < DemandFactor(t, window_start, window_ms, plan.trend)) times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  for (std::size_t i = 1; i < times.size(); ++i) times[i] = std::max(times[i], times[i - 1] + 1);
  // Only when there are more events than milliseconds at the end: pull the tail back under now.
  for (std::size_t i = times.size(); i-- > 0;) {
    std::int64_t limit = i + 1 == times.size() ? now_ms : times[i + 1] - 1;
    if (times[i] <= limit) break;
    times[i] = limit;
  }
  return times;
}

DemoMovement Movement(const DemoProduct& p, int pi, DemoMovementType tipo, std::int64_t fecha, std::int64_t qty,
                      const char* motivo) {
  DemoMovement m;
  m.fecha_ms = fecha;
  m.tipo = tipo;
  m.cantidad = static_cast<std::int32_t>(qty);
  m.precio_unitario = tipo == DemoMovementType::kEntrada ? p.precio_compra : p.precio_venta;
  m.precio_total = Round2(m.precio_unitario * static_cast<double>(qty));
  m.costo_unitario = p.precio_compra;
  m.product_index = pi;
  m.supplier_index = tipo == DemoMovementType::kEntrada ? p.supplier_index : -1;
  m.motivo = motivo;
  return m;
}

// Order-up-to inventory policy: the product starts near its target level, sells, and is
// restocked back to the target once it falls to its reorder point (zero for "late" products).
void SimulateProduct(DemoRng& rng, const ProductPlan& plan, int pi, DemoProduct& p, std::int64_t window_start,
                     std::int64_t now_ms, std::vector<DemoMovement>& out) {
  double active_days = static_cast<double>(now_ms - plan.created_ms) / static_cast<double>(kDayMs);
  double daily_units = static_cast<double>(plan.event_count) / active_days * plan.mean_sale_qty;
  std::int64_t minimo = std::clamp<std::int64_t>(std::llround(daily_units * rng.Uniform(5, 10)), 2, 100'000);
  std::int64_t target = minimo + std::clamp<std::int64_t>(std::llround(daily_units * rng.Uniform(20, 40)), 5, 800'000);
  std::int64_t reorder_point = plan.restock_late ? 0 : minimo;
  std::int64_t stock = std::max<std::int64_t>(reorder_point + 1, std::llround(target * rng.Uniform(0.7, 1.0)));
  p.stock_minimo = static_cast<int>(minimo);
  out.push_back(Movement(p, pi, DemoMovementType::kEntrada, plan.created_ms, stock, kMotivoInicial));
  for (std::int64_t t : EventTimes(rng, plan, window_start, now_ms)) {
    if (stock <= reorder_point) {
      std::int64_t qty = std::min<std::int64_t>(target - stock, kMaxCantidad);
      out.push_back(Movement(p, pi, DemoMovementType::kEntrada, t, qty, kMotivoReabasto));
      stock += qty;
    } else {
      std::int64_t qty = std::min<std::int64_t>(1 + rng.Poisson(plan.mean_sale_qty - 1), stock);
      out.push_back(Movement(p, pi, DemoMovementType::kSalida, t, qty, kMotivoVenta));
      stock -= qty;
    }
  }
  p.stock = static_cast<int>(stock);
  p.actualizado_en_ms = out.back().fecha_ms;
}

}  // namespace

const char* TipoMovimiento(DemoMovementType t) { return t == DemoMovementType::kEntrada ? "ENTRADA" : "SALIDA"; }
const char* TipoPrecio(DemoMovementType t) { return t == DemoMovementType::kEntrada ? "COMPRA" : "VENTA"; }

std::string DemoAdminEmail(int index) { return "admin@" + Domain(index); }
std::string DemoEmployeeEmail(int index) { return "empleado@" + Domain(index); }

DemoTenant GenerateDemoTenant(const DemoOptions& options, int index) {
  DemoRng rng(TenantSeed(options.seed, index));
  auto catalogs = detail::IndustryCatalogs();
  const IndustryCatalog& cat = catalogs[static_cast<std::size_t>(index + 2) % catalogs.size()];
  std::int64_t window_ms = static_cast<std::int64_t>(options.history_days) * kDayMs;
  std::int64_t window_start = options.now_ms - window_ms;

  DemoTenant tenant;
  tenant.index = index;
  tenant.company = MakeCompany(rng, cat, index, window_start);
  tenant.users = MakeUsers(index);
  tenant.suppliers = MakeSuppliers(rng, index);
  std::vector<ProductPlan> plans;
  for (int pi = 0; pi < options.products; ++pi) {
    plans.push_back(MakePlan(rng, window_start, window_ms));
    tenant.products.push_back(MakeProduct(rng, cat, index, pi, plans.back(), tenant.suppliers.size()));
  }
  AllocateEvents(plans, std::max<std::int64_t>(0, options.movements - options.products), options.now_ms);
  tenant.movements.reserve(static_cast<std::size_t>(std::max<std::int64_t>(options.movements, options.products)));
  for (int pi = 0; pi < options.products; ++pi) {
    auto upi = static_cast<std::size_t>(pi);
    SimulateProduct(rng, plans[upi], pi, tenant.products[upi], window_start, options.now_ms, tenant.movements);
  }
  // A product's times are strictly increasing, so (fecha, product) is a total order.
  std::sort(tenant.movements.begin(), tenant.movements.end(), [](const DemoMovement& a, const DemoMovement& b) {
    return a.fecha_ms != b.fecha_ms ? a.fecha_ms < b.fecha_ms : a.product_index < b.product_index;
  });
  return tenant;
}

}  // namespace iam::domain
