// RedisClient: the pool of pipelined Redis connections (one strand each) to one server that the
// cache co_awaits (the RedisCommands of a single server; RedisClusterClient keeps one per master);
// they connect after Start() and reconnect with back-off until Shutdown(). Every member is thread-safe;
// coroutines resume on their own executor. An error reply is a kError reply, not a failure; failures
// are kUnavailable (codes in redis_error.hpp) and never take longer than opts.command_timeout.
// Given several executors (one per I/O thread, each on its own single-threaded io_context), the
// connections are spread over them and a command goes to a connection on the caller's own
// io_context when one is up: no hop to another thread on the way to Redis and back.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/redis_commands.hpp"
#include "cache/redis_error.hpp"
#include "cache/redis_options.hpp"
#include "cache/redis_reply.hpp"
#include "domain/error.hpp"

namespace iam::cache {

namespace detail {
struct RedisClientState;
class RedisConnection;
}  // namespace detail

// REQUIRES: the client outlives its calls, and is destroyed (or shut down) before the execution
// context of its executor.
class RedisClient final : public RedisCommands {
 public:
  RedisClient(boost::asio::any_io_executor ex, RedisOptions opts);
  // Connections spread over `executors` (at least opts.connections, and at least one each).
  // REQUIRES: executors is not empty.
  RedisClient(std::vector<boost::asio::any_io_executor> executors, RedisOptions opts);
  ~RedisClient() override;  // Shutdown()
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Starts connecting in the background: TCP connect, TLS handshake, AUTH [user] password, SELECT
  // db, PING; then the connection takes commands. Idempotent.
  void Start() override;
  // Closes every connection, fails pending commands, stops reconnecting. Idempotent; later calls
  // fail at once.
  void Shutdown() override;

  // One command ({"SET", key, value, "PX", "1000"}). Fails when no connection is up (at once; the
  // code is redis_auth / redis_tls when that is why the last attempt failed, else
  // redis_unavailable), when the connection is lost meanwhile, or when no reply came within
  // command_timeout (redis_timeout; the late reply is read and dropped).
  boost::asio::awaitable<Result<RedisReply>> Execute(std::vector<std::string> args) override;
  // Several commands in one write on one connection; replies in order. All or nothing: a failure
  // fails the whole pipeline (a Redis error reply to one command does not).
  boost::asio::awaitable<Result<std::vector<RedisReply>>> ExecutePipeline(
      std::vector<std::vector<std::string>> commands) override;
  // The same, with a deadline of the caller's instead of now + command_timeout.
  boost::asio::awaitable<Result<std::vector<RedisReply>>> ExecutePipelineBefore(
      std::vector<std::vector<std::string>> commands, std::chrono::steady_clock::time_point deadline);

  // This server's host:port; ExecuteOn() ignores the name (there is only one server).
  std::vector<std::string> Nodes() const override;
  std::string NodeFor(std::string_view key) const override;
  boost::asio::awaitable<Result<RedisReply>> ExecuteOn(const std::string& node,
                                                       std::vector<std::string> args) override;

  // Waits until a connection is up (success), until a connection attempt that ends after this call
  // fails (that attempt's error), or for at most `max` (redis_timeout). For tools and start-up.
  boost::asio::awaitable<Result<void>> WaitConnected(std::chrono::milliseconds max) override;

  bool Connected() const override;  // at least one connection is up
  bool clustered() const override { return false; }
  RedisClientStats Stats() const override;
  // Why the last connection attempt failed or the last connection was lost, if one did.
  std::optional<Error> LastError() const override;
  const RedisOptions& options() const override;

 private:
  Error NotConnected() const;

  std::shared_ptr<detail::RedisClientState> state_;
  std::vector<std::shared_ptr<detail::RedisConnection>> connections_;
  std::vector<const boost::asio::execution_context*> contexts_;  // of connections_[i]
  bool spread_ = false;  // given more than one executor: prefer the caller's context
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> started_{false};
};

}  // namespace iam::cache
