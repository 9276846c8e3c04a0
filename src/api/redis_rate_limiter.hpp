// RedisRateLimiter: the auth rate limits shared by every instance on one Redis (a single
// server or a cluster: a window is one key, so one slot). A window is a key
// `<prefix>:rl:<key>` counted with an atomic INCR that sets its expiry on the first event (a Lua
// script), so the window starts at the first event as in memory. Every event is also counted in
// an InMemoryRateLimiter, which answers whenever Redis does not (down, slow past the client's
// timeout): limits then hold per instance instead of across them, and login never waits on Redis.
// Thread-safe.
#pragma once

#include <string>

#include "api/memory_rate_limiter.hpp"
#include "api/rate_limiter.hpp"
#include "cache/redis_commands.hpp"

namespace iam::api {

class RedisRateLimiter final : public RateLimiter {
 public:
  RedisRateLimiter(cache::RedisCommands& client, std::string prefix);

  boost::asio::awaitable<std::optional<std::chrono::seconds>> RetryAfter(std::string key, int limit) override;
  boost::asio::awaitable<void> Record(std::string key, std::chrono::seconds window) override;
  boost::asio::awaitable<void> Reset(std::string key) override;

  std::string RedisKey(std::string_view key) const { return prefix_ + ":rl:" + std::string(key); }

 private:
  cache::RedisCommands& client_;
  std::string prefix_;
  InMemoryRateLimiter local_;
};

}  // namespace iam::api
