#include "api/redis_rate_limiter.hpp"

#include <charconv>

namespace iam::api {
namespace {

constexpr const char* kCountScript = R"(local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n)";

}  // namespace

RedisRateLimiter::RedisRateLimiter(cache::RedisCommands& client, std::string prefix)
    : client_(client), prefix_(std::move(prefix)) {}

boost::asio::awaitable<std::optional<std::chrono::seconds>> RedisRateLimiter::RetryAfter(std::string key, int limit) {
  std::vector<std::vector<std::string>> cmds{std::vector<std::string>{"GET", RedisKey(key)},
                                             std::vector<std::string>{"PTTL", RedisKey(key)}};
  auto r = co_await client_.ExecutePipeline(std::move(cmds));
  if (!r || r->size() != 2 || (*r)[0].IsError() || (*r)[1].type != cache::RedisReply::Type::kInteger)
    co_return local_.RetryAfterNow(key, limit);
  long long count = 0;
  if ((*r)[0].IsString()) {
    const std::string& s = (*r)[0].str;
    std::from_chars(s.data(), s.data() + s.size(), count);
  }
  if (count < limit) co_return std::nullopt;
  const std::int64_t pttl_ms = (*r)[1].integer;  // -1: no expiry (cannot happen), -2: gone meanwhile
  if (pttl_ms == -2) co_return std::nullopt;
  co_return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(std::chrono::milliseconds(pttl_ms)));
}

boost::asio::awaitable<void> RedisRateLimiter::Record(std::string key, std::chrono::seconds window) {
  local_.RecordNow(key, window);
  std::vector<std::string> cmd{"EVAL", kCountScript, "1", RedisKey(key),
                               std::to_string(std::chrono::milliseconds(window).count())};
  co_await client_.Execute(std::move(cmd));  // a failure leaves the local count to answer
}

boost::asio::awaitable<void> RedisRateLimiter::Reset(std::string key) {
  local_.ResetNow(key);
  std::vector<std::string> cmd{"DEL", RedisKey(key)};
  co_await client_.Execute(std::move(cmd));
}

}  // namespace iam::api
