// Plumbing for handlers: run a store function on the blocking pool with a leased
// connection (WithConnection) or inside one transaction (InTransaction). `fn` takes a
// store::Connection& and returns a Result; a pool timeout becomes that Result's error.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <type_traits>
#include <utility>

#include "api/api_context.hpp"
#include "http/blocking.hpp"

namespace iam::api::detail {

template <typename Fn>
auto WithConnection(ApiContext& api, Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&, store::Connection&>> {
  using R = std::invoke_result_t<Fn&, store::Connection&>;
  return http::RunBlocking(api.blocking, [&api, fn = std::move(fn)]() mutable -> R {
    return store::WithConnection(api.db, fn);
  });
}

template <typename Fn>
auto InTransaction(ApiContext& api, Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&, store::Connection&>> {
  using R = std::invoke_result_t<Fn&, store::Connection&>;
  return http::RunBlocking(api.blocking, [&api, fn = std::move(fn)]() mutable -> R {
    return store::InTransaction(api.db, fn);
  });
}

}  // namespace iam::api::detail
