// /dashboard-cqrs/* against an independent reference, over both backends (issue 4, "how it is
// shown"): a tenant built through the API (POST /productos, POST /movimientos with past `fecha`,
// PATCH prices, DELETE/restaurar movements, desactivar/eliminar products) with a deterministic
// pseudo-random history over the last 200 days, a few legacy rows written with plain SQL (null
// prices, stock not explained by the ledger), and then EVERY field of EVERY route compared with the
// values of a small reference implementation written in this file from kpis.md: direct loops over
// the test's own record of every movement and product, exact rational arithmetic for money and
// ratios (so the 2-decimal rounding, half away from zero, is decided exactly), the spec's 1e-9
// boundary rule only where the formulas need square roots or exponential smoothing. Nothing here
// calls the service's domain or store code.
//
// A second test then inserts, updates and deletes movements (and products) with plain SQL, as the
// old backend or a person fixing data would, and compares every route again after each batch.
//
// `today` is the UTC day when the test starts; if the UTC day changes before the last answer is
// read, the whole scenario runs again on a fresh tenant (and the test is skipped if that happens
// twice), so a run straddling midnight UTC does not fail spuriously.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/harness/api_harness.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;
using i64 = std::int64_t;
__extension__ typedef __int128 i128;

constexpr i64 kDayMs = 86'400'000;
constexpr i64 kHourMs = 3'600'000;

// ---------------------------------------------------------------------------------------------
// Time, written here (not the service's helpers): UTC days since 1970 and ISO-8601 text.

i64 WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
i64 DayOf(i64 ms) { return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs); }

std::string DayText(i64 day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string IsoText(i64 ms) {
  const i64 day = DayOf(ms);
  const i64 rem = ms - day * kDayMs;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", DayText(day).c_str(), static_cast<int>(rem / kHourMs),
                static_cast<int>(rem / 60'000 % 60), static_cast<int>(rem / 1000 % 60), static_cast<int>(rem % 1000));
  return buf;
}

// Strict "YYYY-MM-DDTHH:MM:SS.mmmZ" (the api.md response format).
std::optional<i64> ParseIso(const std::string& s) {
  int y, mo, d, hh, mi, ss, ms;
  char z;
  if (s.size() != 24 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &hh, &mi, &ss, &ms, &z) != 8 || z != 'Z')
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  const i64 day = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return day * kDayMs + hh * kHourMs + mi * 60'000 + ss * 1000 + ms;
}

// ---------------------------------------------------------------------------------------------
// Exact rationals (money is kept in integer cents, so every money sum and ratio of kpis.md is an
// exact fraction and its 2-decimal rounding can be decided exactly).

i128 Abs(i128 v) { return v < 0 ? -v : v; }
i128 Gcd(i128 a, i128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    const i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

struct Q {
  i128 n = 0, d = 1;
  Q() = default;
  Q(i64 v) : n(v) {}  // NOLINT(google-explicit-constructor): integers are rationals
  static Q Of(i128 num, i128 den) {
    if (den < 0) num = -num, den = -den;
    const i128 g = Gcd(num, den);
    Q q;
    q.n = g > 1 ? num / g : num;
    q.d = g > 1 ? den / g : den;
    return q;
  }
  long double Ld() const { return static_cast<long double>(n) / static_cast<long double>(d); }
};
Q operator+(const Q& a, const Q& b) { return Q::Of(a.n * b.d + b.n * a.d, a.d * b.d); }
Q operator-(const Q& a, const Q& b) { return Q::Of(a.n * b.d - b.n * a.d, a.d * b.d); }
Q operator*(const Q& a, const Q& b) { return Q::Of(a.n * b.n, a.d * b.d); }
Q operator/(const Q& a, const Q& b) { return Q::Of(a.n * b.d, a.d * b.n); }  // REQUIRES b != 0
bool operator<(const Q& a, const Q& b) { return a.n * b.d < b.n * a.d; }
bool operator>(const Q& a, const Q& b) { return b < a; }
bool operator<=(const Q& a, const Q& b) { return !(b < a); }
bool operator>=(const Q& a, const Q& b) { return !(a < b); }
Q Cents(i64 c) { return Q::Of(c, 100); }
// "Every ratio whose denominator is <= 0 is 0".
Q Ratio(const Q& num, const Q& den) { return den <= Q(0) ? Q(0) : num / den; }

// Exact 2-decimal rounding, half away from zero.
double Round2(const Q& x) {
  const i128 a = Abs(x.n) * 100;
  const i128 cents = (2 * a + x.d) / (2 * x.d);
  if (cents == 0) return 0.0;
  const double v = static_cast<double>(cents) / 100.0;
  return x.n < 0 ? -v : v;
}

// For the few values that need sqrt / smoothing: kpis.md's boundary rule (a value within 1e-9,
// relative above magnitude 1, of a boundary lies on it), written from the spec text.
bool Near(long double a, long double b) {
  return std::fabs(a - b) <= 1e-9L * std::max({1.0L, std::fabs(a), std::fabs(b)});
}
bool LessEq(long double a, long double b) { return a <= b || Near(a, b); }
i64 FloorB(long double x) {
  const long double r = std::round(x);
  return Near(x, r) ? static_cast<i64>(r) : static_cast<i64>(std::floor(x));
}
i64 CeilB(long double x) {
  const long double r = std::round(x);
  return Near(x, r) ? static_cast<i64>(r) : static_cast<i64>(std::ceil(x));
}
double Round2(long double x) {
  const long double a = std::fabs(x);
  const long double tol = std::min(1e-9L * std::max(1.0L, a), 1e-6L);
  long double cents = std::floor(a * 100);
  if (a >= (cents + 0.5L) / 100 - tol) cents += 1;
  if (cents == 0) return 0.0;
  const double v = static_cast<double>(cents / 100);
  return x < 0 ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// The test's record of the tenant and the reference implementation of kpis.md over it.

struct RProduct {
  i64 id = 0;
  std::string nombre;
  std::string estado = "ACTIVO";
  i64 stock = 0, minimo = 10;
  i64 pc = 0, pv = 0;  // precioCompra, precioVenta in cents
  i64 creado_day = 0;
};

struct RMove {
  i64 id = 0, pid = 0;
  bool entrada = true;
  i64 cantidad = 0;
  i64 fecha_ms = 0;
  bool activo = true;
  std::optional<i64> total, unit, costo;  // precioTotal, precioUnitario, costoUnitario in cents
  i64 Day() const { return DayOf(fecha_ms); }
};

const char* const kTimestamp = "\x01timestamp";  // expected-value marker: any ISO timestamp of the run

struct Forecast {
  std::string metodo, clase;
  std::optional<Q> alpha, adi, cv2;
  long double f = 0;
  std::optional<Q> f_exact;  // SMA: Σy / T
  i64 T = 0, sum = 0;
  i128 sum_sq = 0;
};

class Reference {
 public:
  std::vector<RProduct> products;
  std::vector<RMove> moves;
  i64 today = 0;

  RProduct& P(i64 id) {
    for (auto& p : products)
      if (p.id == id) return p;
    throw std::runtime_error("no product " + std::to_string(id));
  }
  const RProduct& P(i64 id) const { return const_cast<Reference*>(this)->P(id); }
  RMove& M(i64 id) {
    for (auto& m : moves)
      if (m.id == id) return m;
    throw std::runtime_error("no movement " + std::to_string(id));
  }

  bool InLast(i64 day, i64 n) const { return day >= today - (n - 1) && day <= today; }

  // total(m) and cantidad × costo(m) of kpis.md, in currency units.
  Q Total(const RMove& m) const {
    if (m.total) return Cents(*m.total);
    if (m.unit) return Cents(m.cantidad * *m.unit);
    const RProduct& p = P(m.pid);
    return Cents(m.cantidad * (m.entrada ? p.pc : p.pv));
  }
  Q Cost(const RMove& m) const { return Cents(m.cantidad * (m.costo ? *m.costo : P(m.pid).pc)); }

  Q ValorInventario() const {
    Q v;
    for (const auto& p : products)
      if (p.estado == "ACTIVO") v = v + Cents(std::max<i64>(p.stock, 0) * p.pc);
    return v;
  }

  json::object Kpis() const {
    i64 total = 0, bajo = 0, agotados = 0, movs30 = 0, con_compra = 0;
    Q venta, margenes, cogs30;
    for (const auto& p : products) {
      if (p.estado == "ACTIVO" || p.estado == "INACTIVO") ++total;
      if (p.estado != "ACTIVO") continue;
      if (p.stock <= p.minimo) ++bajo;
      if (p.stock <= 0) ++agotados;
      venta = venta + Cents(std::max<i64>(p.stock, 0) * p.pv);
      if (p.pc > 0) {
        margenes = margenes + Q::Of(p.pv - p.pc, p.pc) * 100;
        ++con_compra;
      }
    }
    for (const auto& m : moves) {
      if (!m.activo || !InLast(m.Day(), 30)) continue;
      ++movs30;
      if (!m.entrada) cogs30 = cogs30 + Cost(m);
    }
    const Q valor = ValorInventario();
    return json::object{{"totalProductos", total},
                        {"productosStockBajo", bajo},
                        {"productosAgotados", agotados},
                        {"movimientosUltimoMes", movs30},
                        {"valorTotalInventario", Round2(valor)},
                        {"valorVentaInventario", Round2(venta)},
                        {"margenPromedio", Round2(con_compra > 0 ? margenes / Q(con_compra) : Q(0))},
                        {"rotacionInventario", Round2(Ratio(cogs30, valor))},
                        {"timestamp", kTimestamp}};
  }

  json::object Financial(const std::string& periodo) const {
    const i64 D = periodo == "week" ? 7 : periodo == "month" ? 30 : periodo == "quarter" ? 90 : 365;
    Q ingresos, costo;
    i64 u30 = 0;
    for (const auto& m : moves) {
      if (!m.activo || m.entrada) continue;
      if (InLast(m.Day(), D)) {
        ingresos = ingresos + Total(m);
        costo = costo + Cost(m);
      }
      if (InLast(m.Day(), 30)) u30 += m.cantidad;
    }
    const Q capital = ValorInventario();
    const Q utilidad = ingresos - costo;
    const Q almacen = capital * Q::Of(2, 100) * Q(D) / Q(30);
    const Q oportunidad = capital * Q::Of(8, 100) * Q(D) / Q(365);
    i64 T = 0, B = 0, I = 0;
    for (const auto& p : products) {
      if (p.estado != "ACTIVO") continue;
      ++T;
      if (p.stock <= p.minimo) ++B;
      I += std::max<i64>(p.stock, 0);
    }
    const Q A = T > 0 ? Q::Of(T - B, T) * 100 : Q(0);
    Q R = Ratio(Q(u30), Q(I)) * 100;
    if (R > Q(100)) R = Q(100);
    return json::object{{"periodo", periodo},
                        {"dias", D},
                        {"ingresos", Round2(ingresos)},
                        {"costoVentas", Round2(costo)},
                        {"utilidadBruta", Round2(utilidad)},
                        {"margenBruto", Round2(Ratio(utilidad, ingresos) * 100)},
                        {"capitalTrabajo", Round2(capital)},
                        {"costoAlmacenamiento", Round2(almacen)},
                        {"costoOportunidad", Round2(oportunidad)},
                        {"margenNeto", Round2(Ratio(utilidad - almacen - oportunidad, ingresos) * 100)},
                        {"roiInventario", Round2(Ratio(utilidad, capital) * 100)},
                        {"rotacionInventario", Round2(Ratio(costo, capital))},
                        {"diasInventario", Round2(Ratio(capital, costo) * Q(D))},
                        {"eficienciaOperativa", Round2(Q::Of(6, 10) * A + Q::Of(4, 10) * R)},
                        {"timestamp", kTimestamp}};
  }

  json::object ProductKpis(i64 id) const {
    const RProduct& p = P(id);
    i64 entradas = 0, salidas = 0;
    Q ingresos, costo;
    std::optional<i64> ultimo;
    for (const auto& m : moves) {
      if (!m.activo || m.pid != id) continue;
      if (!ultimo || m.fecha_ms > *ultimo) ultimo = m.fecha_ms;
      if (!InLast(m.Day(), 30)) continue;
      if (m.entrada) {
        entradas += m.cantidad;
      } else {
        salidas += m.cantidad;
        ingresos = ingresos + Total(m);
        costo = costo + Cost(m);
      }
    }
    const i64 stock_pos = std::max<i64>(p.stock, 0);
    return json::object{
        {"productoId", p.id},
        {"nombre", p.nombre},
        {"estado", p.estado},
        {"stock", p.stock},
        {"stockMinimo", p.minimo},
        {"precioCompra", static_cast<double>(p.pc) / 100.0},
        {"precioVenta", static_cast<double>(p.pv) / 100.0},
        {"valorStock", Round2(Cents(stock_pos * p.pc))},
        {"entradas30", entradas},
        {"salidas30", salidas},
        {"ingresos30", Round2(ingresos)},
        {"costoVentas30", Round2(costo)},
        {"margen30", Round2(Ratio(ingresos - costo, ingresos) * 100)},
        {"demandaDiaria", Round2(Q::Of(salidas, 30))},
        {"diasCobertura", salidas > 0 ? json::value(Round2(Q::Of(stock_pos * 30, salidas))) : json::value(nullptr)},
        {"ultimoMovimiento", ultimo ? json::value(IsoText(*ultimo)) : json::value(nullptr)},
        {"estadoStock", p.stock <= 0          ? "AGOTADO"
                        : p.stock <= p.minimo ? "BAJO"
                                              : "NORMAL"},
        {"timestamp", kTimestamp}};
  }

  json::object MovementKpis(i64 N) const {
    struct Day {
      i64 e = 0, s = 0, n = 0;
      Q ve, vs;
    };
    std::vector<Day> days(static_cast<std::size_t>(N));
    const i64 first = today - (N - 1);
    for (const auto& m : moves) {
      if (!m.activo || !InLast(m.Day(), N)) continue;
      Day& d = days[static_cast<std::size_t>(m.Day() - first)];
      ++d.n;
      if (m.entrada) {
        d.e += m.cantidad;
        d.ve = d.ve + Total(m);
      } else {
        d.s += m.cantidad;
        d.vs = d.vs + Total(m);
      }
    }
    json::array data;
    i64 te = 0, ts = 0, tm = 0, best = 0;
    std::optional<i64> max_day;
    for (i64 i = 0; i < N; ++i) {
      const Day& d = days[static_cast<std::size_t>(i)];
      data.emplace_back(json::object{{"fecha", DayText(first + i)},
                                     {"entradas", d.e},
                                     {"salidas", d.s},
                                     {"neto", d.e - d.s},
                                     {"valorEntradas", Round2(d.ve)},
                                     {"valorSalidas", Round2(d.vs)},
                                     {"movimientos", d.n}});
      te += d.e;
      ts += d.s;
      tm += d.n;
      if (d.n > best) best = d.n, max_day = first + i;
    }
    const i64 h = N / 2;
    std::string tendencia = "ESTABLE";
    if (h > 0) {
      i64 s1 = 0, s2 = 0;
      for (i64 i = 0; i < h; ++i) s1 += days[static_cast<std::size_t>(i)].s;
      for (i64 i = N - h; i < N; ++i) s2 += days[static_cast<std::size_t>(i)].s;
      // a1 = s1/h, a2 = s2/h, c = (a2 − a1)/a1 = (s2 − s1)/s1.
      if (s1 == 0)
        tendencia = s2 > 0 ? "CRECIENTE" : "ESTABLE";
      else if (10 * (s2 - s1) > s1)
        tendencia = "CRECIENTE";
      else if (10 * (s2 - s1) < -s1)
        tendencia = "DECRECIENTE";
    }
    json::object summary{{"totalEntradas", te},
                         {"totalSalidas", ts},
                         {"totalMovimientos", tm},
                         {"avgEntradasDiarias", Round2(Q::Of(te, N))},
                         {"avgSalidasDiarias", Round2(Q::Of(ts, N))},
                         {"diaMaxActividad", max_day ? json::value(DayText(*max_day)) : json::value(nullptr)},
                         {"tendencia", tendencia}};
    return json::object{{"data", std::move(data)}, {"summary", std::move(summary)}, {"timestamp", kTimestamp}};
  }

  // Demand series and forecast of kpis.md "predictive-kpis" steps 1–5.
  Forecast ForecastOf(const RProduct& p) const {
    const i64 start = std::max(today - 179, std::min(p.creado_day, today));
    Forecast fc;
    fc.T = today - start + 1;
    std::vector<i64> y(static_cast<std::size_t>(fc.T), 0);
    for (const auto& m : moves)
      if (m.activo && !m.entrada && m.pid == p.id && m.Day() >= start && m.Day() <= today)
        y[static_cast<std::size_t>(m.Day() - start)] += m.cantidad;
    i64 n = 0;
    for (i64 v : y) {
      if (v <= 0) continue;
      ++n;
      fc.sum += v;
      fc.sum_sq += static_cast<i128>(v) * v;
    }
    if (n < 2) {
      fc.metodo = "SMA";
      fc.clase = "INSUFFICIENT_DATA";
      fc.f_exact = Q::Of(fc.sum, fc.T);
      fc.f = fc.f_exact->Ld();
      return fc;
    }
    const i128 S = fc.sum;
    fc.adi = Q::Of(fc.T, n);
    fc.cv2 = Q::Of(static_cast<i128>(n) * (n * fc.sum_sq - S * S), static_cast<i128>(n - 1) * S * S);
    const bool hi_adi = *fc.adi >= Q::Of(132, 100);
    const bool hi_cv2 = *fc.cv2 >= Q::Of(49, 100);
    fc.clase = !hi_adi && !hi_cv2 ? "SMOOTH" : hi_adi && !hi_cv2 ? "INTERMITTENT" : !hi_adi ? "ERRATIC" : "LUMPY";
    if (fc.clase == "SMOOTH") {
      fc.metodo = "SES";
      int best_k = 0;
      long double best_sse = 0, best_level = 0;
      for (int k = 1; k <= 19; ++k) {
        const long double a = k / 20.0L;
        long double level = static_cast<long double>(y[0]), sse = 0;
        for (std::size_t t = 1; t < y.size(); ++t) {
          const long double e = static_cast<long double>(y[t]) - level;
          sse += e * e;
          level = level + a * (static_cast<long double>(y[t]) - level);
        }
        // The smaller α wins ties: a later α must be smaller beyond the boundary tolerance.
        if (best_k == 0 || (sse < best_sse && !Near(sse, best_sse))) best_k = k, best_sse = sse, best_level = level;
      }
      fc.alpha = Q::Of(best_k, 20);
      fc.f = best_level;
    } else {
      fc.metodo = "SBA";
      long double z = 0, per = 0;
      i64 prev = -1;
      for (i64 j = 0; j < fc.T; ++j) {
        const i64 v = y[static_cast<std::size_t>(j)];
        if (v <= 0) continue;
        if (prev < 0) {
          z = static_cast<long double>(v);
          per = static_cast<long double>(j + 1);
        } else {
          z = z + 0.1L * (static_cast<long double>(v) - z);
          per = per + 0.1L * (static_cast<long double>(j - prev) - per);
        }
        prev = j;
      }
      fc.alpha = Q::Of(1, 10);
      fc.f = 0.95L * z / per;
    }
    fc.f = std::max(fc.f, 0.0L);
    return fc;
  }

  i64 Units(i64 pid, i64 first, i64 last) const {
    i64 u = 0;
    for (const auto& m : moves)
      if (m.activo && !m.entrada && (pid == 0 || m.pid == pid) && m.Day() >= first && m.Day() <= last) u += m.cantidad;
    return u;
  }

  json::object Predictive(i64 H) const {
    std::map<i64, Forecast> fc;
    for (const auto& p : products)
      if (p.estado == "ACTIVO") fc.emplace(p.id, ForecastOf(p));
    auto daily = [&](const Forecast& f) { return f.f_exact ? Round2(*f.f_exact) : Round2(f.f); };
    auto estimated = [&](const Forecast& f) {
      return f.f_exact ? Round2(*f.f_exact * Q(H)) : Round2(f.f * static_cast<long double>(H));
    };
    auto opt = [](const std::optional<Q>& q) { return q ? json::value(Round2(*q)) : json::value(nullptr); };

    // prediccionDemanda
    std::vector<std::pair<i64, i64>> ranked;  // (units, id)
    for (const auto& [id, f] : fc) {
      const i64 u = Units(id, today - 179, today);
      if (u > 0) ranked.emplace_back(u, id);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (ranked.size() > 10) ranked.resize(10);
    json::array demanda;
    for (const auto& [u, id] : ranked) {
      const Forecast& f = fc.at(id);
      demanda.emplace_back(json::object{{"productoId", id},
                                        {"nombre", P(id).nombre},
                                        {"metodo", f.metodo},
                                        {"clasificacion", f.clase},
                                        {"alpha", opt(f.alpha)},
                                        {"adi", opt(f.adi)},
                                        {"cv2", opt(f.cv2)},
                                        {"demandaDiaria", daily(f)},
                                        {"demandaEstimada", estimated(f)}});
    }

    // prediccionQuiebres
    struct Out {
      i64 days;
      long double key;
      i64 id;
      json::object row;
    };
    std::vector<Out> quiebres, reorden;
    for (const auto& [id, f] : fc) {
      const RProduct& p = P(id);
      if (p.stock <= 0 || !(f.f > 0)) continue;
      const long double ratio = static_cast<long double>(p.stock) / f.f;
      if (!LessEq(ratio, static_cast<long double>(H))) continue;
      const i64 d = FloorB(ratio);
      quiebres.push_back({d, 0, id,
                          json::object{{"productoId", id},
                                       {"nombre", p.nombre},
                                       {"stock", p.stock},
                                       {"demandaDiaria", daily(f)},
                                       {"diasHastaQuiebre", d},
                                       {"fechaEstimada", DayText(today + d)}}});
    }
    std::sort(quiebres.begin(), quiebres.end(),
              [](const Out& a, const Out& b) { return a.days != b.days ? a.days < b.days : a.id < b.id; });
    if (quiebres.size() > 50) quiebres.resize(50);

    // reorden: L = 7, z = 1.6449; σ of the whole series (zeros included).
    for (const auto& [id, f] : fc) {
      const RProduct& p = P(id);
      if (!(f.f > 0)) continue;
      long double sigma = 0;
      if (f.T >= 2) {
        const i128 num = static_cast<i128>(f.T) * f.sum_sq - static_cast<i128>(f.sum) * f.sum;
        sigma = std::sqrt(static_cast<long double>(num) / static_cast<long double>(f.T * (f.T - 1)));
      }
      const long double ss = 1.6449L * sigma * std::sqrt(7.0L);
      const long double pr = f.f * 7 + ss;
      if (!LessEq(static_cast<long double>(p.stock), pr)) continue;
      reorden.push_back({0, static_cast<long double>(p.stock) - pr, id,
                         json::object{{"productoId", id},
                                      {"nombre", p.nombre},
                                      {"stock", p.stock},
                                      {"demandaDiaria", daily(f)},
                                      {"stockSeguridad", Round2(ss)},
                                      {"puntoReorden", Round2(pr)},
                                      {"cantidadSugerida", CeilB(pr - static_cast<long double>(p.stock) + f.f * 7)}}});
    }
    std::sort(reorden.begin(), reorden.end(),
              [](const Out& a, const Out& b) { return a.key != b.key ? a.key < b.key : a.id < b.id; });
    if (reorden.size() > 50) reorden.resize(50);

    // tendenciasVentas: every ACTIVO SALIDA of the tenant, whatever its product's state.
    const i64 a = Units(0, today - 59, today), b = Units(0, today - 119, today - 60);
    json::value pct = nullptr;
    std::string tendencia = a > 0 ? "CRECIENTE" : "ESTABLE";
    if (b > 0) {
      const Q c = Q::Of(a - b, b) * 100;
      pct = Round2(c);
      tendencia = c > Q(10) ? "CRECIENTE" : c < Q(-10) ? "DECRECIENTE" : "ESTABLE";
    }

    auto rows = [](const std::vector<Out>& v) {
      json::array out;
      for (const auto& o : v) out.emplace_back(o.row);
      return out;
    };
    return json::object{
        {"horizonteDias", H},
        {"prediccionDemanda", std::move(demanda)},
        {"prediccionQuiebres", rows(quiebres)},
        {"reorden", rows(reorden)},
        {"tendenciasVentas",
         json::object{
             {"unidadesActual", a}, {"unidadesAnterior", b}, {"porcentajeCambio", pct}, {"tendencia", tendencia}}},
        {"timestamp", kTimestamp}};
  }

  json::object AllKpis(bool admin) const {
    return json::object{{"kpis", Kpis()},
                        {"financialKpis", admin ? json::value(Financial("month")) : json::value(nullptr)},
                        {"movementKpis", MovementKpis(7)},
                        {"predictiveKpis", Predictive(30)},
                        {"timestamp", kTimestamp}};
  }
};

// ---------------------------------------------------------------------------------------------
// Comparison of an answer with the expected JSON: same keys, same array lengths and order, integers
// as JSON integers, numbers within 1e-9 of the (already rounded) expected value, strings and nulls
// equal, `timestamp` an ISO-8601 UTC instant within the run.

struct Bounds {
  i64 from_ms = 0, to_ms = 0;
};

void Compare(const std::string& path, const json::value& exp, const json::value& act, const Bounds& b,
             std::vector<std::string>& out) {
  auto bad = [&](const std::string& what) {
    out.push_back(path + ": expected " + json::serialize(exp) + ", got " + json::serialize(act) +
                  (what.empty() ? "" : " (" + what + ")"));
  };
  switch (exp.kind()) {
    case json::kind::null:
      if (!act.is_null()) bad("");
      return;
    case json::kind::bool_:
      if (!act.is_bool() || act.as_bool() != exp.as_bool()) bad("");
      return;
    case json::kind::string:
      if (exp.as_string() == kTimestamp) {
        const auto ms = act.is_string() ? ParseIso(std::string(act.as_string())) : std::nullopt;
        if (!ms)
          bad("not an ISO-8601 UTC timestamp with milliseconds");
        else if (*ms < b.from_ms - 1000 || *ms > b.to_ms + 1000)
          bad("timestamp outside the run");
        return;
      }
      if (!act.is_string() || act.as_string() != exp.as_string()) bad("");
      return;
    case json::kind::int64:
    case json::kind::uint64:
      if (!(act.is_int64() || act.is_uint64()) || act.to_number<double>() != exp.to_number<double>())
        bad(act.is_double() ? "an integer field as a JSON double" : "");
      return;
    case json::kind::double_: {
      if (!act.is_number()) return bad("");
      const double e = exp.as_double(), a = act.to_number<double>();
      if (std::fabs(a - e) > 1e-9 * std::max(1.0, std::fabs(e))) bad("");
      return;
    }
    case json::kind::array: {
      if (!act.is_array()) return bad("");
      const auto& ea = exp.as_array();
      const auto& aa = act.as_array();
      if (ea.size() != aa.size())
        out.push_back(path + ": " + std::to_string(aa.size()) + " items, expected " + std::to_string(ea.size()));
      for (std::size_t i = 0; i < std::min(ea.size(), aa.size()); ++i)
        Compare(path + "[" + std::to_string(i) + "]", ea[i], aa[i], b, out);
      return;
    }
    case json::kind::object: {
      if (!act.is_object()) return bad("");
      const auto& eo = exp.as_object();
      const auto& ao = act.as_object();
      for (const auto& kv : eo) {
        auto it = ao.find(kv.key());
        if (it == ao.end())
          out.push_back(path + "." + std::string(kv.key()) + ": missing");
        else
          Compare(path + "." + std::string(kv.key()), kv.value(), it->value(), b, out);
      }
      for (const auto& kv : ao)
        if (!eo.contains(kv.key())) out.push_back(path + "." + std::string(kv.key()) + ": unexpected field");
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Deterministic generator (splitmix64: the same sequence on every platform and library).
struct Rng {
  std::uint64_t s;
  std::uint64_t Next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  i64 Below(i64 n) { return static_cast<i64>(Next() % static_cast<std::uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
};

// The products of the scenario (prices in cents). `creado` = days ago of creadoEn.
enum Idx : int {
  kSmooth,        // sells most days, steady quantities: SMOOTH / SES
  kStockout,      // created 60 days ago, high steady demand, stops being restocked: stock-out within 30 days
  kErratic,       // sells most days, quantities 1–3 or 20–40: ERRATIC
  kIntermittent,  // ~1 day in 5, steady quantities: INTERMITTENT; price change at d60; future ENTRADA
  kLumpy,         // rare and variable: LUMPY
  kLumpyTwin,     // exactly the same sales as kLumpy: a tie on units (ordered by id)
  kSingleDay,     // one sale day in the last 180 (old ones before): INSUFFICIENT_DATA / SMA
  kOldOnly,       // sales only 182+ days ago: not forecast, not listed
  kReorder,       // low stock, steady small demand: reorder point
  kFree,          // precioCompra 0 (left out of margenPromedio), initial stock through POST /productos
  kInactive,      // desactivado at the end: its movements still count
  kDeleted,       // eliminado at the end: its movements still count; a legacy SALIDA without prices
  kNew,           // created 9 days ago (inside every window)
  kEmpty,         // no movements at all, stock 0
  kPremium,       // expensive, low stock (BAJO), an ENTRADA given only by precioTotal
  kDiscounted,    // SALIDAs with explicit / total-only / both prices; initial stock through POST
  kProducts
};

struct ProductSpec {
  const char* nombre;
  i64 pc, pv, minimo, creado, initial_stock;
};
constexpr ProductSpec kSpecs[kProducts] = {
    {"Cafe molido 1kg", 1250, 1999, 40, 200, 0},     {"Leche entera 1L", 375, 620, 30, 60, 0},
    {"Tornillos caja", 700, 1150, 20, 200, 0},       {"Taladro percutor", 4500, 7000, 5, 200, 0},
    {"Generador 5kW", 15000, 23990, 3, 200, 0},      {"Compresor 50L", 9999, 14950, 3, 200, 0},
    {"Pegamento epoxi", 250, 400, 10, 200, 0},       {"Lampara vintage", 1800, 2500, 10, 200, 0},
    {"Filtro de aceite", 540, 890, 15, 200, 0},      {"Muestra gratis", 0, 500, 10, 200, 300},
    {"Modelo descontinuado", 2000, 3000, 5, 200, 0}, {"Producto retirado", 800, 1200, 5, 200, 0},
    {"Novedad de temporada", 600, 900, 5, 9, 0},     {"Sin movimientos", 999, 1499, 10, 200, 0},
    {"Microscopio", 31040, 49900, 10, 200, 0},       {"Jabon artesanal", 1111, 1777, 25, 200, 200},
};

// ---------------------------------------------------------------------------------------------

class DashboardHistoryTest : public ApiTest {
 protected:
  enum class Price { kDefault, kUnit, kTotal, kBoth };

  // Everything of one attempt (a fresh tenant each time).
  TenantFixture t;
  Reference ref;
  std::vector<i64> ids;                  // product id by Idx
  std::vector<std::string> build_error;  // a write that did not do what the scenario needs
  std::vector<std::string> issues;       // differences between the routes and the reference
  Rng rng{0x1A2B3C4D5E6F7788ULL};
  i64 today_start = 0;
  std::map<i64, int> per_day;  // movements already placed on a day (to space their times)
  int posted = 0;
  std::vector<i64> deleted_entradas;

  i64 DayStart(i64 k) const { return today_start - k * kDayMs; }
  // The next free instant of day `today − k` (from 06:00 UTC on, 3 minutes apart).
  i64 At(i64 k) { return DayStart(k) + 6 * kHourMs + 3 * 60'000 * per_day[k]++; }

  void Fail(const std::string& what) { build_error.push_back(what); }
  bool Broken() const { return !build_error.empty(); }

  static double Dbl(i64 cents) { return static_cast<double>(cents) / 100.0; }

  void Reset() {
    t = h->CreateTenant("Historia " + std::to_string(WallMs()));
    ref = Reference{};
    ids.assign(kProducts, 0);
    build_error.clear();
    issues.clear();
    rng = Rng{0x1A2B3C4D5E6F7788ULL};
    per_day.clear();
    posted = 0;
    deleted_entradas.clear();
    const i64 now = WallMs();
    ref.today = DayOf(now);
    today_start = ref.today * kDayMs;
  }

  // ---- writes through the API, mirrored in `ref` ----

  void CreateProduct(int idx) {
    const ProductSpec& s = kSpecs[idx];
    json::object body{
        {"nombre", s.nombre}, {"precioCompra", Dbl(s.pc)}, {"precioVenta", Dbl(s.pv)}, {"stockMinimo", s.minimo}};
    if (s.initial_stock > 0) body["stock"] = s.initial_stock;
    auto r = h->Post("/productos", body, t.admin.token);
    if (r.status != 201) return Fail(std::string("POST /productos ") + s.nombre + ": " + r.body);
    RProduct p{.id = r.json.at("id").to_number<i64>(),
               .nombre = s.nombre,
               .estado = "ACTIVO",
               .stock = s.initial_stock,
               .minimo = s.minimo,
               .pc = s.pc,
               .pv = s.pv,
               .creado_day = ref.today - s.creado};
    ids[idx] = p.id;
    if (s.initial_stock > 0) {
      // The "Stock inicial" ENTRADA, dated when the product was created (api.md).
      auto created = ParseIso(std::string(r.json.at("creadoEn").as_string()));
      if (!created) return Fail("creadoEn not ISO: " + r.body);
      auto row = h->Sql(R"(SELECT "id" FROM "MovimientoInventario" WHERE "productoId" = $1)", {p.id});
      if (row.size() != 1) return Fail("no initial-stock movement for " + std::string(s.nombre));
      ref.moves.push_back(RMove{.id = row[0].Int(0),
                                .pid = p.id,
                                .entrada = true,
                                .cantidad = s.initial_stock,
                                .fecha_ms = *created,
                                .activo = true,
                                .total = s.pc * s.initial_stock,
                                .unit = s.pc,
                                .costo = s.pc});
    }
    // The API has no way to create a product in the past: move creadoEn back with plain SQL.
    h->Sql(R"(UPDATE "Producto" SET "creadoEn" = $1 WHERE "id" = $2)",
           {store::Param(IsoText(DayStart(s.creado) + 5 * kHourMs)), store::Param(p.id)});
    ref.products.push_back(p);
  }

  // POST /movimientos; `price` = unit price (kUnit, kBoth) or total (kTotal) in cents.
  i64 PostMove(int idx, bool entrada, i64 qty, i64 fecha_ms, Price mode = Price::kDefault, i64 price = 0) {
    if (Broken() || qty <= 0) return 0;
    RProduct& p = ref.P(ids[idx]);
    if (!entrada && qty > p.stock) return 0;
    json::object body{{"tipo", entrada ? "ENTRADA" : "SALIDA"},
                      {"cantidad", qty},
                      {"productoId", p.id},
                      {"fecha", IsoText(fecha_ms)}};
    RMove m{.pid = p.id, .entrada = entrada, .cantidad = qty, .fecha_ms = fecha_ms, .costo = p.pc};
    switch (mode) {
      case Price::kDefault:
        m.unit = entrada ? p.pc : p.pv;
        m.total = *m.unit * qty;
        break;
      case Price::kUnit:
        body["precioUnitario"] = Dbl(price);
        m.unit = price;
        m.total = price * qty;
        break;
      case Price::kTotal:
        body["precioTotal"] = Dbl(price);
        m.total = price;  // precioUnitario = total / cantidad, not needed: total(m) is precioTotal
        break;
      case Price::kBoth:
        body["precioUnitario"] = Dbl(price);
        body["precioTotal"] = Dbl(price * qty);
        m.unit = price;
        m.total = price * qty;
        break;
    }
    // Every third write by the EMPLEADO (movements are open to ADMIN, SUPERADMIN, EMPLEADO).
    const std::string& token = ++posted % 3 == 0 ? t.empleado.token : t.admin.token;
    auto r = h->Post("/movimientos", body, token);
    if (r.status != 201) {
      Fail("POST /movimientos " + json::serialize(body) + " -> " + std::to_string(r.status) + " " + r.body);
      return 0;
    }
    p.stock += entrada ? qty : -qty;
    const auto& mv = r.json.at("movimiento").as_object();
    m.id = mv.at("id").to_number<i64>();
    // The server's own record of the row must be what the reference assumes.
    const i64 stock = r.json.at("producto").at("stock").to_number<i64>();
    if (stock != p.stock)
      Fail("stock of " + p.nombre + " after movement " + std::to_string(m.id) + ": " + std::to_string(stock) +
           ", expected " + std::to_string(p.stock));
    if (std::fabs(mv.at("precioTotal").to_number<double>() - Dbl(*m.total)) > 1e-9)
      Fail("precioTotal of movement " + std::to_string(m.id) + ": " + r.body);
    if (std::fabs(mv.at("costoUnitario").to_number<double>() - Dbl(p.pc)) > 1e-9)
      Fail("costoUnitario of movement " + std::to_string(m.id) + ": " + r.body);
    if (mv.at("fecha").as_string() != IsoText(fecha_ms))
      Fail("fecha of movement " + std::to_string(m.id) + ": " + r.body);
    ref.moves.push_back(m);
    return m.id;
  }

  // DELETE /movimientos/:id (→ ELIMINADO, stock effect reversed) or PATCH …/restaurar.
  void SwitchMove(i64 id, bool restore) {
    if (Broken()) return;
    auto r = restore ? h->Request("PATCH", "/movimientos/" + std::to_string(id) + "/restaurar", {}, t.admin.token)
                     : h->Delete("/movimientos/" + std::to_string(id), t.admin.token);
    if (r.status != 200) return Fail((restore ? "restore " : "delete ") + std::to_string(id) + ": " + r.body);
    RMove& m = ref.M(id);
    m.activo = restore;
    ref.P(m.pid).stock += (m.entrada == restore ? 1 : -1) * m.cantidad;
  }

  void PatchPrices(int idx, i64 pc, i64 pv) {
    if (Broken()) return;
    auto r = h->Patch("/productos/" + std::to_string(ids[idx]),
                      json::object{{"precioCompra", Dbl(pc)}, {"precioVenta", Dbl(pv)}}, t.admin.token);
    if (r.status != 200) return Fail("PATCH prices: " + r.body);
    ref.P(ids[idx]).pc = pc;
    ref.P(ids[idx]).pv = pv;
  }

  // A row written by another application: no stock change, any prices (null = legacy).
  i64 SqlMove(i64 pid, bool entrada, i64 qty, i64 fecha_ms, std::optional<i64> unit, std::optional<i64> total,
              std::optional<i64> costo, bool activo = true) {
    auto opt = [](const std::optional<i64>& c) { return c ? store::Param(Dbl(*c)) : store::Param(nullptr); };
    auto rows = h->Sql(
        R"(INSERT INTO "MovimientoInventario" ("cantidad", "productoId", "fecha", "tipo", "empresaId", "estado",
                                               "precioUnitario", "precioTotal", "costoUnitario", "createdAt")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING "id")",
        {store::Param(qty), store::Param(pid), store::Param(IsoText(fecha_ms)),
         store::Param(std::string(entrada ? "ENTRADA" : "SALIDA")), store::Param(t.empresa_id),
         store::Param(std::string(activo ? "ACTIVO" : "ELIMINADO")), opt(unit), opt(total), opt(costo),
         store::Param(IsoText(WallMs()))});
    RMove m{.id = rows[0].Int(0),
            .pid = pid,
            .entrada = entrada,
            .cantidad = qty,
            .fecha_ms = fecha_ms,
            .activo = activo,
            .total = total,
            .unit = unit,
            .costo = costo};
    ref.moves.push_back(m);
    return m.id;
  }

  // ---- the scenario ----

  // A SALIDA or ENTRADA posted with probability 3 % deleted right away (ELIMINADO never counts).
  void MaybeDelete(i64 id, bool entrada) {
    if (id == 0 || !rng.Chance(3)) return;
    SwitchMove(id, false);
    if (entrada) deleted_entradas.push_back(id);
  }

  void Day(i64 k) {
    auto sell = [&](int idx, i64 qty, Price mode = Price::kDefault, i64 price = 0) {
      const i64 id = PostMove(idx, false, std::min(qty, ref.P(ids[idx]).stock), At(k), mode, price);
      MaybeDelete(id, false);
      return id;
    };
    auto buy = [&](int idx, i64 qty, Price mode = Price::kDefault, i64 price = 0) {
      const i64 id = PostMove(idx, true, qty, At(k), mode, price);
      MaybeDelete(id, true);
      return id;
    };
    auto stock = [&](int idx) { return ref.P(ids[idx]).stock; };

    // Price changes: later movements carry the new costoUnitario, earlier ones keep theirs.
    if (k == 120) PatchPrices(kSmooth, 1310, 2100);
    if (k == 60) PatchPrices(kIntermittent, 4750, 7200);

    // kSmooth
    if (stock(kSmooth) < 40)
      buy(kSmooth, 120 + 40 * rng.Below(3), rng.Chance(30) ? Price::kUnit : Price::kDefault, 1210);
    if (rng.Chance(85)) {
      sell(kSmooth, 4 + rng.Below(4));
      if (rng.Chance(12)) sell(kSmooth, 1 + rng.Below(3));  // several movements on one day
    }
    // kStockout (created 60 days ago)
    if (k <= 60) {
      if (k == 60)
        buy(kStockout, 400);
      else if (k > 6 && stock(kStockout) < 120)
        buy(kStockout, 250);
      if (rng.Chance(95)) sell(kStockout, 8 + rng.Below(5));
    }
    // kErratic
    if (stock(kErratic) < 60) buy(kErratic, 250);
    if (rng.Chance(85)) {
      const i64 q = rng.Chance(15) ? 20 + rng.Below(21) : 1 + rng.Below(3);
      if (rng.Chance(8))
        sell(kErratic, q, Price::kUnit, 1035);  // a discount
      else
        sell(kErratic, q);
    }
    // kIntermittent
    if (k == 199) buy(kIntermittent, 150);
    if (k == 80) buy(kIntermittent, 60, Price::kUnit, 4320);
    if (rng.Chance(20)) sell(kIntermittent, 3 + rng.Below(3));
    // kLumpy and its twin: identical quantities on identical days, never deleted.
    if (k == 199) {
      PostMove(kLumpy, true, 300, At(k));
      PostMove(kLumpyTwin, true, 300, At(k));
    }
    if (rng.Chance(12)) {
      const i64 q = rng.Chance(50) ? 1 : 10 + rng.Below(16);
      const i64 at = At(k);
      PostMove(kLumpy, false, q, at);
      PostMove(kLumpyTwin, false, q, at);
    }
    // kSingleDay: 5 and 7 units 190 and 185 days ago (outside every series), 60 units 40 days ago.
    if (k == 199) buy(kSingleDay, 100);
    if (k == 190) sell(kSingleDay, 5);
    if (k == 185) sell(kSingleDay, 7);
    if (k == 40) PostMove(kSingleDay, false, 60, At(k));
    // kOldOnly
    if (k == 199) PostMove(kOldOnly, true, 30, At(k));
    if (k == 195) PostMove(kOldOnly, false, 6, At(k));
    if (k == 182) PostMove(kOldOnly, false, 4, At(k), Price::kTotal, 9000);
    // kReorder
    if (k == 199)
      buy(kReorder, 60);
    else if (k > 25 && stock(kReorder) < 10)
      buy(kReorder, 40);
    if (rng.Chance(40)) sell(kReorder, 1 + rng.Below(3));
    // kFree (initial stock 300 from POST /productos)
    if (rng.Chance(20)) sell(kFree, 1 + rng.Below(4));
    // kInactive
    if (k == 199) buy(kInactive, 100);
    if (rng.Chance(15)) sell(kInactive, 1 + rng.Below(4));
    // kDeleted
    if (k == 150) buy(kDeleted, 80);
    if (k < 150 && rng.Chance(8)) sell(kDeleted, 2);
    // kNew (created 9 days ago)
    if (k == 9) buy(kNew, 50);
    if (k <= 8 && rng.Chance(70)) sell(kNew, 2 + rng.Below(3));
    // kPremium
    if (k == 170) buy(kPremium, 20);
    if (k == 50) buy(kPremium, 5, Price::kTotal, 150000);
    if (rng.Chance(6)) sell(kPremium, 1 + rng.Below(2));
    // kDiscounted (initial stock 200 from POST /productos): every way of giving a price.
    if (stock(kDiscounted) < 30) buy(kDiscounted, 100, Price::kBoth, 1099);
    if (rng.Chance(30)) {
      const i64 q = 1 + rng.Below(6);
      switch (rng.Below(4)) {
        case 0:
          sell(kDiscounted, q);
          break;
        case 1:
          sell(kDiscounted, q, Price::kUnit, 1599);
          break;
        case 2:
          sell(kDiscounted, q, Price::kTotal, std::min(q, stock(kDiscounted)) * 1777 - 100);
          break;
        default:
          sell(kDiscounted, q, Price::kBoth, 1650);
          break;
      }
    }
    // A deleted ENTRADA restored later (PATCH /movimientos/:id/restaurar re-applies it).
    if (k == 20 && !deleted_entradas.empty()) SwitchMove(deleted_entradas.front(), true);
  }

  bool Build() {
    for (int i = 0; i < kProducts && !Broken(); ++i) CreateProduct(i);
    for (i64 k = 199; k >= 0 && !Broken(); --k) Day(k);
    if (Broken()) return false;

    // Movements dated tomorrow (allowed up to now + 1 day): in no window, but the latest movement of
    // their product. Needs now >= 00:00:02 UTC.
    while (WallMs() < today_start + 3000) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    PostMove(kIntermittent, true, 5, today_start + kDayMs + 1000);
    PostMove(kSmooth, false, 2, today_start + kDayMs + 2000);

    // Legacy rows and rows of another writer (plain SQL; stock untouched, as in users' databases).
    SqlMove(ids[kSmooth], false, 3, DayStart(15) + 12 * kHourMs, {}, {}, {});     // no prices at all
    SqlMove(ids[kErratic], true, 10, DayStart(100) + 12 * kHourMs, 650, {}, {});  // unit price only
    SqlMove(ids[kDeleted], false, 2, DayStart(5) + 12 * kHourMs, {}, {}, {});     // no prices, product to be ELIMINADO
    SqlMove(ids[kInactive], false, 1, DayStart(3) + 12 * kHourMs, {}, 2999, {});  // total only
    SqlMove(ids[kLumpy], false, 50, DayStart(2) + 12 * kHourMs, 100, 5000, 100, false);  // ELIMINADO: never counts
    SqlMove(ids[kEmpty], true, 4, DayStart(250) + 12 * kHourMs, 999, 3996, 999);         // before every window

    // A tie for diaMaxActividad (the earliest day wins): a recent day topped up through the API to
    // the busiest day of the last 30.
    {
      std::map<i64, i64> count;
      for (const auto& m : ref.moves)
        if (m.activo && ref.InLast(m.Day(), 30)) ++count[m.Day()];
      i64 busiest = 0;
      for (const auto& [day, n] : count) busiest = std::max(busiest, n);
      for (i64 k = 3; k < 7; ++k) {
        const i64 missing = busiest - count[ref.today - k];
        if (missing <= 0) continue;
        for (i64 i = 0; i < missing; ++i) PostMove(kErratic, true, 1, At(k));
        break;
      }
    }
    // Current prices change after the fact: legacy rows are valued at these.
    PatchPrices(kErratic, 735, 1150);
    PatchPrices(kSmooth, 1340, 2150);
    // Product states.
    if (!Broken()) {
      if (auto r =
              h->Request("PATCH", "/productos/" + std::to_string(ids[kInactive]) + "/desactivar", {}, t.admin.token);
          r.status == 200)
        ref.P(ids[kInactive]).estado = "INACTIVO";
      else
        Fail("desactivar: " + r.body);
      if (auto r = h->Delete("/productos/" + std::to_string(ids[kDeleted]), t.admin.token); r.status == 200)
        ref.P(ids[kDeleted]).estado = "ELIMINADO";
      else
        Fail("eliminar: " + r.body);
    }
    // kEmpty had stock from nothing: the SQL ENTRADA above did not touch stock, it stays 0.
    return !Broken();
  }

  // ---- reads ----

  void Check(const std::string& target, const json::value& expected, const std::string& token = {}) {
    const i64 from = WallMs();
    auto r = h->Get(target, token.empty() ? t.admin.token : token);
    const i64 to = WallMs();
    if (r.status != 200) {
      issues.push_back("GET " + target + ": status " + std::to_string(r.status) + " " + r.body);
      return;
    }
    Compare("GET " + target, expected, r.json, Bounds{from, to}, issues);
  }

  std::string Q_(const std::string& path) const {
    return "/dashboard-cqrs/" + path + (path.find('?') == std::string::npos ? "?" : "&") + "forceRefresh=true";
  }

  void CheckEverything() {
    Check(Q_("kpis"), ref.Kpis());
    for (const std::string p : {"week", "month", "quarter", "year"})
      Check(Q_("financial-kpis?period=" + p), ref.Financial(p));
    Check(Q_("financial-kpis"), ref.Financial("month"));
    for (const auto& p : ref.products) Check(Q_("product-kpis/" + std::to_string(p.id)), ref.ProductKpis(p.id));
    for (i64 n : {1, 2, 7, 15, 30, 31, 90, 120, 180, 199, 200, 365})
      Check(Q_("movement-kpis?days=" + std::to_string(n)), ref.MovementKpis(n));
    Check(Q_("movement-kpis"), ref.MovementKpis(7));
    Check(Q_("daily-movements?days=30"), ref.MovementKpis(30), t.empleado.token);
    Check(Q_("daily-movements"), ref.MovementKpis(7));
    for (i64 H : {1, 3, 7, 14, 60, 90, 365}) Check(Q_("predictive-kpis?days=" + std::to_string(H)), ref.Predictive(H));
    Check(Q_("predictive-kpis"), ref.Predictive(30));
    Check(Q_("all-kpis"), ref.AllKpis(true));
    Check(Q_("all-kpis"), ref.AllKpis(false), t.empleado.token);
  }

  // Runs `scenario` (which builds, checks and appends to `issues`) until the UTC day does not change
  // while it runs (twice at most), then reports the differences.
  template <typename Fn>
  void RunStable(Fn scenario) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      Reset();
      const i64 day = ref.today;
      scenario();
      if (DayOf(WallMs()) != day) continue;  // straddled midnight UTC: `today` moved under the routes
      ASSERT_TRUE(build_error.empty()) << build_error.front();
      for (std::size_t i = 0; i < issues.size() && i < 150; ++i) ADD_FAILURE() << issues[i];
      EXPECT_TRUE(issues.empty()) << issues.size() << " difference(s) between the routes and the reference";
      return;
    }
    GTEST_SKIP() << "the UTC day changed during both attempts; nothing can be concluded";
  }
};

// The scenario itself must produce what the routes are meant to show; checked on the reference so
// a change of the generator cannot silently thin the test out.
void ExpectScenarioCoverage(const Reference& ref, const std::vector<i64>& ids) {
  std::map<std::string, int> classes;
  for (const auto& p : ref.products)
    if (p.estado == "ACTIVO") ++classes[ref.ForecastOf(p).clase];
  for (const char* c : {"SMOOTH", "INTERMITTENT", "ERRATIC", "LUMPY", "INSUFFICIENT_DATA"})
    EXPECT_GT(classes[c], 0) << "no product of class " << c;
  const auto pred = ref.Predictive(30);
  EXPECT_EQ(pred.at("prediccionDemanda").as_array().size(), 10u);
  EXPECT_FALSE(pred.at("prediccionQuiebres").as_array().empty());
  EXPECT_FALSE(pred.at("reorden").as_array().empty());
  bool single_day_listed = false, twins_adjacent = false;
  const auto& demanda = pred.at("prediccionDemanda").as_array();
  for (std::size_t i = 0; i < demanda.size(); ++i) {
    const i64 id = demanda[i].at("productoId").to_number<i64>();
    if (id == ids[kSingleDay]) single_day_listed = true;
    if (id == ids[kLumpy] && i + 1 < demanda.size() &&
        demanda[i + 1].at("productoId").to_number<i64>() == ids[kLumpyTwin])
      twins_adjacent = true;
  }
  EXPECT_TRUE(single_day_listed) << "INSUFFICIENT_DATA product not among the 10 listed";
  EXPECT_TRUE(twins_adjacent) << "the tie on units is not exercised";
  const auto k = ref.Kpis();
  EXPECT_GT(k.at("productosStockBajo").to_number<i64>(), 1);
  EXPECT_GT(k.at("productosAgotados").to_number<i64>(), 0);
  EXPECT_GE(ref.moves.size(), 300u);
  std::map<i64, i64> count;
  const auto week = ref.MovementKpis(7);
  for (const auto& d : week.at("data").as_array()) ++count[d.at("movimientos").to_number<i64>()];
  EXPECT_GE(count.rbegin()->second, 2) << "no tie for diaMaxActividad in the last 7 days";
}

TEST_P(DashboardHistoryTest, TwoHundredDaysEveryFieldOfEveryRoute) {
  RunStable([&] {
    if (!Build()) return;
    ExpectScenarioCoverage(ref, ids);
    CheckEverything();
  });
}

// Another application writes the ledger with plain SQL; the triggers must keep every KPI exact.
TEST_P(DashboardHistoryTest, PlainSqlInsertsUpdatesAndDeletesKeepEveryRouteExact) {
  RunStable([&] {
    if (!Build()) return;
    auto sql = [&](const std::string& text, std::vector<store::Param> params) { h->Sql(text, std::move(params)); };
    auto step = [&](const std::string& name) {
      const std::size_t before = issues.size();
      CheckEverything();
      for (std::size_t i = before; i < issues.size(); ++i) issues[i] = "[" + name + "] " + issues[i];
    };
    step("as built");

    // 1. INSERTs: a priced SALIDA today, a legacy ENTRADA, the first sale of a product without
    //    movements, an ELIMINADO row, a row dated tomorrow; the writer also fixes one stock by hand.
    SqlMove(ids[kSmooth], false, 7, today_start + 30 * 60'000, 2150, 15050, 1340);
    SqlMove(ids[kIntermittent], true, 12, DayStart(45) + 9 * kHourMs, {}, {}, {});
    SqlMove(ids[kEmpty], false, 3, DayStart(2) + 10 * kHourMs, 1499, 4497, 999);
    SqlMove(ids[kReorder], false, 9, DayStart(1) + 10 * kHourMs, 890, 8010, 540, /*activo=*/false);
    const i64 tomorrow = SqlMove(ids[kPremium], false, 1, today_start + kDayMs + 5000, 49900, 49900, 31040);
    sql(R"(UPDATE "Producto" SET "stock" = "stock" + 4 WHERE "id" = $1)", {store::Param(ids[kEmpty])});
    ref.P(ids[kEmpty]).stock += 4;
    step("after INSERTs");

    // 2. UPDATEs of single rows: quantity and total, date into and out of the windows, type, product,
    //    state both ways, a future row brought back to today.
    auto pick = [&](int idx, bool entrada, i64 min_ago, i64 max_ago) -> RMove& {
      for (auto& m : ref.moves)
        if (m.pid == ids[idx] && m.entrada == entrada && m.activo && ref.today - m.Day() >= min_ago &&
            ref.today - m.Day() <= max_ago)
          return m;
      throw std::runtime_error("scenario has no movement to pick");
    };
    {
      RMove& m = pick(kErratic, false, 1, 6);  // within the week
      sql(R"(UPDATE "MovimientoInventario" SET "cantidad" = "cantidad" + 5, "precioTotal" = $1 WHERE "id" = $2)",
          {store::Param(Dbl(12345)), store::Param(m.id)});
      m.cantidad += 5;
      m.total = 12345;
    }
    {
      RMove& m = pick(kSmooth, false, 2, 10);  // out of the 30 days (still in 90)
      m.fecha_ms = DayStart(45) + 13 * kHourMs;
      sql(R"(UPDATE "MovimientoInventario" SET "fecha" = $1 WHERE "id" = $2)",
          {store::Param(IsoText(m.fecha_ms)), store::Param(m.id)});
    }
    {
      RMove& m = pick(kIntermittent, false, 150, 199);  // from 150+ days ago to today
      m.fecha_ms = today_start + 60'000;
      sql(R"(UPDATE "MovimientoInventario" SET "fecha" = $1 WHERE "id" = $2)",
          {store::Param(IsoText(m.fecha_ms)), store::Param(m.id)});
    }
    {
      RMove& m = pick(kReorder, false, 0, 20);  // SALIDA becomes ENTRADA
      m.entrada = true;
      sql(R"(UPDATE "MovimientoInventario" SET "tipo" = 'ENTRADA' WHERE "id" = $1)", {store::Param(m.id)});
    }
    {
      RMove& m = pick(kLumpy, false, 0, 179);  // moved to another product (the twins are no longer tied)
      m.pid = ids[kReorder];
      sql(R"(UPDATE "MovimientoInventario" SET "productoId" = $1 WHERE "id" = $2)",
          {store::Param(m.pid), store::Param(m.id)});
    }
    {
      RMove& m = pick(kStockout, false, 0, 3);  // ACTIVO → ELIMINADO
      m.activo = false;
      sql(R"(UPDATE "MovimientoInventario" SET "estado" = 'ELIMINADO' WHERE "id" = $1)", {store::Param(m.id)});
    }
    for (auto& m : ref.moves) {  // one ELIMINADO → ACTIVO
      if (m.activo || m.pid == ids[kReorder]) continue;
      m.activo = true;
      sql(R"(UPDATE "MovimientoInventario" SET "estado" = 'ACTIVO' WHERE "id" = $1)", {store::Param(m.id)});
      break;
    }
    {
      RMove& m = ref.M(tomorrow);  // tomorrow → today
      m.fecha_ms = today_start + 2 * 60'000;
      sql(R"(UPDATE "MovimientoInventario" SET "fecha" = $1 WHERE "id" = $2)",
          {store::Param(IsoText(m.fecha_ms)), store::Param(m.id)});
    }
    step("after single-row UPDATEs");

    // 3. Bulk UPDATEs: forget the cost of every large SALIDA of kErratic (legacy cost = current price),
    //    prices and states of products changed by hand.
    sql(R"(UPDATE "MovimientoInventario" SET "costoUnitario" = NULL WHERE "productoId" = $1 AND "tipo" = 'SALIDA'
           AND "cantidad" >= 20)",
        {store::Param(ids[kErratic])});
    for (auto& m : ref.moves)
      if (m.pid == ids[kErratic] && !m.entrada && m.cantidad >= 20) m.costo.reset();
    sql(R"(UPDATE "MovimientoInventario" SET "precioUnitario" = NULL, "precioTotal" = NULL WHERE "productoId" = $1)",
        {store::Param(ids[kPremium])});
    for (auto& m : ref.moves)
      if (m.pid == ids[kPremium]) m.unit.reset(), m.total.reset();
    sql(R"(UPDATE "Producto" SET "precioCompra" = 7.77, "precioVenta" = 12.34 WHERE "id" = $1)",
        {store::Param(ids[kErratic])});
    ref.P(ids[kErratic]).pc = 777;
    ref.P(ids[kErratic]).pv = 1234;
    sql(R"(UPDATE "Producto" SET "precioVenta" = 520.00 WHERE "id" = $1)", {store::Param(ids[kPremium])});
    ref.P(ids[kPremium]).pv = 52000;
    sql(R"(UPDATE "Producto" SET "estado" = 'INACTIVO' WHERE "id" = $1)", {store::Param(ids[kIntermittent])});
    ref.P(ids[kIntermittent]).estado = "INACTIVO";
    sql(R"(UPDATE "Producto" SET "estado" = 'ACTIVO' WHERE "id" = $1)", {store::Param(ids[kInactive])});
    ref.P(ids[kInactive]).estado = "ACTIVO";
    // Legacy oddities: a negative stock (stock⁺ = 0, AGOTADO, never a stock-out, reorder from −3) and
    // a creadoEn after today (its series is today alone).
    sql(R"(UPDATE "Producto" SET "stock" = -3 WHERE "id" = $1)", {store::Param(ids[kReorder])});
    ref.P(ids[kReorder]).stock = -3;
    sql(R"(UPDATE "Producto" SET "creadoEn" = $1 WHERE "id" = $2)",
        {store::Param(IsoText(today_start + kDayMs + 10 * kHourMs)), store::Param(ids[kNew])});
    ref.P(ids[kNew]).creado_day = ref.today + 1;
    step("after bulk UPDATEs");

    // 4. DELETEs: one row, every row of a product older than 100 days, and a whole product (its
    //    movements go by ON DELETE CASCADE).
    {
      RMove& m = pick(kNew, false, 0, 8);
      sql(R"(DELETE FROM "MovimientoInventario" WHERE "id" = $1)", {store::Param(m.id)});
      const i64 gone = m.id;
      std::erase_if(ref.moves, [&](const RMove& x) { return x.id == gone; });
    }
    {
      const i64 cutoff = DayStart(100);
      sql(R"(DELETE FROM "MovimientoInventario" WHERE "productoId" = $1 AND "fecha" < $2)",
          {store::Param(ids[kDiscounted]), store::Param(IsoText(cutoff))});
      std::erase_if(ref.moves, [&](const RMove& x) { return x.pid == ids[kDiscounted] && x.fecha_ms < cutoff; });
    }
    {
      const i64 gone = ids[kFree];
      sql(R"(DELETE FROM "Producto" WHERE "id" = $1)", {store::Param(gone)});
      std::erase_if(ref.moves, [&](const RMove& x) { return x.pid == gone; });
      std::erase_if(ref.products, [&](const RProduct& p) { return p.id == gone; });
      auto r = h->Get(Q_("product-kpis/" + std::to_string(gone)), t.admin.token);
      if (r.status != 404) issues.push_back("product-kpis of a deleted product: status " + std::to_string(r.status));
    }
    step("after DELETEs");
  });
}

IAM_API_BACKENDS(DashboardHistoryTest);

}  // namespace
}  // namespace iam::test
