// CircuitBreaker: stops calling a failing dependency (Redis) for a while, then probes it with
// back-off: closed -> open after `failure_threshold` consecutive failures; open rejects for the open
// duration; half-open lets exactly one caller (the probe) through, whose outcome closes or re-opens
// it. Pure logic, no I/O; thread-safe (one mutex); the clock is injected for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

namespace iam::cache {

// The open duration starts at open_initial, doubles on each failed probe up to open_max, and is
// reset by a success.
struct CircuitBreakerOptions {
  int failure_threshold = 5;
  std::chrono::milliseconds open_initial{500};
  std::chrono::milliseconds open_max{30'000};
  // A probe that never reports (its caller vanished) counts as failed after this long, so the
  // breaker cannot stay half-open forever.
  std::chrono::milliseconds probe_timeout{5'000};
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit CircuitBreaker(CircuitBreakerOptions options = {}, Clock clock = &std::chrono::steady_clock::now);

  // May the caller try the dependency now? Every true must be followed by RecordSuccess() or
  // RecordFailure(). In half-open state the first report is taken as the probe's outcome (a call
  // started before the breaker opened cannot still be running: calls are bounded by a timeout far
  // shorter than the open duration).
  bool Allow();
  void RecordSuccess();
  void RecordFailure();

  State state() const;
  std::uint64_t times_opened() const;
  std::uint64_t rejected() const;
  std::chrono::milliseconds open_duration() const;  // the current (next) open period

 private:
  void OpenLocked(std::chrono::steady_clock::time_point now);

  const CircuitBreakerOptions options_;
  const Clock clock_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  std::chrono::milliseconds open_duration_;
  std::chrono::steady_clock::time_point opened_at_{};
  std::chrono::steady_clock::time_point probe_started_{};
  std::uint64_t times_opened_ = 0;
  std::uint64_t rejected_ = 0;
};

std::string_view CircuitStateName(CircuitBreaker::State s);

}  // namespace iam::cache
