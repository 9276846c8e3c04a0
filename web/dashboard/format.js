// Number and date formatting for the page (Spanish, Mexico: "1,234.56"), and small DOM helpers.
// Every figure the API returns is shown with the same rounding it has (2 decimals at most).

const integer = new Intl.NumberFormat('es-MX', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('es-MX', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const upTo2 = new Intl.NumberFormat('es-MX', { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat('es-MX', {
  style: 'currency', currency: 'MXN', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2,
});

export const fmt = {
  int: (v) => (v == null ? '—' : integer.format(v)),
  dec: (v) => (v == null ? '—' : decimal.format(v)),
  num: (v) => (v == null ? '—' : upTo2.format(v)),
  money: (v) => (v == null ? '—' : money.format(v)),
  pct: (v) => (v == null ? '—' : `${decimal.format(v)} %`),
  days: (v) => (v == null ? '—' : `${decimal.format(v)} días`),
  bytes: (v) => {
    if (v == null) return '—';
    const units = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${i === 0 ? integer.format(v) : upTo2.format(Math.round(v * 10) / 10)} ${units[i]}`;
  },
  ms: (v) => (v == null ? '—' : `${v < 10 ? upTo2.format(v) : integer.format(v)} ms`),
};

// "2026-11-03" → "3 nov" (the day is a UTC calendar day: formatted in UTC).
const shortDay = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const longDay = new Intl.DateTimeFormat('es-MX', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
export const dayLabel = (iso) => shortDay.format(new Date(`${iso}T00:00:00Z`)).replace('.', '');
export const dayLong = (iso) => longDay.format(new Date(`${iso}T00:00:00Z`)).replace(/\./g, '');
const clock = new Intl.DateTimeFormat('es-MX', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
export const clockLabel = (date) => clock.format(date);

// YYYY-MM-DD of a UTC day, `offset` days from `iso`.
export function addDays(iso, offset) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

// h('td', {class: 'num'}, '12') → <td class="num">12</td>. Children are text nodes, never parsed as HTML: API
// strings such as product names are shown as text, whatever they contain.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Replaces the rows of a table body; `empty` is the text of the one row shown when there is none.
// With `visible`, rows past that many are hidden behind a "Mostrar todos (N)" button.
export function fillRows(tbody, rows, columns, empty, visible = Infinity) {
  tbody.replaceChildren();
  const wrap = tbody.closest('.table-wrap') ?? tbody.closest('table');
  if (wrap.nextElementSibling?.classList.contains('more')) wrap.nextElementSibling.remove();
  if (rows.length === 0) {
    tbody.append(h('tr', {}, h('td', { class: 'empty', colspan: columns }, empty)));
    return;
  }
  rows.forEach((r, i) => { r.hidden = i >= visible; });
  tbody.append(...rows);
  if (rows.length > visible) {
    const more = h('button', { type: 'button', class: 'ghost more', 'aria-expanded': 'false' }, `Mostrar todos (${rows.length})`);
    more.addEventListener('click', () => {
      const open = more.getAttribute('aria-expanded') !== 'true';
      rows.forEach((r, i) => { r.hidden = !open && i >= visible; });
      more.setAttribute('aria-expanded', String(open));
      more.textContent = open ? `Mostrar solo ${visible}` : `Mostrar todos (${rows.length})`;
    });
    wrap.after(more);
  }
}
