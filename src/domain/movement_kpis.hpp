// `movement-kpis` (daily movements of the last N days with a summary and a half-vs-half trend) and
// `tendenciasVentas` (last 60 days against the 60 before) of kpis.md, from daily aggregate rows.
// Threshold decisions are exact integer comparisons. Pure, thread-safe; an empty window yields N
// zero days, `dia_max_actividad` nullopt and ESTABLE.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "domain/kpi_flows.hpp"
#include "domain/kpi_window.hpp"

namespace iam::domain {

enum class Trend { kCreciente, kDecreciente, kEstable };
std::string_view TrendName(Trend t);  // CRECIENTE | DECRECIENTE | ESTABLE

struct DayMovements {
  EpochDay fecha = 0;
  std::int64_t entradas = 0, salidas = 0, neto = 0;
  double valor_entradas = 0, valor_salidas = 0;  // rounded
  std::int64_t movimientos = 0;
};

struct MovementSummary {
  std::int64_t total_entradas = 0, total_salidas = 0, total_movimientos = 0;
  double avg_entradas_diarias = 0, avg_salidas_diarias = 0;  // rounded
  std::optional<EpochDay> dia_max_actividad;                 // most movements, earliest on ties
  Trend tendencia = Trend::kEstable;
};

struct MovementKpis {
  std::vector<DayMovements> data;  // exactly N days, oldest first
  MovementSummary summary;
};

// `rows`: daily aggregates (kpi_flows.hpp) of the tenant; rows outside the window are ignored.
// `products`: snapshots for the legacy fallback prices of total(m). REQUIRES: days >= 1.
MovementKpis ComputeMovementKpis(std::span<const DailyFlows> rows, std::span<const ProductSnapshot> products,
                                 EpochDay today, int days);

// The summary `tendencia` from the per-day SALIDA units, oldest first: h = floor(N/2) first days
// against h last days (the middle day of an odd N in neither).
Trend HalvesTrend(std::span<const std::int64_t> salidas_por_dia);

struct SalesTrend {
  std::int64_t unidades_actual = 0, unidades_anterior = 0;
  std::optional<double> porcentaje_cambio;  // rounded; null when unidades_anterior = 0
  Trend tendencia = Trend::kEstable;
};

// a = SALIDA units of today−59…today, b = of today−119…today−60.
SalesTrend ComputeSalesTrend(std::int64_t a, std::int64_t b);
SalesTrend ComputeSalesTrend(std::span<const DailyFlows> rows, EpochDay today);

}  // namespace iam::domain
