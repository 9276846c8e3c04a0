-- Shared by the wrk scripts in bench/ (loaded with dofile from $BENCH_LUA_DIR, default ./bench):
-- BenchLine(summary, latency) is the one parseable line their done() prints:
--   BENCH requests=N duration_us=N rps=F p50_ms=F p75_ms=F p90_ms=F p99_ms=F p999_ms=F non2xx=N errors=N
-- (latencies from wrk's histogram; errors = connect + read + write + timeout socket errors).
function BenchLine(summary, latency)
  local e = summary.errors
  local function p(q) return latency:percentile(q) / 1000 end
  return string.format("BENCH requests=%d duration_us=%d rps=%.1f p50_ms=%.3f p75_ms=%.3f p90_ms=%.3f " ..
    "p99_ms=%.3f p999_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    p(50), p(75), p(90), p(99), p(99.9), e.status, e.connect + e.read + e.write + e.timeout)
end
