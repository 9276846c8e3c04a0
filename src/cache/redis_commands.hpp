// RedisCommands: what the cache, the rate limiter and `iam redis-check` need from Redis, whether
// one server (RedisClient) or a Redis Cluster (RedisClusterClient). Same promises for both: an
// error reply is a kError reply, not a failure; failures are kUnavailable (codes in
// redis_error.hpp) and never take longer than options().command_timeout. Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_options.hpp"
#include "cache/redis_reply.hpp"
#include "domain/error.hpp"

namespace iam::cache {

struct RedisClientStats {
  std::uint64_t commands = 0;           // commands submitted (a pipeline counts each)
  std::uint64_t timeouts = 0;           // calls that got no reply in time
  std::uint64_t connection_errors = 0;  // failed connection attempts and lost connections
  std::uint64_t reconnects = 0;         // connections re-established after a failure or loss
  std::uint64_t rejected = 0;           // calls failed at once because no connection was up
  std::uint64_t redirects = 0;          // cluster only: MOVED and ASK replies followed
  std::uint64_t topology_refreshes = 0; // cluster only: slot maps loaded
};

class RedisCommands {
 public:
  virtual ~RedisCommands() = default;

  virtual void Start() = 0;     // starts connecting in the background; idempotent
  virtual void Shutdown() = 0;  // closes everything, later calls fail at once; idempotent

  // One command ({"SET", key, value}). On a cluster it goes to the node serving its key's slot
  // (keyless commands: to any master).
  virtual boost::asio::awaitable<Result<RedisReply>> Execute(std::vector<std::string> args) = 0;
  // Several commands in one write on one connection; replies in order. All or nothing: a failure
  // fails the whole pipeline. On a cluster every key of the pipeline must hash to one slot
  // (kInvalidArgument otherwise).
  virtual boost::asio::awaitable<Result<std::vector<RedisReply>>> ExecutePipeline(
      std::vector<std::vector<std::string>> commands) = 0;

  // The servers that hold data ("host:port" of each master; one name for a single server), for
  // keyless commands that must see all data (DBSIZE, SCAN, INFO). Empty while a cluster's slot
  // map is not known yet.
  virtual std::vector<std::string> Nodes() const = 0;
  // The node that serves `key` now ("host:port"; "" while a cluster's slot map is unknown). No I/O.
  virtual std::string NodeFor(std::string_view key) const = 0;
  // A command on one of Nodes(), never redirected.
  virtual boost::asio::awaitable<Result<RedisReply>> ExecuteOn(const std::string& node,
                                                               std::vector<std::string> args) = 0;

  // Waits until ready (a connection up; on a cluster: the slot map known and every master
  // reachable), until a connection attempt fails, or at most `max` (redis_timeout).
  virtual boost::asio::awaitable<Result<void>> WaitConnected(std::chrono::milliseconds max) = 0;

  virtual bool Connected() const = 0;  // can take commands right now (no I/O)
  virtual bool clustered() const = 0;  // a Redis Cluster: pipelines must stay in one slot
  virtual RedisClientStats Stats() const = 0;
  // Why the last connection attempt failed or the last connection was lost, if one did.
  virtual std::optional<Error> LastError() const = 0;
  virtual const RedisOptions& options() const = 0;
};

}  // namespace iam::cache
