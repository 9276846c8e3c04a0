-- wrk script for bench/run's mixed scenario: 95 % GET /dashboard-cqrs/kpis, 5 % POST /movimientos
-- (ENTRADA and SALIDA of 1, alternating, on a random product of the tenant), the tenant of each
-- request drawn Zipf-like (s = $BENCH_ZIPF_S, default 1) as in cache.lua. Read-your-writes: once a
-- write is acknowledged (201), the thread's next request reads the KPIs of that write's tenant
-- (response() finds the tenant in the answer's "empresaId"), so reads right after writes are
-- part of the load, not left to chance.
-- $BENCH_MIXED: one line per tenant (line k = Zipf rank k): "token empresaId pid,pid,...".
-- $BENCH_WRITE_PERCENT: share of writes (default 5).
-- done() prints the BENCH line of wrk_summary.lua and
--   MIXED writes=N writes_201=N writes_409=N reads_after_write=N
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_summary.lua")
local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1")
local write_share = tonumber(os.getenv("BENCH_WRITE_PERCENT") or "5") / 100
local reads, tokens, products, rank_of = {}, {}, {}, {}
local cdf = {}
local n = 0
local pending = {} -- ranks whose write was acknowledged and whose read is due
local flip = 0
writes, writes_201, writes_409, reads_after_write = 0, 0, 0, 0
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(os.getenv("BENCH_MIXED")) do
    local token, empresa, pids = line:match("^(%S+) (%d+) (%S+)$")
    if token then
      n = n + 1
      tokens[n] = token
      rank_of[empresa] = n
      products[n] = {}
      for pid in pids:gmatch("%d+") do products[n][#products[n] + 1] = pid end
      reads[n] = wrk.format("GET", "/dashboard-cqrs/kpis", {["Authorization"] = "Bearer " .. token})
    end
  end
  assert(n > 0, "no tenants in $BENCH_MIXED")
  local total = 0
  for k = 1, n do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
  for k = 1, n do cdf[k] = cdf[k] / total end
  cdf[n] = 1.0
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

local function rank()
  local u = math.random()
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

function request()
  if #pending > 0 then
    reads_after_write = reads_after_write + 1
    return reads[table.remove(pending, 1)]
  end
  local k = rank()
  if math.random() >= write_share then return reads[k] end
  writes = writes + 1
  flip = 1 - flip
  local list = products[k]
  local body = string.format('{"tipo":"%s","cantidad":1,"productoId":%s}', flip == 1 and "ENTRADA" or "SALIDA",
    list[math.random(#list)])
  return wrk.format("POST", "/movimientos",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[k]}, body)
end

function response(status, headers, body)
  if status == 201 then
    local empresa = body:match('"empresaId":(%d+)')
    if empresa and rank_of[empresa] then
      writes_201 = writes_201 + 1
      pending[#pending + 1] = rank_of[empresa]
    end
  elseif status == 409 then
    writes_409 = writes_409 + 1
  end
end

function done(summary, latency, requests)
  io.write(BenchLine(summary, latency))
  local w, w201, w409, raw = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("writes")
    w201 = w201 + t:get("writes_201")
    w409 = w409 + t:get("writes_409")
    raw = raw + t:get("reads_after_write")
  end
  io.write(string.format("MIXED writes=%d writes_201=%d writes_409=%d reads_after_write=%d\n", w, w201, w409, raw))
end
