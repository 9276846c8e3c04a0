#include "domain/movement_kpis.hpp"

#include "domain/kpi_exact.hpp"
#include "domain/kpi_rounding.hpp"

namespace iam::domain {
namespace {

// CRECIENTE when (now − before)/before > 1/10, DECRECIENTE when < −1/10, decided exactly.
// REQUIRES: before > 0.
Trend RelativeChangeTrend(std::int64_t now, std::int64_t before) {
  if (CompareRatio(now - before, before, 1, 10) > 0) return Trend::kCreciente;
  if (CompareRatio(now - before, before, -1, 10) < 0) return Trend::kDecreciente;
  return Trend::kEstable;
}

// The zero-baseline rule shared by both trends: growth from nothing is CRECIENTE.
Trend TrendFromTotals(std::int64_t now, std::int64_t before) {
  if (before <= 0) return now > 0 ? Trend::kCreciente : Trend::kEstable;
  return RelativeChangeTrend(now, before);
}

MovementSummary Summarize(const std::vector<DayMovements>& data) {
  MovementSummary s;
  std::vector<std::int64_t> salidas;
  std::int64_t best = 0;
  for (const DayMovements& d : data) {
    s.total_entradas += d.entradas;
    s.total_salidas += d.salidas;
    s.total_movimientos += d.movimientos;
    salidas.push_back(d.salidas);
    if (d.movimientos > best) {  // strict: the earliest day keeps a tie
      best = d.movimientos;
      s.dia_max_actividad = d.fecha;
    }
  }
  const double n = static_cast<double>(data.size());
  s.avg_entradas_diarias = Round2(SafeRatio(static_cast<double>(s.total_entradas), n));
  s.avg_salidas_diarias = Round2(SafeRatio(static_cast<double>(s.total_salidas), n));
  s.tendencia = HalvesTrend(salidas);
  return s;
}

}  // namespace

std::string_view TrendName(Trend t) {
  switch (t) {
    case Trend::kCreciente: return "CRECIENTE";
    case Trend::kDecreciente: return "DECRECIENTE";
    case Trend::kEstable: break;
  }
  return "ESTABLE";
}

Trend HalvesTrend(std::span<const std::int64_t> salidas_por_dia) {
  const std::size_t h = salidas_por_dia.size() / 2;
  if (h == 0) return Trend::kEstable;
  std::int64_t first = 0, last = 0;
  for (std::size_t i = 0; i < h; ++i) {
    first += salidas_por_dia[i];
    last += salidas_por_dia[salidas_por_dia.size() - 1 - i];
  }
  // a1 = first/h and a2 = last/h: h cancels in (a2 − a1)/a1, and a1 = 0 ⇔ first = 0.
  if (first == 0) return last > 0 ? Trend::kCreciente : Trend::kEstable;
  return RelativeChangeTrend(last, first);
}

MovementKpis ComputeMovementKpis(std::span<const DailyFlows> rows, std::span<const ProductSnapshot> products,
                                 EpochDay today, int days) {
  const DayWindow window = LastDays(today, days);
  std::vector<double> valor_entradas(static_cast<std::size_t>(days)), valor_salidas(valor_entradas.size());
  MovementKpis k;
  k.data.resize(valor_entradas.size());
  for (std::size_t i = 0; i < k.data.size(); ++i) k.data[i].fecha = window.first + static_cast<EpochDay>(i);
  SnapshotIndex index(products);
  for (const DailyFlows& r : rows) {
    if (!window.Contains(r.dia)) continue;
    const auto i = static_cast<std::size_t>(r.dia - window.first);
    const ProductSnapshot& p = index.Find(r.producto_id);
    k.data[i].entradas += r.entradas.cantidad;
    k.data[i].salidas += r.salidas.cantidad;
    k.data[i].movimientos += r.entradas.movimientos + r.salidas.movimientos;
    valor_entradas[i] += EntradaTotal(r.entradas, p);
    valor_salidas[i] += SalidaTotal(r.salidas, p);
  }
  for (std::size_t i = 0; i < k.data.size(); ++i) {
    k.data[i].neto = k.data[i].entradas - k.data[i].salidas;
    k.data[i].valor_entradas = Round2(valor_entradas[i]);
    k.data[i].valor_salidas = Round2(valor_salidas[i]);
  }
  k.summary = Summarize(k.data);
  return k;
}

SalesTrend ComputeSalesTrend(std::int64_t a, std::int64_t b) {
  SalesTrend t;
  t.unidades_actual = a;
  t.unidades_anterior = b;
  t.porcentaje_cambio = Round2(RatioOrNull(static_cast<double>(a - b) * 100, static_cast<double>(b)));
  t.tendencia = TrendFromTotals(a, b);
  return t;
}

SalesTrend ComputeSalesTrend(std::span<const DailyFlows> rows, EpochDay today) {
  const DayWindow actual = LastDays(today, 60);
  const DayWindow anterior{today - 119, today - 60};
  std::int64_t a = 0, b = 0;
  for (const DailyFlows& r : rows) {
    if (actual.Contains(r.dia)) a += r.salidas.cantidad;
    if (anterior.Contains(r.dia)) b += r.salidas.cantidad;
  }
  return ComputeSalesTrend(a, b);
}

}  // namespace iam::domain
