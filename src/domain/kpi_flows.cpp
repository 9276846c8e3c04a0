#include "domain/kpi_flows.hpp"

#include <map>

namespace iam::domain {

FlowSums& FlowSums::operator+=(const FlowSums& o) {
  movimientos += o.movimientos;
  cantidad += o.cantidad;
  total_conocido += o.total_conocido;
  cantidad_sin_total += o.cantidad_sin_total;
  costo_conocido += o.costo_conocido;
  cantidad_sin_costo += o.cantidad_sin_costo;
  return *this;
}

double SalidaTotal(const FlowSums& salidas, const ProductSnapshot& p) {
  return salidas.total_conocido + static_cast<double>(salidas.cantidad_sin_total) * p.precio_venta;
}

double EntradaTotal(const FlowSums& entradas, const ProductSnapshot& p) {
  return entradas.total_conocido + static_cast<double>(entradas.cantidad_sin_total) * p.precio_compra;
}

double CostoTotal(const FlowSums& flows, const ProductSnapshot& p) {
  return flows.costo_conocido + static_cast<double>(flows.cantidad_sin_costo) * p.precio_compra;
}

std::vector<ProductFlows> SumByProduct(std::span<const DailyFlows> rows, DayWindow window) {
  std::map<Id, ProductFlows> sums;
  for (const DailyFlows& r : rows) {
    if (!window.Contains(r.dia)) continue;
    ProductFlows& s = sums[r.producto_id];
    s.producto_id = r.producto_id;
    s.entradas += r.entradas;
    s.salidas += r.salidas;
  }
  std::vector<ProductFlows> out;
  out.reserve(sums.size());
  for (auto& [id, s] : sums) out.push_back(s);
  return out;
}

SnapshotIndex::SnapshotIndex(std::span<const ProductSnapshot> products) {
  missing_.precio_compra = 0;
  missing_.precio_venta = 0;
  for (const ProductSnapshot& p : products) by_id_.emplace(p.id, &p);
}

const ProductSnapshot& SnapshotIndex::Find(Id id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? missing_ : *it->second;
}

}  // namespace iam::domain
