// Redis Cluster key slots, exactly as the cluster specification defines them: CRC16 (XMODEM:
// polynomial 0x1021, initial value 0) of the key modulo 16384, where a key holding "{...}" with at
// least one character between the first '{' and the first '}' after it hashes only that part (the
// hash tag). RedisCommandKey() finds the key a command is routed by. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iam::cache {

inline constexpr int kRedisClusterSlots = 16384;

std::uint16_t Crc16Xmodem(std::string_view data);
// 0..16383.
int RedisKeySlot(std::string_view key);

// The key that decides where a command goes: for EVAL/EVALSHA/EVAL_RO/EVALSHA_RO/FCALL/FCALL_RO the
// first key after numkeys (none when numkeys is 0); for commands that take no key (PING, INFO,
// DBSIZE, SCAN, TIME, WAIT, ASKING, CLUSTER, SCRIPT, FUNCTION, CONFIG, FLUSHALL, FLUSHDB, ...) none;
// otherwise the first argument.
std::optional<std::string_view> RedisCommandKey(const std::vector<std::string>& args);

}  // namespace iam::cache
