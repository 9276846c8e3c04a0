#include "domain/inventory_kpis.hpp"

#include <algorithm>

#include "domain/kpi_rounding.hpp"

namespace iam::domain {
namespace {

bool IsActivo(const ProductSnapshot& p) { return p.estado == "ACTIVO"; }
double StockPlus(const ProductSnapshot& p) { return static_cast<double>(std::max<std::int64_t>(p.stock, 0)); }

// Σ over ACTIVO products of stock⁺ × precioCompra: valorTotalInventario and capitalTrabajo.
double InventoryValueAtCost(std::span<const ProductSnapshot> products) {
  double sum = 0;
  for (const ProductSnapshot& p : products)
    if (IsActivo(p)) sum += StockPlus(p) * p.precio_compra;
  return sum;
}

double CostOfSales(std::span<const ProductSnapshot> products, std::span<const ProductFlows> flows) {
  SnapshotIndex index(products);
  double sum = 0;
  for (const ProductFlows& f : flows) sum += CostoTotal(f.salidas, index.Find(f.producto_id));
  return sum;
}

double Revenue(std::span<const ProductSnapshot> products, std::span<const ProductFlows> flows) {
  SnapshotIndex index(products);
  double sum = 0;
  for (const ProductFlows& f : flows) sum += SalidaTotal(f.salidas, index.Find(f.producto_id));
  return sum;
}

// 0.6·A + 0.4·R of financial-kpis.
double OperationalEfficiency(std::span<const ProductSnapshot> products, std::int64_t units_out_30) {
  std::int64_t active = 0, low = 0;
  double stock_plus = 0;
  for (const ProductSnapshot& p : products) {
    if (!IsActivo(p)) continue;
    ++active;
    low += p.stock <= p.stock_minimo;
    stock_plus += StockPlus(p);
  }
  const double a = SafeRatio(static_cast<double>(active - low), static_cast<double>(active)) * 100;
  const double r = std::min(100.0, SafeRatio(static_cast<double>(units_out_30), stock_plus) * 100);
  return 0.6 * a + 0.4 * r;
}

}  // namespace

InventoryKpis ComputeInventoryKpis(std::span<const ProductSnapshot> products, std::span<const ProductFlows> last30) {
  InventoryKpis k;
  double margin_sum = 0;
  std::int64_t margin_count = 0;
  for (const ProductSnapshot& p : products) {
    k.total_productos += p.estado == "ACTIVO" || p.estado == "INACTIVO";
    if (!IsActivo(p)) continue;
    k.productos_stock_bajo += p.stock <= p.stock_minimo;
    k.productos_agotados += p.stock <= 0;
    k.valor_venta_inventario += StockPlus(p) * p.precio_venta;
    if (p.precio_compra > 0) {
      margin_sum += (p.precio_venta - p.precio_compra) / p.precio_compra * 100;
      ++margin_count;
    }
  }
  for (const ProductFlows& f : last30) k.movimientos_ultimo_mes += f.entradas.movimientos + f.salidas.movimientos;
  k.valor_total_inventario = InventoryValueAtCost(products);
  k.margen_promedio = Round2(SafeRatio(margin_sum, static_cast<double>(margin_count)));
  k.rotacion_inventario = Round2(SafeRatio(CostOfSales(products, last30), k.valor_total_inventario));
  k.valor_total_inventario = Round2(k.valor_total_inventario);
  k.valor_venta_inventario = Round2(k.valor_venta_inventario);
  return k;
}

Result<int> PeriodDays(std::string_view period) {
  if (period == "week") return 7;
  if (period == "month") return 30;
  if (period == "quarter") return 90;
  if (period == "year") return 365;
  return Fail(Error::InvalidArgument("period debe ser week, month, quarter o year"));
}

FinancialKpis ComputeFinancialKpis(std::span<const ProductSnapshot> products, const FinancialInputs& in) {
  const double d = in.dias;
  const double ingresos = Revenue(products, in.window);
  const double costo = CostOfSales(products, in.window);
  const double utilidad = ingresos - costo;
  const double capital = InventoryValueAtCost(products);
  const double almacenamiento = capital * 0.02 * d / 30;
  const double oportunidad = capital * 0.08 * d / 365;
  FinancialKpis k;
  k.dias = in.dias;
  k.ingresos = Round2(ingresos);
  k.costo_ventas = Round2(costo);
  k.utilidad_bruta = Round2(utilidad);
  k.margen_bruto = Round2(SafeRatio(utilidad, ingresos) * 100);
  k.capital_trabajo = Round2(capital);
  k.costo_almacenamiento = Round2(almacenamiento);
  k.costo_oportunidad = Round2(oportunidad);
  k.margen_neto = Round2(SafeRatio(utilidad - almacenamiento - oportunidad, ingresos) * 100);
  k.roi_inventario = Round2(SafeRatio(utilidad, capital) * 100);
  k.rotacion_inventario = Round2(SafeRatio(costo, capital));
  k.dias_inventario = Round2(SafeRatio(capital, costo) * d);
  k.eficiencia_operativa = Round2(OperationalEfficiency(products, in.unidades_salida_30));
  return k;
}

std::string_view EstadoStock(const ProductSnapshot& p) {
  if (p.stock <= 0) return "AGOTADO";
  if (p.stock <= p.stock_minimo) return "BAJO";
  return "NORMAL";
}

ProductKpis ComputeProductKpis(const ProductSnapshot& p, const FlowSums& entradas30, const FlowSums& salidas30) {
  const double ingresos = SalidaTotal(salidas30, p);
  const double costo = CostoTotal(salidas30, p);
  const double demanda = static_cast<double>(salidas30.cantidad) / 30;
  ProductKpis k;
  k.valor_stock = Round2(StockPlus(p) * p.precio_compra);
  k.entradas30 = entradas30.cantidad;
  k.salidas30 = salidas30.cantidad;
  k.ingresos30 = Round2(ingresos);
  k.costo_ventas30 = Round2(costo);
  k.margen30 = Round2(SafeRatio(ingresos - costo, ingresos) * 100);
  k.demanda_diaria = Round2(demanda);
  k.dias_cobertura = Round2(RatioOrNull(StockPlus(p), demanda));
  k.estado_stock = EstadoStock(p);
  return k;
}

}  // namespace iam::domain
