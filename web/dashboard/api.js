// The page's one way to the API: same-origin fetch, the session travelling in the HttpOnly `jwt`
// cookie that POST /auth/login sets (the page never sees or stores a token). A 401 on a protected
// route tries POST /auth/refresh (cookie `rt`) once and repeats the request; when that fails too,
// onSessionLost() is called. Every answer records its round-trip time and X-Cache header.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ? String(body.message) : `Error ${status}`);
    this.status = status;
    this.code = body?.code ?? null;
  }
}

let sessionLost = () => {};
export function onSessionLost(fn) { sessionLost = fn; }

const readListeners = [];
// fn({path, cache, tier, ms, at}) after every successful read of a dashboard route.
export function onCachedRead(fn) { readListeners.push(fn); }

const NO_REFRESH = new Set(['/auth/login', '/auth/refresh', '/auth/logout']);
let refreshing = null;

async function refreshSession() {
  refreshing ??= fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin', cache: 'no-store' })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => { refreshing = null; });
  return refreshing;
}

async function send(path, method, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const started = performance.now();
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  return { res, data, ms };
}

// Resolves to {data, status, cache, tier, ms}; rejects with ApiError (or a network TypeError).
export async function api(path, { method = 'GET', body } = {}) {
  const route = path.split('?')[0];
  let { res, data, ms } = await send(path, method, body);
  if (res.status === 401 && !NO_REFRESH.has(route)) {
    if (await refreshSession()) ({ res, data, ms } = await send(path, method, body));
    if (res.status === 401) {
      sessionLost();
      throw new ApiError(401, data);
    }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  const cache = res.headers.get('X-Cache');
  const tier = res.headers.get('X-Cache-Tier');
  if (cache) for (const fn of readListeners) fn({ path, cache, tier, ms, at: new Date() });
  return { data, status: res.status, cache, tier, ms };
}

// Like api(), but a 404 resolves to null (an optional route this server may not have).
export async function optional(path) {
  try {
    return (await api(path)).data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
