#include "cache/redis_client.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "cache/detail/redis_connection.hpp"
#include "cache/redis_command.hpp"

namespace iam::cache {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

RedisClient::RedisClient(asio::any_io_executor ex, RedisOptions opts)
    : RedisClient(std::vector<asio::any_io_executor>{std::move(ex)}, std::move(opts)) {}

RedisClient::RedisClient(std::vector<asio::any_io_executor> executors, RedisOptions opts)
    : state_(std::make_shared<detail::RedisClientState>(std::move(opts))) {
  // As many per executor: round up to a multiple of their number.
  const std::size_t per = (std::max<std::size_t>(1, state_->opts.connections) + executors.size() - 1) / executors.size();
  const std::size_t n = per * executors.size();
  spread_ = executors.size() > 1;
  connections_.reserve(n);
  contexts_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const asio::any_io_executor& ex = executors[i % executors.size()];
    connections_.push_back(std::make_shared<detail::RedisConnection>(ex, state_, i));
    contexts_.push_back(&asio::query(ex, asio::execution::context));
  }
}

RedisClient::~RedisClient() { Shutdown(); }

void RedisClient::Start() {
  if (started_.exchange(true) || state_->stopped.load()) return;
  for (auto& c : connections_) asio::co_spawn(c->strand(), detail::RedisConnection::Run(c), asio::detached);
}

void RedisClient::Shutdown() {
  if (state_->stopped.exchange(true)) return;
  for (auto& c : connections_) c->Stop();
}

bool RedisClient::Connected() const {
  return std::any_of(connections_.begin(), connections_.end(), [](const auto& c) { return c->Ready(); });
}

RedisClientStats RedisClient::Stats() const {
  RedisClientStats s;
  s.commands = state_->commands.load();
  s.timeouts = state_->timeouts.load();
  s.connection_errors = state_->connection_errors.load();
  s.reconnects = state_->reconnects.load();
  s.rejected = state_->rejected.load();
  return s;
}

std::optional<Error> RedisClient::LastError() const { return state_->LastError(); }

const RedisOptions& RedisClient::options() const { return state_->opts; }

Error RedisClient::NotConnected() const {
  if (state_->stopped.load()) return RedisError(kRedisUnavailable, "redis: client shut down");
  auto last = state_->LastError();
  if (!last)
    return RedisError(kRedisUnavailable, fmt::format("redis: not connected to {}", RedisEndpointName(state_->opts)));
  // Configuration mistakes keep their code, so that callers can tell them from an outage.
  std::string_view code =
      (last->code == kRedisAuth || last->code == kRedisTls) ? std::string_view(last->code) : kRedisUnavailable;
  return RedisError(code, "redis: not connected (" + last->message + ")");
}

asio::awaitable<Result<RedisReply>> RedisClient::Execute(std::vector<std::string> args) {
  std::vector<std::vector<std::string>> one;
  one.push_back(std::move(args));
  auto replies = co_await ExecutePipeline(std::move(one));
  if (!replies) co_return Fail(std::move(replies.error()));
  co_return std::move(replies->front());
}

std::vector<std::string> RedisClient::Nodes() const { return {RedisEndpointName(state_->opts)}; }
std::string RedisClient::NodeFor(std::string_view) const { return RedisEndpointName(state_->opts); }

asio::awaitable<Result<RedisReply>> RedisClient::ExecuteOn(const std::string&, std::vector<std::string> args) {
  co_return co_await Execute(std::move(args));
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisClient::ExecutePipeline(
    std::vector<std::vector<std::string>> commands) {
  return ExecutePipelineBefore(std::move(commands), Clock::now() + state_->opts.command_timeout);
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisClient::ExecutePipelineBefore(
    std::vector<std::vector<std::string>> commands, Clock::time_point deadline) {
  if (commands.empty()) co_return std::vector<RedisReply>{};
  std::string bytes;
  for (const auto& c : commands) {
    if (c.empty()) co_return Fail(Error::InvalidArgument("redis: empty command"));
    bytes += FormatCommand(c);
  }
  state_->commands += commands.size();
  // Round-robin over the connections that are up, those on the caller's io_context first (their
  // strand runs on the caller's thread when that context has one thread); one that went down
  // since Ready() said yes answers kRedisNotReady at once and the next is tried.
  const std::size_t n = connections_.size();
  const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed);
  // With a single executor (the default shared context) there is nothing to prefer: no lookup.
  const asio::execution_context* here =
      spread_ ? &asio::query(co_await asio::this_coro::executor, asio::execution::context) : nullptr;
  const bool any_here = here && std::find(contexts_.begin(), contexts_.end(), here) != contexts_.end();
  for (std::size_t i = 0; i < 2 * n && !state_->stopped.load(); ++i) {
    const std::size_t k = (first + i) % n;
    // First pass: this context's connections (all of them if none is here); second: the others.
    if (any_here && (i < n) != (contexts_[k] == here)) continue;
    if (!any_here && i >= n) break;
    const auto& conn = connections_[k];
    if (!conn->Ready()) continue;
    auto call = detail::RedisConnection::Call(conn, bytes, commands.size(), deadline);
    auto result = co_await asio::co_spawn(conn->strand(), std::move(call), asio::use_awaitable);
    if (result || result.error().code != detail::kRedisNotReady) co_return result;
  }
  ++state_->rejected;
  co_return Fail(NotConnected());
}

asio::awaitable<Result<void>> RedisClient::WaitConnected(std::chrono::milliseconds max) {
  const auto failures_before = state_->failed_attempts.load();
  const auto deadline = Clock::now() + max;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (Connected()) co_return Result<void>{};
    if (state_->stopped.load()) co_return Fail(NotConnected());
    if (state_->failed_attempts.load() != failures_before) {
      auto last = state_->LastError();
      co_return Fail(last ? *last : NotConnected());
    }
    if (Clock::now() >= deadline)
      co_return Fail(RedisError(kRedisTimeout, fmt::format("redis: not connected to {} within {} ms",
                                                           RedisEndpointName(state_->opts), max.count())));
    timer.expires_after(5ms);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace iam::cache
