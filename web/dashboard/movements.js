// Units in (entradas) and out (salidas) per day over the last 7, 30 or 90 days, from
// GET /dashboard-cqrs/movement-kpis?days=N, as grouped bars, with the route's summary below.
import { api } from './api.js';
import { drawChart } from './charts.js';
import { dayLabel, dayLong, fmt, h } from './format.js';

const TREND = { CRECIENTE: 'Creciente', DECRECIENTE: 'Decreciente', ESTABLE: 'Estable' };

export async function loadMovements(chart, summary, days) {
  const { data } = await api(`/dashboard-cqrs/movement-kpis?days=${days}`);
  const rows = data.data;
  drawChart(chart, {
    labels: rows.map((d) => dayLabel(d.fecha)),
    tooltips: rows.map((d) => `${dayLong(d.fecha)}\nEntradas: ${fmt.int(d.entradas)}\nSalidas: ${fmt.int(d.salidas)}\n`
      + `Neto: ${fmt.int(d.neto)}\nMovimientos: ${fmt.int(d.movimientos)}`),
    series: [
      { name: 'Entradas (unidades)', kind: 'bar', cls: 's-in', values: rows.map((d) => d.entradas) },
      { name: 'Salidas (unidades)', kind: 'bar', cls: 's-out', values: rows.map((d) => d.salidas) },
    ],
    format: fmt.int,
    requirePositive: true,
    empty: `Sin movimientos en los últimos ${days} días.`,
    ariaLabel: `Entradas y salidas por día, últimos ${days} días`,
  });
  const s = data.summary;
  const item = (key, label, value) => h('div', { dataset: { summary: key } }, h('dt', {}, label), h('dd', {}, value));
  summary.replaceChildren(
    item('totalEntradas', 'Total de entradas', fmt.int(s.totalEntradas)),
    item('totalSalidas', 'Total de salidas', fmt.int(s.totalSalidas)),
    item('totalMovimientos', 'Movimientos', fmt.int(s.totalMovimientos)),
    item('avgEntradasDiarias', 'Entradas por día', fmt.dec(s.avgEntradasDiarias)),
    item('avgSalidasDiarias', 'Salidas por día', fmt.dec(s.avgSalidasDiarias)),
    item('diaMaxActividad', 'Día de más actividad', s.diaMaxActividad ? dayLong(s.diaMaxActividad) : '—'),
    item('tendencia', 'Tendencia de salidas', TREND[s.tendencia] ?? s.tendencia),
  );
  return data;
}
