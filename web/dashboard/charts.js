// Small hand-written SVG charts (no library): a categorical x axis (days, or polling instants) with
// grouped bar series and line series over it, a y axis with round ticks, a legend, and a tooltip
// per category (the SVG <title> of a full-height hover band). Colours come from CSS classes
// (style.css `.s-*`), so the page needs no inline style. Charts redraw when their box changes width.

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

// A "nice" step (1, 2, 2.5, 5 × 10^k) giving about `count` intervals up to `max`.
export function niceStep(max, count = 4) {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

const observed = new WeakMap();
const resizer = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const state = observed.get(e.target);
      const w = Math.round(e.contentRect.width);
      if (state && w > 0 && w !== state.width) draw(e.target, state.spec);
    }
  })
  : null;

// Draws `spec` into `container` (replacing what was there):
//   labels:  string[]            one per category (x axis)
//   tooltips: string[]?          title of each category (default: label + each series' value)
//   series:  [{name, kind: 'bar'|'line', cls: 's-in', values: (number|null)[], dashed?, dots?}]
//   format:  (v) => string       y values in ticks and tooltips
//   yMax:    number?             fixed top of the y axis (e.g. 100 for percentages)
//   height:  number?             px, default 240
//   empty:   string              shown instead of the chart when no value is > 0 or not null
//   ariaLabel: string
export function drawChart(container, spec) {
  if (resizer && !observed.has(container)) resizer.observe(container);
  draw(container, spec);
}

function draw(container, spec) {
  const width = Math.max(280, Math.round(container.clientWidth || 600));
  observed.set(container, { spec, width });
  const values = spec.series.flatMap((s) => s.values).filter((v) => v != null && Number.isFinite(v));
  container.replaceChildren();
  container.dataset.points = String(spec.labels.length);
  if (spec.labels.length === 0 || values.length === 0 || (spec.requirePositive && !values.some((v) => v > 0))) {
    container.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: spec.empty }));
    return;
  }
  const height = spec.height ?? 240;
  const fmt = spec.format ?? String;
  const pad = { top: 12, right: 10, bottom: 26, left: 0 };
  const top = spec.yMax ?? Math.max(...values, 0);
  const step = niceStep(top || 1);
  const yMax = spec.yMax ?? Math.max(step, Math.ceil(top / step) * step);
  const ticks = [];
  for (let v = 0; v <= yMax + step / 1e6; v += step) ticks.push(v);
  pad.left = 10 + 6.5 * Math.max(...ticks.map((t) => fmt(t).length));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const n = spec.labels.length;
  const band = plotW / n;
  const x = (i) => pad.left + band * (i + 0.5);
  const y = (v) => pad.top + plotH - (Math.max(0, Math.min(v, yMax)) / yMax) * plotH;

  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': spec.ariaLabel ?? '' });
  const grid = svg('g', { class: 'grid' });
  const axis = svg('g', { class: 'axis' });
  for (const t of ticks) {
    grid.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t) }));
    axis.append(svg('text', { x: pad.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, fmt(t)));
  }
  axis.append(svg('line', { class: 'baseline', x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0) }));
  // As many x labels as fit (about 70 px each), always the last one.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 70))));
  for (let i = 0; i < n; i++) {
    if ((n - 1 - i) % every !== 0) continue;
    axis.append(svg('text', { x: x(i), y: height - 8, 'text-anchor': i === n - 1 && n > 1 ? 'end' : 'middle', dx: i === n - 1 && n > 1 ? band / 2 : 0 }, spec.labels[i]));
  }
  root.append(grid, axis);

  const bars = spec.series.filter((s) => s.kind === 'bar');
  const inner = Math.min(band * 0.8, 28 * bars.length);
  const barW = bars.length ? Math.max(1, inner / bars.length - (band > 8 ? 1 : 0)) : 0;
  bars.forEach((s, k) => {
    const g = svg('g', { class: `bars ${s.cls}`, 'data-series': s.name });
    s.values.forEach((v, i) => {
      if (v == null || v <= 0) return;
      const left = x(i) - inner / 2 + k * (inner / bars.length);
      g.append(svg('rect', { x: left.toFixed(2), y: y(v).toFixed(2), width: barW.toFixed(2), height: (y(0) - y(v)).toFixed(2), rx: barW > 4 ? 2 : 0 }));
    });
    root.append(g);
  });
  for (const s of spec.series.filter((t) => t.kind === 'line')) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v == null || !Number.isFinite(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(2)},${y(v).toFixed(2)}`;
      pen = true;
    });
    const g = svg('g', { 'data-series': s.name });
    g.append(svg('path', { class: `line ${s.cls}${s.dashed ? ' dashed' : ''}`, d }));
    // A lone point makes no line: show it as a dot.
    if (s.dots || s.values.filter((v) => v != null && Number.isFinite(v)).length === 1) {
      s.values.forEach((v, i) => {
        if (v != null && Number.isFinite(v)) g.append(svg('circle', { class: `dot ${s.cls}`, cx: x(i).toFixed(2), cy: y(v).toFixed(2), r: 3 }));
      });
    }
    root.append(g);
  }
  // Hover bands last, so they are on top; each one's <title> is the category's tooltip.
  const hover = svg('g');
  for (let i = 0; i < n; i++) {
    const text = spec.tooltips?.[i] ?? [spec.labels[i], ...spec.series
      .filter((s) => s.values[i] != null)
      .map((s) => `${s.name}: ${fmt(s.values[i])}`)].join('\n');
    const r = svg('rect', { class: 'hover', x: (pad.left + band * i).toFixed(2), y: pad.top, width: band.toFixed(2), height: plotH });
    r.append(svg('title', {}, text));
    hover.append(r);
  }
  root.append(hover);
  container.append(root, legend(spec.series));
}

function legend(series) {
  const box = document.createElement('div');
  box.className = 'legend';
  for (const s of series) {
    if (s.legend === false) continue;
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.className = `${s.cls}${s.kind === 'line' ? (s.dashed ? ' dashed' : ' line') : ''}`;
    item.append(swatch, s.name);
    box.append(item);
  }
  return box;
}
