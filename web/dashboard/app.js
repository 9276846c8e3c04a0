// Entry point of the operator dashboard (/panel): shows the login form or, for a signed-in user
// (GET /auth/me answers with the session cookie), the dashboard sections the user's role may read.
// Each section loads on its own, so one failing route shows its error without hiding the others.
import { api, ApiError, onSessionLost } from './api.js';
import { CachePanel } from './cache.js';
import { loadForecast } from './forecast.js';
import { clockLabel } from './format.js';
import { loadFinancial, loadInventory } from './kpis.js';
import { loadMovements } from './movements.js';

const $ = (id) => document.getElementById(id);
const ADMINS = new Set(['ADMIN', 'SUPERADMIN']);
const ROLE = { SUPERADMIN: 'Superadministrador', ADMIN: 'Administrador', EMPLEADO: 'Empleado', PROVEEDOR: 'Proveedor' };

const state = { user: null, days: 7, period: 'month' };

const cache = new CachePanel({
  cards: $('cache-cards'), hitChart: $('hitrate-chart'), latencyChart: $('latency-chart'),
  tiers: $('tiers-table').tBodies[0], categories: $('categories-table').tBodies[0], alerts: $('alerts'),
  reads: $('reads-table').tBodies[0], clear: $('cache-clear'), dialog: $('confirm-clear'), message: $('cache-message'),
  onCleared: () => { $('kpi-cache').textContent = ''; },
});

function show(view) {
  $('loading').hidden = true;
  $('login-view').hidden = view !== 'login';
  $('dashboard-view').hidden = view !== 'dashboard';
  $('session').hidden = view !== 'dashboard';
}

// Runs one section's load; an error replaces the section's content with its message.
async function section(panelId, load) {
  const panel = $(panelId);
  panel.querySelector('.panel-error')?.remove();
  panel.setAttribute('aria-busy', 'true');
  try {
    await load();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;  // the login form is back
    const text = e instanceof ApiError ? e.message : 'Sin conexión con el servidor.';
    const p = Object.assign(document.createElement('p'), { className: 'panel-error', textContent: text });
    panel.querySelector('.panel-head')?.after(p);
  } finally {
    panel.removeAttribute('aria-busy');
  }
}

function pressed(group, value) {
  for (const b of $(group).querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.value === value));
}

function loadMovementSection() {
  return section('movement-panel', () => loadMovements($('movement-chart'), $('movement-summary'), state.days));
}

function loadFinancialSection() {
  return section('financial-panel', () => loadFinancial($('financial-cards'), state.period));
}

async function loadAll() {
  const admin = ADMINS.has(state.user.rol);
  $('financial-panel').hidden = !admin;
  $('cache-panel').hidden = !admin;
  const loads = [
    section('kpi-panel', () => loadInventory($('kpi-cards'), $('kpi-cache'))),
    loadMovementSection(),
    section('forecast-panel', () => loadForecast({
      tbody: $('forecast-table').tBodies[0], horizonHead: $('forecast-horizon-head'), title: $('forecast-product'),
      chart: $('forecast-chart'), note: $('forecast-note'), reorder: $('reorder-table').tBodies[0],
      stockouts: $('stockout-table').tBodies[0], trend: $('forecast-trend'),
    })),
  ];
  if (admin) loads.push(loadFinancialSection());
  await Promise.all(loads);
  $('updated-at').textContent = `Actualizado a las ${clockLabel(new Date())}`;
  document.body.dataset.ready = 'true';
}

function enter(user) {
  state.user = user;
  $('who').textContent = `${user.nombre} · ${ROLE[user.rol] ?? user.rol}`;
  show('dashboard');
  loadAll();
  if (ADMINS.has(user.rol)) cache.start();
}

function leave(message) {
  cache.stop();
  state.user = null;
  document.body.dataset.ready = 'false';
  show('login');
  const err = $('login-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  $('login-form').elements.email.focus();
}

onSessionLost(() => {
  if (state.user) leave('Su sesión terminó: inicie sesión de nuevo.');
});

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  const err = $('login-error');
  if (!email || !password) {
    err.textContent = 'Escriba su correo y su contraseña.';
    err.hidden = false;
    return;
  }
  const submit = $('login-submit');
  submit.disabled = true;
  err.hidden = true;
  try {
    // The answer also carries the tokens in its body: they are ignored, the cookie is the session.
    const { data } = await api('/auth/login', { method: 'POST', body: { email, password } });
    form.elements.password.value = '';
    if (!data.user.empresaId) throw new Error('Su usuario aún no tiene empresa: complete el alta primero.');
    enter(data.user);
  } catch (e) {
    err.textContent = e instanceof ApiError && e.status === 401 ? 'Correo o contraseña incorrectos.'
      : e instanceof ApiError && e.status === 429 ? 'Demasiados intentos fallidos: espere unos minutos.'
        : e.message;
    err.hidden = false;
  } finally {
    submit.disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('/auth/logout', { method: 'POST', body: {} }); } catch { /* the cookie is cleared either way */ }
  leave();
});

$('reload').addEventListener('click', () => {
  loadAll();
  if (ADMINS.has(state.user?.rol)) cache.poll();
});

$('range-select').addEventListener('click', (ev) => {
  const b = ev.target.closest('button');
  if (!b || b.dataset.value === String(state.days)) return;
  state.days = Number(b.dataset.value);
  pressed('range-select', b.dataset.value);
  loadMovementSection();
});

$('period-select').addEventListener('click', (ev) => {
  const b = ev.target.closest('button');
  if (!b || b.dataset.value === state.period) return;
  state.period = b.dataset.value;
  pressed('period-select', b.dataset.value);
  loadFinancialSection();
});

// A session already open (the cookie survives a reload) goes straight to the dashboard.
api('/auth/me')
  .then(({ data }) => (data.empresaId ? enter(data) : leave()))
  .catch(() => leave());
