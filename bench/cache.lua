-- wrk script for bench/cache.sh: GET $BENCH_PATH (default /dashboard-cqrs/kpis) with the bearer
-- token of a tenant drawn from a Zipf-like distribution (P(rank k) ∝ 1/k^s, s = $BENCH_ZIPF_S,
-- default 1) over the tokens in $BENCH_TOKENS (one per line, line k = rank k). The requests are
-- formatted once in init() and the sampler is a precomputed CDF searched by bisection, so the
-- per-request cost on wrk's side is the same whatever the path (the /health ceiling runs through
-- this same script, with the same headers).
-- done() prints one parseable line:
--   BENCH requests=N duration_us=N rps=F p50_ms=F p99_ms=F non2xx=N errors=N
local path = os.getenv("BENCH_PATH") or "/dashboard-cqrs/kpis"
local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1")
local reqs = {}
local cdf = {}
local n = 0

function init(args)
  local tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  n = #tokens
  assert(n > 0, "no tokens in $BENCH_TOKENS")
  local total = 0
  for k = 1, n do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
  for k = 1, n do
    cdf[k] = cdf[k] / total
    reqs[k] = wrk.format("GET", path, {["Authorization"] = "Bearer " .. tokens[k]})
  end
  cdf[n] = 1.0
  -- A different stream per wrk thread (each thread has its own Lua state).
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local u = math.random()
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return reqs[lo]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
