// Fuzz target: the RESP reader wrapper (cache::RedisReplyParser over hiredis' redisReader), fed the
// bytes of a Redis connection. The first input byte picks how the rest is cut into Feed() calls
// (whole, byte by byte, or in chunks of 1..255 bytes), with Next() drained after every feed.
// Oracles: no crash, leak or sanitizer report; however the bytes are cut, the replies and the
// failure (if any) are the same as when fed whole; once failed, the parser stays failed; Buffered()
// never exceeds the bytes fed; replies nest at most 8 levels (hiredis' limit).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_reply_parser.hpp"
#include "fuzz_checks.hpp"

namespace {

using iam::cache::RedisReply;
using iam::cache::RedisReplyParser;
using iam::fuzz::Finding;

struct Outcome {
  std::vector<RedisReply> replies;
  bool failed = false;
};

int Depth(const RedisReply& r) {
  int deepest = 0;
  for (const auto& e : r.elements) deepest = std::max(deepest, Depth(e));
  return r.type == RedisReply::Type::kArray ? deepest + 1 : deepest;
}

// Drains complete replies; returns false once the parser failed.
bool Drain(RedisReplyParser& p, Outcome& out) {
  while (true) {
    auto next = p.Next();
    if (!next) {
      out.failed = true;
      if (p.Next()) Finding("RESP parser recovered after a protocol error");
      return false;
    }
    if (!next->has_value()) return true;
    if (Depth(**next) > 9) Finding("RESP reply nested deeper than hiredis allows");
    out.replies.push_back(std::move(**next));
  }
}

Outcome Run(std::string_view bytes, std::size_t chunk) {
  RedisReplyParser p;
  Outcome out;
  std::size_t fed = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
    auto piece = bytes.substr(pos, chunk);
    if (!p.Feed(piece)) {
      out.failed = true;
      return out;
    }
    fed += piece.size();
    if (!Drain(p, out)) return out;
    if (p.Buffered() > fed) Finding("RESP parser buffers more bytes than it was fed");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 1 << 16) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Outcome whole = Run(bytes, bytes.size() == 0 ? 1 : bytes.size());
  std::size_t chunk = data[0] == 0 ? 1 : data[0];
  Outcome cut = Run(bytes, chunk);
  // hiredis validates a frame only once it is complete, so a cut feed may fail later than a
  // whole one but never differently: the same replies before the failure, and the same verdict.
  if (whole.failed != cut.failed || whole.replies != cut.replies)
    Finding("RESP parse depends on how the bytes were cut", std::string(bytes));
  return 0;
}
