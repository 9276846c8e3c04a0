// Forecasts from GET /dashboard-cqrs/predictive-kpis: the top products' daily demand forecast (a
// table; choosing a row draws that product's daily demand of the last 90 days, its 7-day average
// and the forecast over the horizon), the reorder list and the expected stock-outs. A product's
// daily demand is read from the ledger (GET /movimientos?productoId&tipo=SALIDA&desde), summed per
// UTC day: the same series the forecast is computed from (kpis.md "Demand series").
import { api } from './api.js';
import { drawChart } from './charts.js';
import { addDays, dayLabel, dayLong, fmt, fillRows, h } from './format.js';

const HISTORY_DAYS = 90;
const VISIBLE_ROWS = 8;  // of the reorder and stock-out lists (up to 50 each): the rest behind a button
const MAX_PAGES = 30;  // 3,000 SALIDA movements of one product in 90 days: beyond that, say so
const METHOD = { SES: 'Suavizado exponencial', SBA: 'Croston (SBA)', SMA: 'Promedio simple' };
const CLASS = {
  SMOOTH: ['Regular', 'good'], INTERMITTENT: ['Intermitente', 'warn'], ERRATIC: ['Errática', 'warn'],
  LUMPY: ['Irregular', 'bad'], INSUFFICIENT_DATA: ['Pocos datos', ''],
};
const TREND = { CRECIENTE: 'creciente', DECRECIENTE: 'decreciente', ESTABLE: 'estable' };

// Units sold per UTC day from `first` to `last` (YYYY-MM-DD, inclusive) for one product.
async function dailyDemand(productoId, first, last) {
  const units = new Map();
  let page = 1;
  let pages = 1;
  do {
    const { data } = await api(`/movimientos?productoId=${productoId}&tipo=SALIDA&desde=${first}&hasta=${last}&limit=100&page=${page}`);
    for (const m of data.movimientos) {
      const day = m.fecha.slice(0, 10);
      units.set(day, (units.get(day) ?? 0) + m.cantidad);
    }
    pages = data.totalPages;
    page += 1;
  } while (page <= pages && page <= MAX_PAGES);
  return { units, partial: pages > MAX_PAGES };
}

function movingAverage(values, window) {
  return values.map((_, i) => {
    if (i + 1 < window) return null;
    let sum = 0;
    for (let k = i + 1 - window; k <= i; k++) sum += values[k];
    return sum / window;
  });
}

async function drawProduct(els, product, today, horizon) {
  els.title.textContent = product.nombre ?? `Producto ${product.productoId}`;
  els.note.textContent = 'Cargando historia…';
  const first = addDays(today, -(HISTORY_DAYS - 1));
  const { units, partial } = await dailyDemand(product.productoId, first, today);
  const history = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(first, i));
  const future = Array.from({ length: horizon }, (_, i) => addDays(today, i + 1));
  const demand = history.map((d) => units.get(d) ?? 0);
  const avg = movingAverage(demand, 7);
  const f = product.demandaDiaria;
  const pad = (arr, n) => arr.concat(Array(n).fill(null));
  drawChart(els.chart, {
    labels: [...history, ...future].map(dayLabel),
    tooltips: [...history.map((d, i) => `${dayLong(d)}\nVendidas: ${fmt.int(demand[i])}${avg[i] != null ? `\nMedia 7 días: ${fmt.num(avg[i])}` : ''}`),
      ...future.map((d) => `${dayLong(d)}\nPronóstico: ${fmt.dec(f)} por día`)],
    series: [
      { name: 'Demanda diaria (unidades vendidas)', kind: 'bar', cls: 's-demand', values: pad(demand, horizon) },
      { name: 'Media de 7 días', kind: 'line', cls: 's-avg', values: pad(avg, horizon) },
      // The forecast starts at today's point so the line joins the history.
      { name: `Pronóstico (${METHOD[product.metodo] ?? product.metodo})`, kind: 'line', cls: 's-forecast', dashed: true,
        values: [...Array(HISTORY_DAYS - 1).fill(null), f, ...Array(horizon).fill(f)] },
    ],
    format: fmt.num,
    empty: 'Sin ventas en los últimos 90 días.',
    ariaLabel: `Demanda diaria y pronóstico de ${product.nombre}`,
  });
  els.chart.dataset.productoId = String(product.productoId);
  els.note.textContent = `${fmt.dec(f)} unidades por día durante los próximos ${horizon} días `
    + `(${fmt.dec(product.demandaEstimada)} en total)`
    + `${product.alpha != null ? `, α = ${fmt.num(product.alpha)}` : ''}.`
    + `${partial ? ' Historia parcial: demasiados movimientos para mostrarlos todos.' : ''}`;
}

function select(els, rows, index, today, horizon) {
  [...els.tbody.children].forEach((tr, i) => tr.setAttribute('aria-selected', String(i === index)));
  drawProduct(els, rows[index], today, horizon).catch((e) => { els.note.textContent = e.message; });
}

export async function loadForecast(els, horizon = 30) {
  const { data } = await api(`/dashboard-cqrs/predictive-kpis?days=${horizon}`);
  const today = data.timestamp.slice(0, 10);
  els.horizonHead.textContent = `Estimada (${data.horizonteDias} días)`;
  const demand = data.prediccionDemanda;
  fillRows(els.tbody, demand.map((p, i) => {
    const [cls, tone] = CLASS[p.clasificacion] ?? [p.clasificacion, ''];
    const tr = h('tr', { tabindex: 0, 'aria-selected': 'false', dataset: { productoId: p.productoId } },
      h('td', { class: 'name' }, p.nombre ?? `#${p.productoId}`),
      h('td', { class: 'wrap' }, `${p.metodo} `, h('span', { class: `tag ${tone}` }, cls)),
      h('td', { class: 'num' }, fmt.dec(p.demandaDiaria)),
      h('td', { class: 'num' }, fmt.dec(p.demandaEstimada)));
    tr.addEventListener('click', () => select(els, demand, i, today, data.horizonteDias));
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(els, demand, i, today, data.horizonteDias); }
    });
    return tr;
  }), 4, 'Sin ventas en los últimos 180 días: nada que pronosticar.');
  if (demand.length > 0) select(els, demand, 0, today, data.horizonteDias);
  else {
    els.title.textContent = '—';
    els.chart.replaceChildren();
    els.note.textContent = '';
  }

  fillRows(els.reorder, data.reorden.map((r) => h('tr', { dataset: { productoId: r.productoId } },
    h('td', { class: 'name' }, r.nombre ?? `#${r.productoId}`),
    h('td', { class: 'num' }, fmt.int(r.stock)),
    h('td', { class: 'num' }, fmt.dec(r.puntoReorden)),
    h('td', { class: 'num opt' }, fmt.dec(r.stockSeguridad)),
    h('td', { class: 'num' }, h('strong', {}, fmt.int(r.cantidadSugerida))))), 5, 'Ningún producto necesita reorden.', VISIBLE_ROWS);

  fillRows(els.stockouts, data.prediccionQuiebres.map((q) => h('tr', { dataset: { productoId: q.productoId } },
    h('td', { class: 'name' }, q.nombre ?? `#${q.productoId}`),
    h('td', { class: 'num' }, fmt.int(q.stock)),
    h('td', { class: 'num opt' }, fmt.dec(q.demandaDiaria)),
    h('td', { class: 'num' }, h('span', { class: `tag ${q.diasHastaQuiebre <= 7 ? 'bad' : 'warn'}` }, fmt.int(q.diasHastaQuiebre))),
    h('td', {}, dayLong(q.fechaEstimada)))), 5, `Sin quiebres previstos en ${data.horizonteDias} días.`, VISIBLE_ROWS);

  const t = data.tendenciasVentas;
  const change = t.porcentajeCambio == null ? 'sin periodo anterior' : `${t.porcentajeCambio > 0 ? '+' : ''}${fmt.pct(t.porcentajeCambio)}`;
  els.trend.textContent = `Ventas de 60 días: ${fmt.int(t.unidadesActual)} u. (${change}), tendencia ${TREND[t.tendencia] ?? t.tendencia}`;
  return data;
}
