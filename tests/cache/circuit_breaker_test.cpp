// CircuitBreaker: its state machine driven by scripts of calls on a fake clock (table-driven), and
// the one-probe guarantee under concurrent callers.
#include "cache/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace iam::cache {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

// One step of a script: do something, or check something.
struct Step {
  enum Op { kAllow, kReject, kFail, kSucceed, kAdvance, kState, kOpenFor } op;
  std::chrono::milliseconds ms{0};
  State state = State::kClosed;
};
Step Allow() { return {Step::kAllow}; }    // expects Allow() == true
Step Reject() { return {Step::kReject}; }  // expects Allow() == false
Step Fail() { return {Step::kFail}; }
Step Succeed() { return {Step::kSucceed}; }
Step Advance(std::chrono::milliseconds d) { return {Step::kAdvance, d}; }
Step Is(State s) { return {Step::kState, 0ms, s}; }
Step OpenFor(std::chrono::milliseconds d) { return {Step::kOpenFor, d}; }

std::vector<Step> Repeat(int n, const std::vector<Step>& steps) {
  std::vector<Step> out;
  for (int i = 0; i < n; ++i) out.insert(out.end(), steps.begin(), steps.end());
  return out;
}
std::vector<Step> Concat(std::initializer_list<std::vector<Step>> parts) {
  std::vector<Step> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Script {
  const char* name;
  std::vector<Step> steps;
  std::uint64_t times_opened;
  std::uint64_t rejected;
};

std::vector<Script> Scripts() {
  const auto five_failures = Repeat(5, {Allow(), Fail()});
  return {
      {"four failures keep it closed", Concat({Repeat(4, {Allow(), Fail()}), {Is(State::kClosed), Allow()}}), 0, 0},
      {"a success resets the count",
       Concat({Repeat(4, {Allow(), Fail()}), {Allow(), Succeed()}, Repeat(4, {Allow(), Fail()}), {Is(State::kClosed)}}),
       0, 0},
      {"five consecutive failures open it", Concat({five_failures, {Is(State::kOpen), Reject(), Reject()}}), 1, 2},
      {"open until 500 ms have passed",
       Concat({five_failures, {Advance(499ms), Reject(), Advance(1ms), Allow(), Is(State::kHalfOpen)}}), 1, 1},
      {"half-open lets exactly one probe through",
       Concat({five_failures, {Advance(500ms), Allow(), Reject(), Reject(), Is(State::kHalfOpen)}}), 1, 2},
      {"a successful probe closes it and resets the duration",
       Concat({five_failures,
               {Advance(500ms), Allow(), Succeed(), Is(State::kClosed), Allow(), Allow(), OpenFor(500ms)},
               five_failures,
               {Advance(500ms), Allow()}}),
       2, 0},
      {"a failed probe re-opens it for twice as long",
       Concat({five_failures,
               {Advance(500ms), Allow(), Fail(), Is(State::kOpen), OpenFor(1000ms), Advance(999ms), Reject(),
                Advance(1ms), Allow(), Fail(), OpenFor(2000ms)}}),
       3, 1},
      {"the duration doubles up to 30 s",
       Concat({five_failures,
               Repeat(7, {Advance(30s), Allow(), Fail()}),
               {OpenFor(30s), Advance(30s), Allow(), Fail(), OpenFor(30s)}}),
       9, 0},
      {"failures while open change nothing",
       Concat({five_failures, {Fail(), Fail(), Advance(500ms), Allow(), Is(State::kHalfOpen)}}), 1, 0},
      {"a late success while open does not close it", Concat({five_failures, {Succeed(), Is(State::kOpen), Reject()}}),
       1, 1},
      {"a probe that never reports counts as failed after 5 s",
       Concat({five_failures,
               {Advance(500ms), Allow(), Advance(4999ms), Reject(), Advance(1ms), Is(State::kHalfOpen), Reject(),
                Is(State::kOpen), OpenFor(1000ms), Advance(1000ms), Allow()}}),
       2, 2},
  };
}

TEST(CircuitBreakerTest, Scripts) {
  for (const auto& script : Scripts()) {
    SCOPED_TRACE(script.name);
    auto now = std::chrono::steady_clock::time_point{} + 1h;
    CircuitBreaker breaker({}, [&now] { return now; });
    int i = 0;
    for (const auto& step : script.steps) {
      SCOPED_TRACE("step " + std::to_string(i++));
      switch (step.op) {
        case Step::kAllow: ASSERT_TRUE(breaker.Allow()); break;
        case Step::kReject: ASSERT_FALSE(breaker.Allow()); break;
        case Step::kFail: breaker.RecordFailure(); break;
        case Step::kSucceed: breaker.RecordSuccess(); break;
        case Step::kAdvance: now += step.ms; break;
        case Step::kState: ASSERT_EQ(CircuitStateName(breaker.state()), CircuitStateName(step.state)); break;
        case Step::kOpenFor: ASSERT_EQ(breaker.open_duration().count(), step.ms.count()); break;
      }
    }
    EXPECT_EQ(breaker.times_opened(), script.times_opened);
    EXPECT_EQ(breaker.rejected(), script.rejected);
  }
}

TEST(CircuitBreakerTest, CustomThresholdAndDurations) {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  CircuitBreaker breaker({.failure_threshold = 2, .open_initial = 100ms, .open_max = 150ms}, [&now] { return now; });
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), State::kClosed);
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), State::kOpen);
  now += 100ms;
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordFailure();
  EXPECT_EQ(breaker.open_duration(), 150ms);  // doubled, capped
}

TEST(CircuitBreakerTest, ConcurrentCallersGetExactlyOneProbe) {
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    std::atomic<std::int64_t> now_ms{0};
    CircuitBreaker breaker({}, [&now_ms] {
      return std::chrono::steady_clock::time_point{} + 1h + std::chrono::milliseconds(now_ms.load());
    });
    for (int i = 0; i < 5; ++i) breaker.RecordFailure();
    ASSERT_EQ(breaker.state(), State::kOpen);
    now_ms = 500;
    std::atomic<int> allowed{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 0; k < 100; ++k)
          if (breaker.Allow()) ++allowed;
      });
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(allowed.load(), 1);
    EXPECT_EQ(breaker.rejected(), 799u);
  }
}

}  // namespace
}  // namespace iam::cache
