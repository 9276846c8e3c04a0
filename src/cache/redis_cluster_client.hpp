// RedisClusterClient: RedisCommands over a Redis Cluster. It loads the slot map (CLUSTER SLOTS)
// from any seed or known master, keeps one RedisClient pool per master (made on first use, all
// with the same RedisOptions: TLS, AUTH; never SELECT, a cluster has db 0 only) and sends each
// command to the master of its key's slot (redis_slot.hpp; a pipeline's keys must share one slot).
// MOVED updates the map, asks for a refresh and retries on the new owner; ASK sends ASKING and the
// command on one connection of the node named; TRYAGAIN / CLUSTERDOWN wait a little and retry; at
// most `max_redirects` hops, all within the command timeout of the first try. The map is reloaded
// in the background on MOVED, on a failed call (a node lost), and every `refresh_interval`.
// Keyless commands go to any master; Nodes() / ExecuteOn() let callers visit every master.
// Thread-safe; REQUIRES: destroyed (or shut down) before the execution context of its executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cache/redis_commands.hpp"
#include "cache/redis_slot_map.hpp"

namespace iam::cache {

struct RedisClusterOptions {
  std::chrono::milliseconds refresh_interval{5000};  // periodic reload of the slot map
  std::chrono::milliseconds min_refresh_gap{100};    // at most one reload per gap, however many MOVED
  int max_redirects = 5;                             // MOVED / ASK / TRYAGAIN hops per call
};

class RedisClusterClient final : public RedisCommands {
 public:
  // `node_options`: credentials, TLS, timeouts and pool size for every node (host, port and db
  // are ignored). `seeds`: where to ask for the slot map first.
  RedisClusterClient(boost::asio::any_io_executor ex, RedisOptions node_options, std::vector<RedisNodeAddress> seeds,
                     RedisClusterOptions cluster = {});
  ~RedisClusterClient() override;  // Shutdown()
  RedisClusterClient(const RedisClusterClient&) = delete;
  RedisClusterClient& operator=(const RedisClusterClient&) = delete;

  void Start() override;
  void Shutdown() override;
  boost::asio::awaitable<Result<RedisReply>> Execute(std::vector<std::string> args) override;
  boost::asio::awaitable<Result<std::vector<RedisReply>>> ExecutePipeline(
      std::vector<std::vector<std::string>> commands) override;
  std::vector<std::string> Nodes() const override;
  std::string NodeFor(std::string_view key) const override;
  boost::asio::awaitable<Result<RedisReply>> ExecuteOn(const std::string& node, std::vector<std::string> args) override;
  boost::asio::awaitable<Result<void>> WaitConnected(std::chrono::milliseconds max) override;
  bool Connected() const override;  // the slot map is known and a master is reachable
  bool clustered() const override { return true; }
  RedisClientStats Stats() const override;
  std::optional<Error> LastError() const override;
  const RedisOptions& options() const override;

  // Asks the background loop to reload the slot map now (it coalesces requests).
  void RefreshSoon();
  // The nodes it keeps a connection pool for ("host:port": masters of the map, seeds, and nodes a
  // redirection named since the last reload). For tests and diagnostics.
  std::vector<std::string> Pools() const;
  // The current slot map (nullptr before the first load).
  std::shared_ptr<const RedisSlotMap> slot_map() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace iam::cache
