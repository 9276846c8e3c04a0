-- wrk script for bench/run and bench/cache.sh: GET $BENCH_PATH (default /dashboard-cqrs/kpis) with the bearer
-- token of a tenant drawn from a Zipf-like distribution (P(rank k) ∝ 1/k^s, s = $BENCH_ZIPF_S,
-- default 1) over the tokens in $BENCH_TOKENS (one per line, line k = rank k). The requests are
-- formatted once in init() and the sampler is a precomputed CDF searched by bisection, so the
-- per-request cost on wrk's side is the same whatever the path (the /health ceiling runs through
-- this same script, with the same headers).
-- done() prints the BENCH line of wrk_summary.lua (requests, rps, latency percentiles, errors).
-- With BENCH_TIMELINE=1 it also counts answers per wall-clock second (os.time(), 1 s resolution)
-- in response(), and prints one line per second: TIMELINE epoch_s answered non2xx. (A response()
-- callback makes wrk parse every answer: slower, so only the outage scenario turns it on.)
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_summary.lua")
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

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

if os.getenv("BENCH_TIMELINE") == "1" then
  answered = {} -- per thread (each has its own Lua state): epoch second -> count
  failed = {}
  function response(status, headers, body)
    local t = os.time()
    answered[t] = (answered[t] or 0) + 1
    if status < 200 or status > 299 then failed[t] = (failed[t] or 0) + 1 end
  end
end

function done(summary, latency, requests)
  io.write(BenchLine(summary, latency))
  if os.getenv("BENCH_TIMELINE") == "1" then
    local ok, bad, secs = {}, {}, {}
    for _, thread in ipairs(threads) do
      for t, n in pairs(thread:get("answered") or {}) do
        if not ok[t] then secs[#secs + 1] = t end
        ok[t] = (ok[t] or 0) + n
      end
      for t, n in pairs(thread:get("failed") or {}) do bad[t] = (bad[t] or 0) + n end
    end
    table.sort(secs)
    for _, t in ipairs(secs) do io.write(string.format("TIMELINE %d %d %d\n", t, ok[t], bad[t] or 0)) end
  end
end
