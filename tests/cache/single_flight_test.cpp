// SingleFlight: one computation per key however many callers overlap (100 coroutines on a
// 4-thread io_context, the factory held open until all of them have joined), errors and thrown
// exceptions delivered to every waiter, keys forgotten once done, keys independent, and a
// cancelled waiter.
#include "cache/single_flight.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Value V(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

// Suspends (1 ms timer steps) until pred() holds or `limit` passes; returns whether it held.
asio::awaitable<bool> WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 20s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    timer.expires_after(1ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

// Runs ctx on `threads` threads until it runs out of work (bounded, so a hang fails instead of
// blocking the suite). Returns false on timeout.
bool RunThreads(asio::io_context& ctx, int threads, std::chrono::seconds limit = 60s) {
  std::vector<std::thread> pool;
  std::atomic<bool> timed_out{false};
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      ctx.run_for(limit);
      if (!ctx.stopped()) timed_out = true;
    });
  for (auto& t : pool) t.join();
  if (timed_out) ctx.stop();
  return !timed_out;
}

// Runs one awaitable to completion on a fresh single-threaded io_context.
template <typename T>
T RunOne(asio::awaitable<T> a) {
  asio::io_context ctx;
  auto fut = asio::co_spawn(ctx, std::move(a), asio::use_future);
  ctx.run();
  return fut.get();
}

// Spawns `n` callers of sf.Do(key, fn) on ctx; each stores its outcome (or the fact that it threw).
struct Callers {
  std::vector<std::optional<SingleFlight::Outcome>> outcomes;
  std::atomic<int> finished{0}, threw{0};

  Callers(asio::io_context& ctx, SingleFlight& sf, const std::string& key, const SingleFlight::Factory& fn, int n)
      : outcomes(n) {
    for (int i = 0; i < n; ++i)
      asio::co_spawn(
          ctx,
          [this, &sf, &key, &fn, i]() -> asio::awaitable<void> { outcomes[i] = co_await sf.Do(key, fn); },
          [this](std::exception_ptr e) {
            if (e) threw.fetch_add(1);
            finished.fetch_add(1);
          });
  }
  int leaders() const {
    int n = 0;
    for (const auto& o : outcomes) n += (o && !o->shared) ? 1 : 0;
    return n;
  }
};

// ---------------------------------------------------------------- one computation per key

TEST(SingleFlightTest, HundredConcurrentCallersShareOneComputation) {
  constexpr int kCallers = 100;
  SingleFlight sf;
  const std::string key = "kpis:1:0.0:";
  std::atomic<int> runs{0};
  std::atomic<bool> all_joined{false};
  const SingleFlight::Factory fn = [&]() -> asio::awaitable<Result<Value>> {
    const int run = ++runs;
    // Hold the computation open until every other caller has found it in flight.
    all_joined = co_await WaitUntil([&] { return sf.shared_count() >= kCallers - 1; });
    EXPECT_EQ(sf.in_flight(), 1u);
    co_return V("computed #" + std::to_string(run));
  };

  asio::io_context ctx(4);
  Callers callers(ctx, sf, key, fn, kCallers);
  ASSERT_TRUE(RunThreads(ctx, 4));

  EXPECT_TRUE(all_joined.load());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(callers.finished.load(), kCallers);
  EXPECT_EQ(callers.threw.load(), 0);
  EXPECT_EQ(sf.shared_count(), std::uint64_t{kCallers - 1});
  EXPECT_EQ(callers.leaders(), 1);
  EXPECT_EQ(sf.in_flight(), 0u);
  const std::string* first = nullptr;
  for (int i = 0; i < kCallers; ++i) {
    SCOPED_TRACE("caller " + std::to_string(i));
    const auto& o = callers.outcomes[i];
    ASSERT_TRUE(o.has_value());
    ASSERT_TRUE(o->value.has_value());
    ASSERT_NE(*o->value, nullptr);
    EXPECT_EQ(**o->value, "computed #1");
    if (first == nullptr) first = o->value->get();
    EXPECT_EQ(o->value->get(), first);  // the very same value object, not a copy
  }
}

TEST(SingleFlightTest, ANewCallAfterCompletionComputesAgain) {
  SingleFlight sf;
  const std::string key = "k";
  int runs = 0;
  const SingleFlight::Factory fn = [&]() -> asio::awaitable<Result<Value>> {
    co_return V("run " + std::to_string(++runs));
  };
  for (int i = 1; i <= 3; ++i) {
    SCOPED_TRACE("call " + std::to_string(i));
    auto o = RunOne(sf.Do(key, fn));
    EXPECT_FALSE(o.shared);
    ASSERT_TRUE(o.value.has_value());
    EXPECT_EQ(**o.value, "run " + std::to_string(i));
    EXPECT_EQ(sf.in_flight(), 0u);
  }
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(sf.shared_count(), 0u);
}

TEST(SingleFlightTest, DifferentKeysDoNotShare) {
  const std::vector<std::string> keys = {"kpis:1:0.0:", "kpis:2:0.0:", "kpis:1:0.1:", "kpis:1:0.0:x"};
  constexpr int kPerKey = 5;
  SingleFlight sf;
  std::atomic<int> started{0};
  std::atomic<std::size_t> max_in_flight{0};
  std::vector<std::atomic<int>> runs(keys.size());
  std::vector<SingleFlight::Factory> fns;
  for (std::size_t k = 0; k < keys.size(); ++k)
    fns.push_back([&, k]() -> asio::awaitable<Result<Value>> {
      runs[k].fetch_add(1);
      started.fetch_add(1);
      // Every key's computation is in flight at once, and every caller has joined one.
      co_await WaitUntil([&] {
        if (started.load() < static_cast<int>(keys.size()) || sf.shared_count() < keys.size() * (kPerKey - 1))
          return false;
        std::size_t seen = max_in_flight.load(), now = sf.in_flight();
        while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
        }
        return true;
      });
      co_return V(keys[k]);
    });

  asio::io_context ctx(4);
  std::vector<std::unique_ptr<Callers>> callers;
  for (std::size_t k = 0; k < keys.size(); ++k)
    callers.push_back(std::make_unique<Callers>(ctx, sf, keys[k], fns[k], kPerKey));
  ASSERT_TRUE(RunThreads(ctx, 4));

  EXPECT_EQ(sf.shared_count(), keys.size() * (kPerKey - 1));
  EXPECT_EQ(max_in_flight.load(), keys.size());  // all computations were in flight at once
  EXPECT_EQ(sf.in_flight(), 0u);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    SCOPED_TRACE("key '" + keys[k] + "'");
    EXPECT_EQ(runs[k].load(), 1);
    EXPECT_EQ(callers[k]->leaders(), 1);
    for (const auto& o : callers[k]->outcomes) {
      ASSERT_TRUE(o && o->value.has_value());
      EXPECT_EQ(**o->value, keys[k]);  // each key got its own computation's value
    }
  }
}

// ---------------------------------------------------------------- errors

TEST(SingleFlightTest, ErrorsReachEveryWaiterAndAreNotRemembered) {
  enum class How { kResult, kThrowStd, kThrowNonStd, kThrowBeforeCoroutine };
  struct Case {
    const char* name;
    How how;
    int callers;
    ErrorKind kind;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"an error result", How::kResult, 10, ErrorKind::kNotFound, "NOT_FOUND"},
      {"an error result, single caller", How::kResult, 1, ErrorKind::kNotFound, "NOT_FOUND"},
      {"a std::exception thrown after suspending", How::kThrowStd, 10, ErrorKind::kInternal, "INTERNAL_ERROR"},
      {"a non-std exception thrown after suspending", How::kThrowNonStd, 10, ErrorKind::kInternal, "INTERNAL_ERROR"},
      // The factory function throws before it even returns an awaitable: no one can join.
      {"thrown by the factory call itself", How::kThrowBeforeCoroutine, 1, ErrorKind::kInternal, "INTERNAL_ERROR"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SingleFlight sf;
    std::atomic<int> runs{0};
    const int callers_n = c.callers;
    const How how = c.how;
    const SingleFlight::Factory coro = [&]() -> asio::awaitable<Result<Value>> {
      ++runs;
      co_await WaitUntil([&] { return sf.shared_count() >= static_cast<std::uint64_t>(callers_n - 1); });
      if (how == How::kThrowStd) throw std::runtime_error("boom");
      if (how == How::kThrowNonStd) throw 42;
      co_return Fail(Error::NotFound("No existe"));
    };
    const SingleFlight::Factory eager = [&]() -> asio::awaitable<Result<Value>> {
      ++runs;
      throw std::logic_error("no awaitable");
    };
    const SingleFlight::Factory& fn = how == How::kThrowBeforeCoroutine ? eager : coro;

    const std::string key = "k";
    asio::io_context ctx(4);
    Callers callers(ctx, sf, key, fn, callers_n);
    ASSERT_TRUE(RunThreads(ctx, 4, 20s)) << "callers still waiting: the flight was never released";

    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(callers.finished.load(), callers_n);
    EXPECT_EQ(callers.threw.load(), 0);
    EXPECT_EQ(callers.leaders(), 1);
    EXPECT_EQ(sf.in_flight(), 0u);
    for (const auto& o : callers.outcomes) {
      ASSERT_TRUE(o.has_value());
      ASSERT_FALSE(o->value.has_value());
      EXPECT_EQ(o->value.error().kind, c.kind);
      EXPECT_EQ(o->value.error().code, c.code);
    }

    // The error was not kept: the next call runs a (now succeeding) factory.
    const SingleFlight::Factory ok = [&]() -> asio::awaitable<Result<Value>> {
      ++runs;
      co_return V("fine");
    };
    auto again = RunOne(sf.Do(key, ok));
    ASSERT_TRUE(again.value.has_value());
    EXPECT_EQ(**again.value, "fine");
    EXPECT_FALSE(again.shared);
    EXPECT_EQ(runs.load(), 2);
  }
}

// ---------------------------------------------------------------- cancellation

// A waiter whose coroutine is cancelled (e.g. a request deadline implemented with a cancellation
// slot) must not read a result that does not exist yet; the leader and the other waiters carry on.
TEST(SingleFlightTest, CancelledWaiterLeavesTheFlightIntact) {
  SingleFlight sf;
  std::atomic<bool> release{false};
  int runs = 0;
  const SingleFlight::Factory fn = [&]() -> asio::awaitable<Result<Value>> {
    ++runs;
    co_await WaitUntil([&] { return release.load(); });
    co_return V("value");
  };

  const std::string key = "k";
  asio::io_context ctx;
  Callers others(ctx, sf, key, fn, 3);  // the first of them leads
  asio::cancellation_signal cancel;
  std::optional<SingleFlight::Outcome> cancelled_outcome;
  std::exception_ptr cancelled_error;
  bool cancelled_done = false;
  asio::co_spawn(ctx, sf.Do(key, fn),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, SingleFlight::Outcome o) {
                   cancelled_done = true;
                   cancelled_error = e;
                   if (!e) cancelled_outcome = std::move(o);
                 }));
  // Let everyone join, then cancel the last waiter while the computation is still running.
  while (sf.shared_count() < 3) ASSERT_EQ(ctx.run_one_for(5s), 1u);
  for (int i = 0; i < 20; ++i) ctx.poll();
  ASSERT_FALSE(cancelled_done);
  cancel.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 1000 && !cancelled_done; ++i) ctx.run_one_for(10ms);
  ASSERT_TRUE(cancelled_done);
  EXPECT_EQ(sf.in_flight(), 1u);  // the leader is still computing

  // Cancelled: either an operation_aborted exception or an error result, never a made-up value
  // or an error with no code.
  if (cancelled_error) {
    try {
      std::rethrow_exception(cancelled_error);
    } catch (const boost::system::system_error& e) {
      EXPECT_EQ(e.code(), asio::error::operation_aborted);
    } catch (...) {
      ADD_FAILURE() << "unexpected exception type";
    }
  } else {
    ASSERT_TRUE(cancelled_outcome.has_value());
    ASSERT_FALSE(cancelled_outcome->value.has_value()) << "a cancelled waiter got a value before it existed";
    EXPECT_FALSE(cancelled_outcome->value.error().code.empty()) << "uninitialized error";
  }

  release = true;
  ctx.restart();
  ctx.run_for(10s);
  EXPECT_EQ(others.finished.load(), 3);
  EXPECT_EQ(runs, 1);
  for (const auto& o : others.outcomes) {
    ASSERT_TRUE(o && o->value.has_value());
    EXPECT_EQ(**o->value, "value");
  }
  EXPECT_EQ(sf.in_flight(), 0u);
}

}  // namespace
}  // namespace iam::cache
