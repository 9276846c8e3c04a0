#include "cache/single_flight.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <optional>
#include <vector>

namespace iam::cache {

namespace asio = boost::asio;
using Wakeup = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

struct SingleFlight::Flight {
  std::mutex mu;
  std::optional<Result<Value>> result;  // set once, when the leader finishes
  std::vector<std::shared_ptr<Wakeup>> waiters;
};

std::size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mu_);
  return flights_.size();
}

asio::awaitable<SingleFlight::Outcome> SingleFlight::Do(const std::string& key, const Factory& fn) {
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = flights_.try_emplace(key);
    if (inserted) it->second = std::make_shared<Flight>();
    flight = it->second;
    leader = inserted;
  }

  if (!leader) {
    shared_.fetch_add(1, std::memory_order_relaxed);
    // A channel per waiter: concurrent_channel may be sent to from any thread, and the receive
    // completes on this coroutine's executor.
    auto wakeup = std::make_shared<Wakeup>(co_await asio::this_coro::executor, 1);
    {
      std::lock_guard lock(flight->mu);
      if (flight->result) co_return Outcome{*flight->result, true};
      flight->waiters.push_back(wakeup);
    }
    co_await wakeup->async_receive(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(flight->mu);
    // Woken without a result: this waiter was cancelled (the channel reports channel_cancelled)
    // while the leader is still computing. Surface it as asio does for any cancelled co_await.
    if (!flight->result) throw boost::system::system_error(asio::error::operation_aborted);
    co_return Outcome{*flight->result, true};
  }

  std::optional<Result<Value>> result;
  try {
    result.emplace(co_await fn());
  } catch (...) {
    // The waiters must be released whatever happens (whatever is thrown); the error reaches
    // them as a 500.
    result.emplace(Fail(Error::Internal()));
  }
  {
    std::lock_guard lock(mu_);
    flights_.erase(key);
  }
  std::vector<std::shared_ptr<Wakeup>> waiters;
  {
    std::lock_guard lock(flight->mu);
    flight->result = *result;
    waiters.swap(flight->waiters);
  }
  for (auto& w : waiters) w->try_send(boost::system::error_code{});
  co_return Outcome{std::move(*result), false};
}

}  // namespace iam::cache
