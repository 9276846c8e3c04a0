// Micro-benchmarks of a cached read's own work, without sockets: the L1 lookup (MemoryTier::Get,
// and the whole Cache::GetOrSet hit path: key formatting, generation stamp, LRU touch, counters),
// and turning the cached body into an HTTP response (CachedReply + Render: X-Cache headers,
// Content-Type/Length) with its header serialized to the bytes Beast would send.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "api/access_check_cache.hpp"
#include "api/endpoint.hpp"
#include "cache/cache.hpp"
#include "cache/memory_tier.hpp"

namespace {

using namespace iam;
namespace asio = boost::asio;

// A KPI body of the size the kpis route answers (≈ 300 bytes).
std::shared_ptr<const std::string> KpiBody() {
  return std::make_shared<const std::string>(
      R"({"totalProductos":20,"productosStockBajo":3,"productosAgotados":1,"movimientosUltimoMes":187,)"
      R"("valorTotalInventario":48213.55,"valorVentaInventario":70211.9,"margenPromedio":31.42,)"
      R"("rotacionInventario":1.87,"timestamp":"2026-11-28T04:00:00.000Z"})");
}

// MemoryTier::Get of a present key among 1,000 tenants' entries.
void BM_MemoryTierHit(benchmark::State& state) {
  cache::MemoryTier tier(16u << 20);
  const auto expires = cache::CacheClock::now() + std::chrono::hours(1);
  std::vector<std::string> keys;
  for (int t = 1; t <= 1000; ++t) {
    keys.push_back("kpis:" + std::to_string(t) + ":0:ADMIN /dashboard-cqrs/kpis");
    tier.Put(keys.back(), KpiBody(), expires);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto now = cache::CacheClock::now();
    benchmark::DoNotOptimize(tier.Get(keys[i], now));
    i = (i + 7) % keys.size();
  }
}
BENCHMARK(BM_MemoryTierHit);

// Cache::GetOrSet answered from L1 (no Redis), 1,000 tenants; run inside one coroutine so that the
// cost measured is the lookup's, not io_context start-up.
void BM_CacheGetOrSetL1Hit(benchmark::State& state) {
  cache::Cache c(cache::CacheOptions{}, nullptr);
  asio::io_context io;
  const cache::Cache::Factory factory = []() -> asio::awaitable<Result<std::string>> {
    co_return std::string(*KpiBody());
  };
  const std::string variant = "ADMIN /dashboard-cqrs/kpis";
  bool failed = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (domain::Id t = 1; t <= 1000; ++t) (void)co_await c.GetOrSet(cache::Category::kKpis, t, variant, factory);
        domain::Id t = 1;
        for (auto _ : state) {
          auto served = co_await c.GetOrSet(cache::Category::kKpis, t, variant, factory);
          if (!served || served->outcome != cache::Outcome::kHitL1) failed = true;
          benchmark::DoNotOptimize(served);
          t = t % 1000 + 1;
        }
      },
      asio::detached);
  io.run();
  if (failed) state.SkipWithError("a lookup was not an L1 hit");
}
BENCHMARK(BM_CacheGetOrSetL1Hit);

// Cache::TryL1 (the read path of a cached route, no coroutine) hitting, 1,000 tenants, with an
// owning factory and refresh-ahead on as the server runs it (every read is noted).
void BM_CacheTryL1Hit(benchmark::State& state) {
  cache::Cache c(cache::CacheOptions{.refresh_ahead_min_reads = 3}, nullptr);
  asio::io_context io;
  const cache::Cache::Factory factory = []() -> asio::awaitable<Result<std::string>> {
    co_return std::string(*KpiBody());
  };
  const std::string variant = "kpis;d=20420";
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (domain::Id t = 1; t <= 1000; ++t)
          (void)co_await c.GetOrSet(cache::Category::kKpis, t, variant, factory, false, factory);
      },
      asio::detached);
  io.run();
  const asio::any_io_executor ex = io.get_executor();
  domain::Id t = 1;
  for (auto _ : state) {
    auto served = c.TryL1(ex, cache::Category::kKpis, t, variant, factory);
    if (!served || served->outcome != cache::Outcome::kHitL1) {
      state.SkipWithError("a lookup was not an L1 hit");
      break;
    }
    benchmark::DoNotOptimize(served);
    t = t % 1000 + 1;
  }
}
BENCHMARK(BM_CacheTryL1Hit);

// AccessCheckCache::Get of a remembered token (the per-request authentication of a cached read),
// 1,000 users' tokens of a JWT's length.
void BM_AccessCheckCacheHit(benchmark::State& state) {
  api::AccessCheckCache checks(std::chrono::seconds(30));
  std::vector<std::string> tokens;
  for (int u = 1; u <= 1000; ++u) {
    tokens.push_back("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIx" + std::string(150, 'a' + u % 26) +
                     std::to_string(u));
    checks.Put(tokens.back(),
               api::Principal{.user_id = u,
                              .email = "admin" + std::to_string(u) + "@empresa.demo",
                              .rol = "ADMIN",
                              .empresa_id = u,
                              .jti = "8c1f2a9e-6b4d-4f0e-9a1b-" + std::to_string(100000000000 + u),
                              .expires_s = 4102444800,
                              .issued_ms = 1764300000000},
               checks.epoch());
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto who = checks.Get(tokens[i], 1764300000);
    if (!who) {
      state.SkipWithError("a token was not remembered");
      break;
    }
    benchmark::DoNotOptimize(who);
    i = (i + 7) % tokens.size();
  }
}
BENCHMARK(BM_AccessCheckCacheHit);

// CachedReply + Render of an L1 hit, and the response header serialized as sent.
void BM_CachedReplyRenderHeader(benchmark::State& state) {
  http::RequestContext ctx;
  ctx.request.version(11);
  const cache::Served served{KpiBody(), cache::Outcome::kHitL1};
  std::ostringstream os;
  for (auto _ : state) {
    http::Response res = api::Render(ctx, api::CachedReply(served));
    os.str({});
    os << res.base();
    benchmark::DoNotOptimize(os.tellp());
  }
}
BENCHMARK(BM_CachedReplyRenderHeader);

}  // namespace
