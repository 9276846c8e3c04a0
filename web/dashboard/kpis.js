// The KPI cards: inventory (GET /dashboard-cqrs/kpis, every role that may read the dashboard) and
// finance (GET /dashboard-cqrs/financial-kpis?period=, ADMIN and SUPERADMIN). Each card carries
// data-kpi="<API field>", so a reader (or the end-to-end test) can match it with the API's value.
import { api } from './api.js';
import { fmt, h } from './format.js';

const INVENTORY = [
  { key: 'totalProductos', label: 'Productos', format: fmt.int, hint: 'Activos e inactivos' },
  { key: 'productosStockBajo', label: 'Stock bajo', format: fmt.int, hint: 'Stock ≤ mínimo', tone: (v) => (v > 0 ? 'warn' : 'good') },
  { key: 'productosAgotados', label: 'Agotados', format: fmt.int, hint: 'Stock ≤ 0', tone: (v) => (v > 0 ? 'bad' : 'good') },
  { key: 'movimientosUltimoMes', label: 'Movimientos (30 días)', format: fmt.int },
  { key: 'valorTotalInventario', label: 'Valor del inventario', format: fmt.money, hint: 'A precio de compra' },
  { key: 'valorVentaInventario', label: 'Valor a precio de venta', format: fmt.money },
  { key: 'margenPromedio', label: 'Margen promedio', format: fmt.pct },
  { key: 'rotacionInventario', label: 'Rotación (30 días)', format: fmt.dec, hint: 'Costo de ventas / inventario' },
];

const FINANCIAL = [
  { key: 'ingresos', label: 'Ingresos', format: fmt.money },
  { key: 'costoVentas', label: 'Costo de ventas', format: fmt.money },
  { key: 'utilidadBruta', label: 'Utilidad bruta', format: fmt.money, tone: (v) => (v < 0 ? 'bad' : null) },
  { key: 'margenBruto', label: 'Margen bruto', format: fmt.pct },
  { key: 'margenNeto', label: 'Margen neto', format: fmt.pct, tone: (v) => (v < 0 ? 'bad' : null) },
  { key: 'roiInventario', label: 'ROI del inventario', format: fmt.pct },
  { key: 'rotacionInventario', label: 'Rotación', format: fmt.dec },
  { key: 'diasInventario', label: 'Días de inventario', format: fmt.days },
  { key: 'costoAlmacenamiento', label: 'Costo de almacenamiento', format: fmt.money },
  { key: 'costoOportunidad', label: 'Costo de oportunidad', format: fmt.money },
  { key: 'eficienciaOperativa', label: 'Eficiencia operativa', format: fmt.pct },
];

function cards(container, defs, data) {
  container.replaceChildren(...defs.map((d) => {
    const v = data[d.key];
    const tone = d.tone?.(v);
    return h('div', { class: `kpi${tone ? ` ${tone}` : ''}`, dataset: { kpi: d.key } },
      h('div', { class: 'label' }, d.label),
      h('div', { class: 'value' }, d.format(v)),
      d.hint ? h('div', { class: 'hint' }, d.hint) : null);
  }));
}

function cacheBadge(badge, r) {
  badge.textContent = r.cache ? `X-Cache: ${r.cache}${r.tier ? ` (${r.tier})` : ''}` : '';
}

export async function loadInventory(container, badge) {
  const r = await api('/dashboard-cqrs/kpis');
  cards(container, INVENTORY, r.data);
  cacheBadge(badge, r);
  return r.data;
}

export async function loadFinancial(container, period) {
  const r = await api(`/dashboard-cqrs/financial-kpis?period=${encodeURIComponent(period)}`);
  cards(container, FINANCIAL, r.data);
  return r.data;
}
