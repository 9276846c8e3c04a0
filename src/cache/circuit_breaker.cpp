#include "cache/circuit_breaker.hpp"

#include <algorithm>
#include <utility>

namespace iam::cache {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)), open_duration_(options.open_initial) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  if (state_ == State::kClosed) return true;
  auto now = clock_();
  if (state_ == State::kHalfOpen && now - probe_started_ >= options_.probe_timeout) {
    // The probe never reported: count it as failed when its time ran out.
    open_duration_ = std::min(open_duration_ * 2, options_.open_max);
    OpenLocked(probe_started_ + options_.probe_timeout);
  }
  if (state_ == State::kOpen && now - opened_at_ >= open_duration_) {
    state_ = State::kHalfOpen;
    probe_started_ = now;
    return true;  // this caller is the probe
  }
  ++rejected_;
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  // A late success while open (a call allowed before it opened) does not close the breaker:
  // only the probe decides.
  if (state_ == State::kOpen) return;
  state_ = State::kClosed;
  consecutive_failures_ = 0;
  open_duration_ = options_.open_initial;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mu_);
  auto now = clock_();
  switch (state_) {
    case State::kClosed:
      if (++consecutive_failures_ >= options_.failure_threshold) OpenLocked(now);
      break;
    case State::kHalfOpen:
      open_duration_ = std::min(open_duration_ * 2, options_.open_max);
      OpenLocked(now);
      break;
    case State::kOpen: break;  // already open; a late failure changes nothing
  }
}

void CircuitBreaker::OpenLocked(std::chrono::steady_clock::time_point now) {
  state_ = State::kOpen;
  opened_at_ = now;
  consecutive_failures_ = 0;
  ++times_opened_;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::uint64_t CircuitBreaker::times_opened() const {
  std::lock_guard lock(mu_);
  return times_opened_;
}

std::uint64_t CircuitBreaker::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

std::chrono::milliseconds CircuitBreaker::open_duration() const {
  std::lock_guard lock(mu_);
  return open_duration_;
}

std::string_view CircuitStateName(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half-open";
  }
  return "?";
}

}  // namespace iam::cache
