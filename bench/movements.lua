-- wrk script for bench/movements.sh: POST /movimientos against a random product among the ids in
-- $BENCH_IDS (one per line), alternating ENTRADA and SALIDA of 1, with the bearer token $BENCH_TOKEN.
-- done() prints the BENCH line of wrk_summary.lua (bench/run reads it; movements.sh reads wrk's text).
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_summary.lua")
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
local n = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  n = n + 1
  local tipo = (n % 2 == 0) and "SALIDA" or "ENTRADA"
  local body = string.format('{"tipo":"%s","cantidad":1,"productoId":%s}', tipo, ids[math.random(#ids)])
  return wrk.format("POST", "/movimientos", headers, body)
end

function done(summary, latency, requests)
  io.write(BenchLine(summary, latency))
end
