// InMemoryRateLimiter: RateLimiter for one process. Fixed windows per key, guarded by a mutex;
// expired windows are swept as keys are touched, so memory stays bounded by the keys active in the
// last window.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/rate_limiter.hpp"

namespace iam::api {

class InMemoryRateLimiter final : public RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<std::optional<std::chrono::seconds>> RetryAfter(std::string key, int limit) override {
    co_return RetryAfterNow(key, limit);
  }
  boost::asio::awaitable<void> Record(std::string key, std::chrono::seconds window) override {
    RecordNow(key, window);
    co_return;
  }
  boost::asio::awaitable<void> Reset(std::string key) override {
    ResetNow(key);
    co_return;
  }

  // The same, synchronously (they never wait on anything but a mutex).
  std::optional<std::chrono::seconds> RetryAfterNow(std::string_view key, int limit);
  void RecordNow(std::string_view key, std::chrono::seconds window);
  void ResetNow(std::string_view key);

 private:
  struct Window {
    Clock::time_point ends;
    int count = 0;
  };
  void SweepLocked(Clock::time_point now);

  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  Clock::time_point next_sweep_{};
};

}  // namespace iam::api
