// The cache panel (ADMIN, SUPERADMIN): GET /auth/admin/cache-stats polled every few seconds while
// the page is visible. The server's counters are totals since it started, so "over time" is kept
// here: each poll adds a point (the hit rate of the requests since the previous poll, the
// lifetime rate, and Redis' recent p50/p95 latency). Alerts come from GET /auth/admin/alerts when
// the server has that route (404: none to show). Clearing asks for confirmation first, then
// POST /auth/admin/cache/clear (the caller's tenant).
import { api, ApiError, onCachedRead, optional } from './api.js';
import { drawChart } from './charts.js';
import { clockLabel, fmt, fillRows, h } from './format.js';

const POLL_MS = 5000;
const KEEP = 60;  // points (5 minutes at POLL_MS)
const BREAKER = { closed: ['cerrado', 'good'], open: ['abierto', 'bad'], 'half-open': ['semiabierto', 'warn'] };
const CATEGORY = {
  kpis: 'KPIs', 'financial-kpis': 'Financieros', 'product-kpis': 'Por producto', 'movement-kpis': 'Movimientos',
  'predictive-kpis': 'Predictivos', productos: 'Productos', empresa: 'Empresa', usuario: 'Usuario', config: 'Configuración',
  session: 'Sesión',
};

export class CachePanel {
  constructor(els) {
    this.els = els;
    this.points = [];
    this.previous = null;
    this.reads = [];
    this.timer = null;
    onCachedRead((r) => this.recordRead(r));
    els.clear.addEventListener('click', () => els.dialog.showModal());
    els.dialog.addEventListener('close', () => {
      if (els.dialog.returnValue === 'confirm') this.clear();
    });
    document.addEventListener('visibilitychange', () => {
      if (this.timer !== null && document.visibilityState === 'visible') this.poll();
    });
  }

  start() {
    this.stop();
    this.poll();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.poll();
    }, POLL_MS);
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async poll() {
    try {
      const [{ data }, alerts] = await Promise.all([api('/auth/admin/cache-stats'), optional('/auth/admin/alerts')]);
      this.addPoint(data);
      this.render(data);
      if (this.els.message.classList.contains('bad')) this.els.message.hidden = true;
      this.renderAlerts(alerts);
    } catch (e) {
      this.message(`No se pudieron leer las estadísticas: ${e.message}`, true);
    }
  }

  addPoint(s) {
    const p = this.previous;
    const dh = p ? s.cacheHits - p.cacheHits : 0;
    const dm = p ? s.cacheMisses - p.cacheMisses : 0;
    const redis = s.redis ?? {};
    this.points.push({
      at: new Date(),
      interval: p && dh + dm > 0 && dh >= 0 && dm >= 0 ? (100 * dh) / (dh + dm) : null,
      lifetime: s.cacheHits + s.cacheMisses > 0 ? 100 * s.hitRate : null,
      p50: redis.configured && redis.commands > 0 ? redis.latencyUs.p50 / 1000 : null,
      p95: redis.configured && redis.commands > 0 ? redis.latencyUs.p95 / 1000 : null,
    });
    if (this.points.length > KEEP) this.points.shift();
    this.previous = s;
  }

  render(s) {
    const redis = s.redis ?? {};
    const [breaker, tone] = BREAKER[redis.breaker] ?? [redis.breaker ?? '—', ''];
    const card = (key, label, value, cls, hint) => h('div', { class: `kpi${cls ? ` ${cls}` : ''}`, dataset: { stat: key } },
      h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), hint ? h('div', { class: 'hint' }, hint) : null);
    const total = s.cacheHits + s.cacheMisses;
    this.els.cards.replaceChildren(
      card('hitRate', 'Tasa de aciertos', total > 0 ? fmt.pct(100 * s.hitRate) : '—',
        total === 0 ? '' : s.hitRate >= 0.8 ? 'good' : 'warn', 'Desde el arranque del servidor'),
      card('cacheHits', 'Aciertos', fmt.int(s.cacheHits)),
      card('cacheMisses', 'Fallos', fmt.int(s.cacheMisses)),
      card('computations', 'Cálculos', fmt.int(s.computations), '', 'Lecturas de la base de datos'),
      card('memoryUsage', 'Memoria', s.memoryUsage, '', redis.usedMemoryHuman ? 'Redis' : 'Caché en proceso'),
      card('redis', 'Redis', !redis.configured ? 'no configurado' : redis.connected ? 'conectado' : 'desconectado',
        !redis.configured ? '' : redis.connected ? 'good' : 'bad'),
      card('breaker', 'Cortacircuitos', redis.configured ? breaker : '—', redis.configured ? tone : '',
        redis.configured ? `Abierto ${fmt.int(redis.breakerOpened)} veces` : 'Sin Redis'),
      card('invalidations', 'Invalidaciones', fmt.int(s.invalidations)),
    );
    const labels = this.points.map((p) => clockLabel(p.at));
    drawChart(this.els.hitChart, {
      labels,
      series: [
        { name: 'Entre lecturas', kind: 'line', cls: 's-hit', values: this.points.map((p) => p.interval), dots: true },
        { name: 'Desde el arranque', kind: 'line', cls: 's-life', values: this.points.map((p) => p.lifetime), dashed: true },
      ],
      yMax: 100,
      format: (v) => `${fmt.num(v)} %`,
      height: 200,
      empty: 'Aún no hay lecturas en caché.',
      ariaLabel: 'Tasa de aciertos de la caché a lo largo del tiempo',
    });
    drawChart(this.els.latencyChart, {
      labels,
      series: [
        { name: 'p50', kind: 'line', cls: 's-p50', values: this.points.map((p) => p.p50), dots: true },
        { name: 'p95', kind: 'line', cls: 's-p95', values: this.points.map((p) => p.p95), dots: true },
      ],
      format: fmt.ms,
      height: 200,
      empty: redis.configured ? 'Redis aún no ha respondido a ningún comando.'
        : 'Sin Redis configurado: la caché en proceso (L1) responde sin red. Vea abajo los tiempos de este navegador.',
      ariaLabel: 'Latencia de Redis (p50 y p95 recientes) a lo largo del tiempo',
    });
    this.renderTiers(s, redis);
    this.renderCategories(s.categories ?? {});
  }

  renderTiers(s, redis) {
    const l1 = s.l1 ?? {};
    const row = (label, ...cells) => h('tr', {}, h('th', {}, label), ...cells.map((c) => h('td', { class: 'num' }, c)));
    const rows = [
      h('tr', {}, h('th', {}, 'Nivel'), h('th', { class: 'num' }, 'L1 (proceso)'), h('th', { class: 'num' }, 'L2 (Redis)')),
      row('Estado', 'activo', !redis.configured ? 'no configurado' : redis.connected ? 'conectado' : 'desconectado'),
      row('Entradas', fmt.int(l1.entries), redis.keys != null ? fmt.int(redis.keys) : '—'),
      row('Memoria', `${fmt.bytes(l1.bytes)} de ${fmt.bytes(l1.maxBytes)}`, redis.usedMemoryHuman ?? '—'),
      row('Desalojos / rechazos', fmt.int(l1.evictions), redis.configured ? fmt.int(redis.rejectedByBreaker) : '—'),
      row('Errores / timeouts', '—', redis.configured ? `${fmt.int(redis.errors)} / ${fmt.int(redis.timeouts)}` : '—'),
      row('Latencia p50 / p95 / p99', '—', redis.configured && redis.commands > 0
        ? `${fmt.ms(redis.latencyUs.p50 / 1000)} / ${fmt.ms(redis.latencyUs.p95 / 1000)} / ${fmt.ms(redis.latencyUs.p99 / 1000)}` : '—'),
    ];
    this.els.tiers.replaceChildren(...rows);
  }

  renderCategories(categories) {
    const rows = Object.entries(categories)
      .filter(([, c]) => c.hitsL1 + c.hitsL2 + c.misses + c.stale + c.computations + c.errorsL2 > 0)
      .map(([name, c]) => h('tr', { dataset: { category: name } },
        h('td', {}, CATEGORY[name] ?? name),
        ...[[c.hitsL1], [c.hitsL2], [c.misses], [c.stale, true], [c.computations], [c.errorsL2, true]]
          .map(([v, optional]) => h('td', { class: optional ? 'num opt' : 'num' }, fmt.int(v)))));
    fillRows(this.els.categories, rows, 7, 'Ninguna categoría usada todavía.');
  }

  // The alerts route belongs to another part of the service; accept an array, or an object
  // holding one under `alerts`/`alertas`/`active`, of objects or strings.
  renderAlerts(body) {
    const list = Array.isArray(body) ? body : body?.alerts ?? body?.alertas ?? body?.active ?? null;
    this.els.alerts.dataset.available = String(list !== null);
    if (list === null || list.length === 0) {
      this.els.alerts.replaceChildren(h('li', { class: 'none' },
        list === null ? 'Sin alertas disponibles en este servidor.' : 'Sin alertas activas.'));
      return;
    }
    this.els.alerts.replaceChildren(...list.map((a) => {
      if (typeof a !== 'object' || a === null) return h('li', { class: 'warn' }, String(a));
      const severity = String(a.severity ?? a.nivel ?? a.level ?? 'warning').toLowerCase();
      const text = a.message ?? a.mensaje ?? a.description ?? a.name ?? a.tipo ?? JSON.stringify(a);
      const when = a.since ?? a.timestamp ?? a.desde ?? null;
      return h('li', { class: /crit|error|alta|high/.test(severity) ? 'bad' : 'warn' }, String(text),
        when ? h('span', { class: 'muted small' }, ` · ${String(when)}`) : null);
    }));
  }

  recordRead(r) {
    this.reads.unshift(r);
    this.reads.length = Math.min(this.reads.length, 8);
    fillRows(this.els.reads, this.reads.map((x) => h('tr', {},
      h('td', {}, clockLabel(x.at)),
      h('td', { class: 'wrap' }, x.path.replace('/dashboard-cqrs/', '')),
      h('td', {}, h('span', { class: `tag ${x.cache === 'HIT' ? 'good' : x.cache === 'MISS' ? 'warn' : ''}` },
        `${x.cache}${x.tier ? ` ${x.tier}` : ''}`)),
      h('td', { class: 'num' }, fmt.dec(x.ms)))), 4, 'Aún no hay lecturas.');
  }

  async clear() {
    this.els.clear.disabled = true;
    try {
      const { data } = await api('/auth/admin/cache/clear', { method: 'POST', body: {} });
      const keys = data.redisKeysDeleted ? ` (${fmt.int(data.redisKeysDeleted)} claves de Redis borradas)` : '';
      this.message(`Caché vaciada para su empresa${keys}. Las próximas lecturas se calcularán de nuevo.`, false);
      this.els.onCleared?.();
      await this.poll();
    } catch (e) {
      this.message(e instanceof ApiError ? `No se pudo vaciar la caché: ${e.message}` : 'Sin conexión con el servidor.', true);
    } finally {
      this.els.clear.disabled = false;
    }
  }

  message(text, bad) {
    this.els.message.textContent = text;
    this.els.message.classList.toggle('bad', bad);
    this.els.message.hidden = false;
  }
}
