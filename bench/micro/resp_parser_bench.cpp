// Micro-benchmarks of RESP2 parsing (RedisReplyParser over hiredis' reader): the reply of an L2
// lookup (an array of the tenant's generation and a ≈ 1 KB cached body), fed whole and fed in
// 64-byte pieces as a slow socket would deliver it, and a 100-element array of integers.
#include <benchmark/benchmark.h>

#include <string>

#include "cache/redis_reply_parser.hpp"

namespace {

using iam::cache::RedisReplyParser;

std::string Bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

std::string LookupReply() {
  std::string body = R"({"totalProductos":20,"data":[)";
  while (body.size() < 1000) body += R"({"fecha":"2026-11-01","entradas":12,"salidas":9},)";
  body += "{}]}";
  return "*2\r\n" + Bulk("17") + Bulk(body);
}

void Parse(benchmark::State& state, const std::string& wire, std::size_t piece) {
  RedisReplyParser parser;
  for (auto _ : state) {
    for (std::size_t at = 0; at < wire.size(); at += piece)
      if (!parser.Feed(std::string_view(wire).substr(at, piece))) state.SkipWithError("feed failed");
    auto reply = parser.Next();
    if (!reply || !*reply) {
      state.SkipWithError("no complete reply");
      break;
    }
    benchmark::DoNotOptimize(reply);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void BM_RespLookupReplyWhole(benchmark::State& state) {
  const std::string wire = LookupReply();
  Parse(state, wire, wire.size());
}
BENCHMARK(BM_RespLookupReplyWhole);

void BM_RespLookupReply64BytePieces(benchmark::State& state) { Parse(state, LookupReply(), 64); }
BENCHMARK(BM_RespLookupReply64BytePieces);

void BM_RespIntegerArray100(benchmark::State& state) {
  std::string wire = "*100\r\n";
  for (int i = 0; i < 100; ++i) wire += ":" + std::to_string(i * 1000) + "\r\n";
  Parse(state, wire, wire.size());
}
BENCHMARK(BM_RespIntegerArray100);

}  // namespace
