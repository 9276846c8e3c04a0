// End-to-end test of the operator dashboard (/panel) in Debian's headless Chromium against the real
// `iam` binary: migrate + seed a throwaway SQLite database, serve it on a free loopback port (with
// the test Redis as L2 when IAM_TEST_REDIS_URL is set), then, as a person would: log in through the
// form, compare every KPI card with the API's answer, switch the movement chart's range, check a
// product's demand chart against another route, clear the cache as ADMIN (after cancelling once),
// look at the page as an EMPLEADO, log out; screenshots at desktop and phone widths go to --out.
// Usage: node dashboard.e2e.mjs --iam PATH --out DIR
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`--${name} is required`);
  return path.resolve(process.argv[i + 1]);
};
const IAM = arg('iam');
const OUT = arg('out');
const ADMIN = { email: 'admin@demo.iam', password: 'demo12345' };
const EMPLEADO = { email: 'empleado@demo.iam', password: 'demo12345' };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let passed = 0;
let failed = 0;
const started = Date.now();

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
function near(a, b, what) {
  check(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 0.005, `${what}: page shows ${a}, API says ${b}`);
}
// "$12,345.67", "23.45 %", "1,234", "-$5.00", "3.50 días" → the number.
function parseShown(text) {
  const n = Number(text.replace(/[^0-9.-]/g, ''));
  check(text.trim() !== '' && Number.isFinite(n), `not a number: "${text}"`);
  return n;
}
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
    throw e;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function runIam(dir, env, args) {
  const r = spawnSync(IAM, args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`iam ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function startServer() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'iam-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${path.join(dir, 'iam.db')}`,
    JWT_SECRET: `e2e-${process.pid}-${Date.now()}-secret-of-at-least-32-chars`,
    CACHE_PREFIX: `iam-e2e-${process.pid}`,
    IAM_ENV: 'development',
  };
  if (process.env.IAM_TEST_REDIS_URL) env.REDIS_URL = process.env.IAM_TEST_REDIS_URL;
  else delete env.REDIS_URL;
  runIam(dir, env, ['migrate']);
  const seeded = runIam(dir, env, ['seed', '--products', '40', '--movements', '3000', '--days', '180']);
  check(seeded.includes(ADMIN.email), 'seed prints the demo login');
  const log = openSync(path.join(dir, 'serve.log'), 'w');
  const child = spawn(IAM, ['serve', '--host', '127.0.0.1', '--port', String(port), '--io-threads', '2'],
    { cwd: dir, env, stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`iam serve exited ${child.exitCode}: ${readFileSync(path.join(dir, 'serve.log'), 'utf8')}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('iam serve did not become ready in 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { dir, base, child, redis: Boolean(env.REDIS_URL) };
}

async function stopServer(server) {
  if (!server) return;
  if (server.child.exitCode === null) {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (failed > 0) {
    console.log(`--- iam serve log (${server.dir}/serve.log), last lines ---`);
    console.log(readFileSync(path.join(server.dir, 'serve.log'), 'utf8').split('\n').slice(-40).join('\n'));
  }
  rmSync(server.dir, { recursive: true, force: true });
}

// Console errors and uncaught exceptions of a page (a CSP violation is a console error). Chromium
// also logs each 4xx answer as "Failed to load resource": those are expected (401 before login, a
// wrong password, 404 of an absent alerts route) and are checked where they happen.
function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

async function login(page, base, who) {
  await page.goto(`${base}/`);
  check(page.url() === `${base}/panel/`, `/ redirects to /panel/ (at ${page.url()})`);
  await page.locator('#login-form').waitFor({ state: 'visible' });
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('#login-submit');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
}

// The API's answer for `target` with the browser context's own session cookie.
async function apiGet(context, base, target) {
  const r = await context.request.get(`${base}${target}`);
  check(r.ok(), `GET ${target} → ${r.status()}`);
  return { body: await r.json(), cache: r.headers()['x-cache'] };
}

async function cardValue(page, scope, key) {
  return parseShown(await page.locator(`${scope} [data-kpi="${key}"] .value`).innerText());
}

async function adminDesktop(browser, base, server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-MX' });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await step('a wrong password is refused on the form', async () => {
    await page.goto(`${base}/panel/`);
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('#login-submit');
    await page.locator('#login-error').waitFor({ state: 'visible' });
    check((await page.locator('#login-error').innerText()).includes('incorrectos'), 'error message shown');
    check(await page.locator('#dashboard-view').isHidden(), 'dashboard stays hidden');
  });

  await step('the ADMIN logs in through the form; the token stays in an HttpOnly cookie', async () => {
    await login(page, base, ADMIN);
    const jwt = (await context.cookies()).find((c) => c.name === 'jwt');
    check(jwt && jwt.httpOnly, 'jwt cookie is HttpOnly');
    const seen = await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }));
    check(!seen.cookie.includes('jwt=') && seen.local === 0 && seen.session === 0, `no token visible to scripts: ${JSON.stringify(seen)}`);
    const main = await page.request.get(`${base}/panel/`);
    const csp = main.headers()['content-security-policy'] ?? '';
    check(csp.includes("default-src 'self'") && !csp.includes('unsafe'), `strict CSP: ${csp}`);
  });

  await step('inventory cards equal GET /dashboard-cqrs/kpis', async () => {
    const { body } = await apiGet(context, base, '/dashboard-cqrs/kpis');
    const keys = ['totalProductos', 'productosStockBajo', 'productosAgotados', 'movimientosUltimoMes',
      'valorTotalInventario', 'valorVentaInventario', 'margenPromedio', 'rotacionInventario'];
    for (const k of keys) near(await cardValue(page, '#kpi-cards', k), body[k], k);
    check(body.totalProductos === 40, `seeded 40 products (API says ${body.totalProductos})`);
  });

  await step('financial cards equal GET /dashboard-cqrs/financial-kpis, for two periods', async () => {
    const keys = ['ingresos', 'costoVentas', 'utilidadBruta', 'margenBruto', 'margenNeto', 'roiInventario',
      'rotacionInventario', 'diasInventario', 'costoAlmacenamiento', 'costoOportunidad', 'eficienciaOperativa'];
    let { body } = await apiGet(context, base, '/dashboard-cqrs/financial-kpis?period=month');
    for (const k of keys) near(await cardValue(page, '#financial-cards', k), body[k], `month ${k}`);
    const before = await page.locator('#financial-cards [data-kpi="ingresos"] .value').innerText();
    await page.click('#period-select button[data-value="quarter"]');
    ({ body } = await apiGet(context, base, '/dashboard-cqrs/financial-kpis?period=quarter'));
    await page.waitForFunction((t) => document.querySelector('#financial-cards [data-kpi="ingresos"] .value')?.textContent !== t, before);
    for (const k of keys) near(await cardValue(page, '#financial-cards', k), body[k], `quarter ${k}`);
  });

  await step('the movement chart shows 7 days, then 30 after switching the range', async () => {
    for (const days of [7, 30]) {
      if (days !== 7) await page.click(`#range-select button[data-value="${days}"]`);
      await page.waitForSelector(`#movement-chart[data-points="${days}"] svg`);
      const { body } = await apiGet(context, base, `/dashboard-cqrs/movement-kpis?days=${days}`);
      const shown = async (key) => parseShown(await page.locator(`#movement-summary [data-summary="${key}"] dd`).innerText());
      near(await shown('totalEntradas'), body.summary.totalEntradas, `${days} d totalEntradas`);
      near(await shown('totalSalidas'), body.summary.totalSalidas, `${days} d totalSalidas`);
      // One bar per day with units, per series.
      const bars = async (cls) => page.locator(`#movement-chart g.${cls} rect`).count();
      check(await bars('s-in') === body.data.filter((d) => d.entradas > 0).length, `${days} d entradas bars`);
      check(await bars('s-out') === body.data.filter((d) => d.salidas > 0).length, `${days} d salidas bars`);
      check(body.summary.totalMovimientos > 0, `seeded movements in the last ${days} days`);
    }
    await page.waitForFunction(() => document.querySelector('#range-select button[data-value="30"]').getAttribute('aria-pressed') === 'true');
  });

  await step('forecast table, reorder list and a product demand chart match the API', async () => {
    const { body } = await apiGet(context, base, '/dashboard-cqrs/predictive-kpis?days=30');
    const rows = page.locator('#forecast-table tbody tr');
    check(await rows.count() === body.prediccionDemanda.length && body.prediccionDemanda.length > 0, 'one row per forecast');
    check((await page.locator('#reorder-table tbody tr[data-producto-id]').count()) === body.reorden.length, 'one row per reorder');
    const stockouts = page.locator('#stockout-table tbody tr[data-producto-id]');
    check(await stockouts.count() === body.prediccionQuiebres.length, 'one row per expected stock-out');
    if (body.prediccionQuiebres.length > 8) {
      check(await page.locator('#stockout-table tbody tr[data-producto-id]:visible').count() === 8, 'long list folded to 8 rows');
      await page.click('#stockout-table + button.more, .table-wrap:has(#stockout-table) + button.more');
      check(await page.locator('#stockout-table tbody tr[data-producto-id]:visible').count() === body.prediccionQuiebres.length, 'unfolded');
    }
    if (body.reorden.length > 0) {
      near(parseShown(await page.locator('#reorder-table tbody tr').first().locator('td').nth(4).innerText()),
        body.reorden[0].cantidadSugerida, 'cantidadSugerida');
    }
    // Choose the second product: its chart's last 30 days of sales equal product-kpis' salidas30.
    const p = body.prediccionDemanda[Math.min(1, body.prediccionDemanda.length - 1)];
    await page.click(`#forecast-table tbody tr[data-producto-id="${p.productoId}"]`);
    await page.waitForSelector(`#forecast-chart[data-producto-id="${p.productoId}"] svg`);
    const titles = await page.locator('#forecast-chart svg rect.hover title').allTextContents();
    check(titles.length === 90 + 30, `90 days of history + 30 of forecast (${titles.length})`);
    const sold = titles.slice(90 - 30, 90).map((t) => Number((/Vendidas: ([\d,]+)/.exec(t) ?? [0, 'NaN'])[1].replace(/,/g, '')));
    const kpis = (await apiGet(context, base, `/dashboard-cqrs/product-kpis/${p.productoId}`)).body;
    check(sold.reduce((a, b) => a + b, 0) === kpis.salidas30, `Σ chart 30 d = ${sold.reduce((a, b) => a + b, 0)}, salidas30 = ${kpis.salidas30}`);
    check(titles[119].includes('Pronóstico'), 'forecast days are labelled');
  });

  await step('the cache panel shows tiers, breaker, alerts and a series over time', async () => {
    await page.locator('#cache-panel').waitFor({ state: 'visible' });
    const stats = (await apiGet(context, base, '/auth/admin/cache-stats')).body;
    check(await page.locator('#cache-cards [data-stat="redis"] .value').innerText()
      === (server.redis ? 'conectado' : 'no configurado'), 'Redis state');
    check(stats.redisConnected === server.redis, 'the API agrees on Redis');
    if (server.redis) check(await page.locator('#cache-cards [data-stat="breaker"] .value').innerText() === 'cerrado', 'breaker closed');
    const alerts = await page.request.get(`${base}/auth/admin/alerts`);
    await page.waitForSelector('#alerts li');
    check((await page.locator('#alerts').getAttribute('data-available')) === String(alerts.status() !== 404), 'alerts availability');
    if (alerts.status() === 404) check((await page.locator('#alerts').innerText()).includes('Sin alertas disponibles'), 'no alerts route: said so');
    // Two polls make a line.
    await page.waitForFunction(() => Number(document.querySelector('#hitrate-chart')?.dataset.points) >= 2, null, { timeout: 15_000 });
    check(await page.locator('#categories-table tbody tr[data-category="kpis"]').count() === 1, 'kpis category listed');
  });

  await step('clearing the cache asks first; cancel keeps it, confirm empties it', async () => {
    check((await apiGet(context, base, '/dashboard-cqrs/kpis')).cache === 'HIT', 'kpis cached before');
    const invalidations = (await apiGet(context, base, '/auth/admin/cache-stats')).body.invalidations;
    await page.click('#cache-clear');
    await page.locator('#confirm-clear').waitFor({ state: 'visible' });
    await page.click('#confirm-clear button[value="cancel"]');
    await page.locator('#confirm-clear').waitFor({ state: 'hidden' });
    check((await apiGet(context, base, '/dashboard-cqrs/kpis')).cache === 'HIT', 'cancel changes nothing');
    await page.click('#cache-clear');
    await page.click('#confirm-clear-yes');
    await page.waitForFunction(() => document.querySelector('#cache-message')?.textContent.includes('Caché vaciada'));
    check((await page.locator('#cache-message').getAttribute('class')).includes('bad') === false, 'success message');
    check((await apiGet(context, base, '/dashboard-cqrs/kpis')).cache === 'MISS', 'kpis recomputed after the clear');
    const after = (await apiGet(context, base, '/auth/admin/cache-stats')).body.invalidations;
    check(after > invalidations, `the clear counted as an invalidation (${invalidations} → ${after})`);
  });

  await step('desktop screenshot', async () => {
    await page.click('#forecast-table tbody tr >> nth=0');
    await page.waitForFunction(() => Number(document.querySelector('#hitrate-chart')?.dataset.points) >= 3, null, { timeout: 15_000 });
    const unfolded = page.locator('button.more[aria-expanded="true"]');
    if (await unfolded.count()) await unfolded.click();
    await page.mouse.move(0, 0);  // no hover band in the picture
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(OUT, 'dashboard-desktop.png'), fullPage: true });
  });

  await step('logging out ends the session', async () => {
    await page.click('#logout');
    await page.locator('#login-form').waitFor({ state: 'visible' });
    const me = await context.request.get(`${base}/auth/me`);
    check(me.status() === 401, `GET /auth/me after logout → ${me.status()}`);
    await page.screenshot({ path: path.join(OUT, 'login-desktop.png') });
  });

  await step('no script error or CSP violation on the page', async () => {
    check(errors.length === 0, `page errors: ${errors.join(' | ')}`);
  });
  await context.close();
}

async function phone(browser, base, who, shot) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'es-MX',
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, base, who);
  await page.waitForSelector('#forecast-chart svg');
  if (shot) await page.waitForSelector('#categories-table tbody tr[data-category]');  // the cache panel too
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no horizontal scrolling on a phone (${overflow} px too wide)`);
  if (shot) {
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(OUT, `${shot}.png`) });
    await page.locator('#movement-panel').screenshot({ path: path.join(OUT, `${shot}-movements.png`) });
    await page.locator('#forecast-panel').screenshot({ path: path.join(OUT, `${shot}-forecast.png`) });
    await page.locator('#cache-panel').screenshot({ path: path.join(OUT, `${shot}-cache.png`) });
  }
  check(errors.length === 0, `no page errors: ${errors.join(' | ')}`);
  return { context, page };
}

let server = null;
let browser = null;
try {
  mkdirSync(OUT, { recursive: true });
  await step('migrate, seed and serve the real binary', async () => { server = await startServer(); });
  await step('launch Debian Chromium headless', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  await adminDesktop(browser, server.base, server);
  await step('phone width: the ADMIN page fits and is captured', async () => {
    const { context } = await phone(browser, server.base, ADMIN, 'dashboard-phone');
    await context.close();
  });
  await step('an EMPLEADO sees the KPIs but neither finance nor the cache panel', async () => {
    const { context, page } = await phone(browser, server.base, EMPLEADO, null);
    check(await page.locator('#kpi-cards [data-kpi="totalProductos"]').count() === 1, 'KPI cards shown');
    check(await page.locator('#financial-panel').isHidden(), 'finance hidden');
    check(await page.locator('#cache-panel').isHidden(), 'cache panel hidden');
    const fin = await context.request.get(`${server.base}/dashboard-cqrs/financial-kpis`);
    check(fin.status() === 403, `the API refuses finance to an EMPLEADO too (${fin.status()})`);
    await context.close();
  });
} catch (e) {
  if (failed === 0) {  // thrown outside a step
    failed++;
    console.log(`FAIL ${e.stack ?? e}`);
  }
} finally {
  await browser?.close();
  await stopServer(server);
}
console.log(`screenshots: ${OUT}`);
console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
