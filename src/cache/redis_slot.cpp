#include "cache/redis_slot.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace iam::cache {
namespace {

constexpr std::array<std::uint16_t, 256> MakeTable() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    auto crc = static_cast<std::uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b) crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    t[i] = crc;
  }
  return t;
}
constexpr auto kTable = MakeTable();

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool Keyless(const std::string& name) {
  static constexpr std::string_view kKeyless[] = {
      "ASKING", "AUTH",    "CLIENT",   "CLUSTER", "COMMAND", "CONFIG",  "DBSIZE", "ECHO",     "FLUSHALL",
      "FLUSHDB", "FUNCTION", "HELLO",  "INFO",    "LASTSAVE", "MEMORY", "PING",   "PUBLISH",  "QUIT",
      "RANDOMKEY", "READONLY", "READWRITE", "ROLE", "SCAN",  "SCRIPT",  "SELECT", "SLOWLOG",  "TIME",
      "WAIT",    "MULTI",   "EXEC",     "DISCARD", "LATENCY"};
  return std::find(std::begin(kKeyless), std::end(kKeyless), name) != std::end(kKeyless);
}

}  // namespace

std::uint16_t Crc16Xmodem(std::string_view data) {
  std::uint16_t crc = 0;
  for (unsigned char c : data) crc = static_cast<std::uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

int RedisKeySlot(std::string_view key) {
  if (auto open = key.find('{'); open != std::string_view::npos) {
    if (auto close = key.find('}', open + 1); close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return Crc16Xmodem(key) & (kRedisClusterSlots - 1);
}

std::optional<std::string_view> RedisCommandKey(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  const std::string name = Upper(args[0]);
  if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO" || name == "FCALL" ||
      name == "FCALL_RO") {
    if (args.size() < 4) return std::nullopt;
    long long numkeys = 0;
    const std::string& n = args[2];
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), numkeys);
    if (ec != std::errc() || p != n.data() + n.size() || numkeys <= 0) return std::nullopt;
    return std::string_view(args[3]);
  }
  if (Keyless(name)) return std::nullopt;
  return std::string_view(args[1]);
}

}  // namespace iam::cache
