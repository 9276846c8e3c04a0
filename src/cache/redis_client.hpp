// RedisClient: the pool of pipelined Redis connections (one strand each) the cache co_awaits; they
// connect after Start() and reconnect with back-off until Shutdown(). Every member is thread-safe;
// coroutines resume on their own executor. An error reply is a kError reply, not a failure; failures
// are kUnavailable (codes in redis_error.hpp) and never take longer than opts.command_timeout.
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

#include "cache/redis_error.hpp"
#include "cache/redis_options.hpp"
#include "cache/redis_reply.hpp"
#include "domain/error.hpp"

namespace iam::cache {

namespace detail {
struct RedisClientState;
class RedisConnection;
}  // namespace detail

struct RedisClientStats {
  std::uint64_t commands = 0;           // commands submitted (a pipeline counts each)
  std::uint64_t timeouts = 0;           // calls that got no reply in time
  std::uint64_t connection_errors = 0;  // failed connection attempts and lost connections
  std::uint64_t reconnects = 0;         // connections re-established after a failure or loss
  std::uint64_t rejected = 0;           // calls failed at once because no connection was up
};

// REQUIRES: the client outlives its calls, and is destroyed (or shut down) before the execution
// context of its executor.
class RedisClient {
 public:
  RedisClient(boost::asio::any_io_executor ex, RedisOptions opts);
  ~RedisClient();  // Shutdown()
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Starts connecting in the background: TCP connect, TLS handshake, AUTH [user] password, SELECT
  // db, PING; then the connection takes commands. Idempotent.
  void Start();
  // Closes every connection, fails pending commands, stops reconnecting. Idempotent; later calls
  // fail at once.
  void Shutdown();

  // One command ({"SET", key, value, "PX", "1000"}). Fails when no connection is up (at once; the
  // code is redis_auth / redis_tls when that is why the last attempt failed, else
  // redis_unavailable), when the connection is lost meanwhile, or when no reply came within
  // command_timeout (redis_timeout; the late reply is read and dropped).
  boost::asio::awaitable<Result<RedisReply>> Execute(std::vector<std::string> args);
  // Several commands in one write on one connection; replies in order. All or nothing: a failure
  // fails the whole pipeline (a Redis error reply to one command does not).
  boost::asio::awaitable<Result<std::vector<RedisReply>>> ExecutePipeline(
      std::vector<std::vector<std::string>> commands);

  // Waits until a connection is up (success), until a connection attempt that ends after this call
  // fails (that attempt's error), or for at most `max` (redis_timeout). For tools and start-up.
  boost::asio::awaitable<Result<void>> WaitConnected(std::chrono::milliseconds max);

  bool Connected() const;  // at least one connection is up
  RedisClientStats Stats() const;
  // Why the last connection attempt failed or the last connection was lost, if one did.
  std::optional<Error> LastError() const;
  const RedisOptions& options() const;

 private:
  Error NotConnected() const;

  std::shared_ptr<detail::RedisClientState> state_;
  std::vector<std::shared_ptr<detail::RedisConnection>> connections_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> started_{false};
};

}  // namespace iam::cache
