#include "api/memory_rate_limiter.hpp"

namespace iam::api {

std::optional<std::chrono::seconds> InMemoryRateLimiter::RetryAfterNow(std::string_view key, int limit) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  auto it = windows_.find(std::string(key));
  if (it == windows_.end() || it->second.ends <= now || it->second.count < limit) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.ends - now);
  return std::max(left, std::chrono::seconds(1));
}

void InMemoryRateLimiter::RecordNow(std::string_view key, std::chrono::seconds window) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  SweepLocked(now);
  auto& w = windows_[std::string(key)];
  if (w.ends <= now) w = Window{now + window, 0};
  ++w.count;
}

void InMemoryRateLimiter::ResetNow(std::string_view key) {
  std::lock_guard lock(mu_);
  windows_.erase(std::string(key));
}

void InMemoryRateLimiter::SweepLocked(Clock::time_point now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + std::chrono::seconds(60);
  std::erase_if(windows_, [now](const auto& kv) { return kv.second.ends <= now; });
}

}  // namespace iam::api
