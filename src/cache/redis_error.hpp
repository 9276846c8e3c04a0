// The failures of the Redis client: always ErrorKind::kUnavailable (the cache treats Redis as
// optional, a failure means "go to the database"), with one of these codes so that callers and
// `iam redis-check` can tell why. Messages name host:port and the server's words, never a password.
#pragma once

#include <string>
#include <string_view>

#include "domain/error.hpp"

namespace iam::cache {

inline constexpr std::string_view kRedisUnavailable = "redis_unavailable";  // not connected, lost, shut down
inline constexpr std::string_view kRedisTimeout = "redis_timeout";          // no reply within the timeout
inline constexpr std::string_view kRedisConnect = "redis_connect";          // TCP connect: refused, DNS, unreachable
inline constexpr std::string_view kRedisAuth = "redis_auth";                // AUTH rejected (WRONGPASS) or NOAUTH
inline constexpr std::string_view kRedisTls = "redis_tls";                  // TLS set-up, handshake or certificate
inline constexpr std::string_view kRedisProtocol = "redis_protocol";        // malformed or unexpected reply

inline Error RedisError(std::string_view code, std::string message) {
  return Error::Unavailable(std::move(message), std::string(code));
}

}  // namespace iam::cache
