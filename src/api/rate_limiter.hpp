// RateLimiter: counts events per key in fixed windows (failed logins per email and per IP,
// registrations per IP, refreshes per user). InMemoryRateLimiter for one process;
// RedisRateLimiter shares the counts across instances and falls back to memory when Redis is away.
// Calls are coroutines (a shared limiter does network I/O); implementations are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace iam::api {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Seconds until `key` may act again when it has already used `limit` events in its current
  // window; nullopt when it may act now. Does not count anything.
  virtual boost::asio::awaitable<std::optional<std::chrono::seconds>> RetryAfter(std::string key, int limit) = 0;
  // Counts one event for `key`; the window starts at the first event and lasts `window`.
  virtual boost::asio::awaitable<void> Record(std::string key, std::chrono::seconds window) = 0;
  // Forgets `key` (not used for failed logins: a success does not wipe earlier failures).
  virtual boost::asio::awaitable<void> Reset(std::string key) = 0;
};

}  // namespace iam::api
