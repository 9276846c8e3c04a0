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

  std::optional<std::chrono::seconds> RetryAfter(std::string_view key, int limit) override;
  void Record(std::string_view key, std::chrono::seconds window) override;
  void Reset(std::string_view key) override;

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
