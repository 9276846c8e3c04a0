// The tenant and product figures of kpis.md: `kpis`, `financial-kpis` and `product-kpis`, computed
// from product snapshots and window sums of movements (kpi_flows.hpp). Every double is rounded with
// Round2 as the last step; stored prices are passed through unrounded. Pure, thread-safe; ratios with
// a denominator <= 0 are 0 (or nullopt where the spec says null). `timestamp`, names and
// `ultimoMovimiento` are the caller's to add.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "domain/error.hpp"
#include "domain/kpi_flows.hpp"

namespace iam::domain {

struct InventoryKpis {
  std::int64_t total_productos = 0;         // estado ACTIVO or INACTIVO
  std::int64_t productos_stock_bajo = 0;    // ACTIVO, stock <= stockMinimo
  std::int64_t productos_agotados = 0;      // ACTIVO, stock <= 0
  std::int64_t movimientos_ultimo_mes = 0;  // both types
  double valor_total_inventario = 0;
  double valor_venta_inventario = 0;
  double margen_promedio = 0;
  double rotacion_inventario = 0;
};

// `products`: every product of the tenant (any estado); `last30`: flows of the last 30 days.
InventoryKpis ComputeInventoryKpis(std::span<const ProductSnapshot> products, std::span<const ProductFlows> last30);

struct FinancialKpis {
  int dias = 0;
  double ingresos = 0, costo_ventas = 0, utilidad_bruta = 0, margen_bruto = 0;
  double capital_trabajo = 0, costo_almacenamiento = 0, costo_oportunidad = 0, margen_neto = 0;
  double roi_inventario = 0, rotacion_inventario = 0, dias_inventario = 0, eficiencia_operativa = 0;
};

// week → 7, month → 30, quarter → 90, year → 365; anything else → kInvalidArgument. (An absent
// `period` is the caller's to default to "month".)
Result<int> PeriodDays(std::string_view period);

struct FinancialInputs {
  int dias = 30;                            // D
  std::span<const ProductFlows> window;     // flows of the last D days
  std::int64_t unidades_salida_30 = 0;      // U: Σ SALIDA cantidad of the last 30 days, whatever D
};

FinancialKpis ComputeFinancialKpis(std::span<const ProductSnapshot> products, const FinancialInputs& in);

struct ProductKpis {
  double valor_stock = 0;
  std::int64_t entradas30 = 0, salidas30 = 0;
  double ingresos30 = 0, costo_ventas30 = 0, margen30 = 0, demanda_diaria = 0;
  std::optional<double> dias_cobertura;  // null when demandaDiaria = 0
  std::string_view estado_stock;         // AGOTADO | BAJO | NORMAL
};

// `entradas30`/`salidas30`: this product's flows of the last 30 days (zeros when it has none).
ProductKpis ComputeProductKpis(const ProductSnapshot& p, const FlowSums& entradas30, const FlowSums& salidas30);

// AGOTADO if stock <= 0, else BAJO if stock <= stockMinimo, else NORMAL.
std::string_view EstadoStock(const ProductSnapshot& p);

}  // namespace iam::domain
