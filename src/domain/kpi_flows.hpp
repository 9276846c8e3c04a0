// Inputs of the KPI math as plain, additive aggregates of ACTIVO movements (kpis.md), shaped so a
// caller can fill them from daily aggregate rows instead of individual movements. The legacy
// fallbacks of costo(m) and total(m) use the product's *current* prices, so the aggregates keep the
// quantities that need them apart and the valuation happens here, where the product is known.
// Pure, thread-safe. A flow whose product is absent from the snapshot list gets fallback price 0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/entities.hpp"
#include "domain/kpi_window.hpp"

namespace iam::domain {

// The current state of one product (any estado; ELIMINADO ones matter for the fallback prices).
struct ProductSnapshot {
  Id id = 0;
  std::string estado = "ACTIVO";  // ACTIVO | INACTIVO | ELIMINADO
  std::int64_t stock = 0;
  std::int64_t stock_minimo = 0;
  double precio_compra = 0;
  double precio_venta = 0;
};

// Sums over the ACTIVO movements of one type (ENTRADA or SALIDA) of one product, over one day or a
// window. Every movement contributes to exactly one of the two "total" parts and one of the two
// "costo" parts:
//   total(m): precioTotal if not null → total_conocido += precioTotal;
//             else precioUnitario not null → total_conocido += cantidad × precioUnitario;
//             else cantidad_sin_total += cantidad (valued at the current precioVenta for SALIDA,
//             precioCompra for ENTRADA).
//   costo(m): costoUnitario not null → costo_conocido += cantidad × costoUnitario;
//             else cantidad_sin_costo += cantidad (valued at the current precioCompra).
struct FlowSums {
  std::int64_t movimientos = 0;  // number of movements
  std::int64_t cantidad = 0;     // Σ cantidad
  double total_conocido = 0;
  std::int64_t cantidad_sin_total = 0;
  double costo_conocido = 0;
  std::int64_t cantidad_sin_costo = 0;

  FlowSums& operator+=(const FlowSums& o);
};

// Both types of one product, over a window the caller chose (e.g. SQL SUM … GROUP BY product).
struct ProductFlows {
  Id producto_id = 0;
  FlowSums entradas, salidas;
};

// A daily aggregate row: one product on one UTC day. A row whose cantidad_sin_* parts are zero needs
// no product, so a caller may also pass a tenant-wide row per day (any producto_id) for the known
// parts plus per-product rows carrying only the legacy quantities.
struct DailyFlows {
  Id producto_id = 0;
  EpochDay dia = 0;
  FlowSums entradas, salidas;
};

// Σ total(m) and Σ cantidad × costo(m) of a flow, given the product's current prices.
double SalidaTotal(const FlowSums& salidas, const ProductSnapshot& p);
double EntradaTotal(const FlowSums& entradas, const ProductSnapshot& p);
double CostoTotal(const FlowSums& flows, const ProductSnapshot& p);

// Sums the daily rows that fall in `window` by product, ordered by producto_id.
std::vector<ProductFlows> SumByProduct(std::span<const DailyFlows> rows, DayWindow window);

// Lookup of snapshots by id; unknown ids answer a default snapshot (all prices 0).
// REQUIRES: the snapshots outlive the index (it keeps pointers into the span).
class SnapshotIndex {
 public:
  explicit SnapshotIndex(std::span<const ProductSnapshot> products);
  const ProductSnapshot& Find(Id id) const;

 private:
  std::unordered_map<Id, const ProductSnapshot*> by_id_;
  ProductSnapshot missing_;
};

}  // namespace iam::domain
