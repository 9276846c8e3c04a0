// RunBlocking: runs a blocking call (database, file, password hashing) on a thread pool and resumes
// the calling coroutine on its own executor afterwards, so I/O threads never block.
// Exceptions thrown by `fn` are rethrown in the caller.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace iam::http {

template <typename Fn>
boost::asio::awaitable<std::invoke_result_t<Fn&>> RunBlocking(boost::asio::thread_pool& pool, Fn fn) {
  using R = std::invoke_result_t<Fn&>;
  if constexpr (std::is_void_v<R>) {
    co_await boost::asio::co_spawn(
        pool, [&]() -> boost::asio::awaitable<void> { fn(); co_return; }, boost::asio::use_awaitable);
  } else {
    // optional<R>: co_spawn's completion needs a default-constructible value type.
    auto out = co_await boost::asio::co_spawn(
        pool, [&]() -> boost::asio::awaitable<std::optional<R>> { co_return std::optional<R>(fn()); },
        boost::asio::use_awaitable);
    co_return std::move(*out);
  }
}

}  // namespace iam::http
