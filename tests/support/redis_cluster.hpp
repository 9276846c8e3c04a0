// RedisCluster: a private Redis Cluster for tests: `masters` masters and `replicas` replicas of
// each, every node a RedisServer (support/redis_server.hpp) started with --cluster-enabled yes on
// a free loopback port in its own temporary directory, joined with `redis-cli --cluster create`,
// and ready when every live node reports cluster_state:ok, sees every master serving slots and
// every replica's link is up. Helpers read the topology (CLUSTER NODES), move one slot by hand
// (SETSLOT IMPORTING / MIGRATING, MIGRATE, SETSLOT NODE), fail over and kill nodes. Not
// thread-safe; one per test suite (starting takes a few seconds).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace iam::test {

struct ClusterNodeInfo {
  std::string id;
  int port = 0;
  bool master = false;
  bool failed = false;     // flagged fail or pfail
  std::string master_id;   // a replica's master ("-" for a master)
  std::vector<std::pair<int, int>> slots;  // served ranges (masters)
  bool Serves(int slot) const;
};

class RedisCluster {
 public:
  static bool Available();  // redis-server and redis-cli are installed

  RedisCluster(int masters = 3, int replicas = 1);
  ~RedisCluster();

  // Starts the nodes, creates the cluster and waits (up to 30 s) until it is healthy.
  bool Start();
  const std::string& error() const { return error_; }

  // Every node's port (stopped ones included), and "127.0.0.1:p,…" of the live ones.
  std::vector<int> ports() const;
  std::string seeds() const;

  std::string Cli(int port, const std::vector<std::string>& args) const;
  // The topology as the node on `port` sees it (any live node when port is 0).
  std::vector<ClusterNodeInfo> Nodes(int port = 0) const;
  int MasterOf(int slot, int ask_port = 0) const;  // port of the master serving the slot (0: none)
  int ReplicaOf(int master_port) const;            // port of a live replica of it (0: none)
  // ReplicaOf, asked again until a replica shows up or `max` passed: right after the cluster
  // forms, a master may not list its replica yet.
  int WaitForReplicaOf(int master_port, std::chrono::milliseconds max) const;
  std::string IdOf(int port) const;                // CLUSTER MYID

  // Waits until every live node agrees the cluster is healthy (see above).
  bool WaitHealthy(std::chrono::milliseconds max = std::chrono::seconds(30));

  // Moving `slot` from the node on `from` to the node on `to`, by hand, in three steps.
  bool BeginMigration(int slot, int from, int to);
  bool MigrateKeys(int slot, int from, int to);  // every key of the slot (MIGRATE … KEYS)
  bool FinishMigration(int slot, int from, int to);

  // CLUSTER FAILOVER on the replica: a coordinated switch (no acknowledged write lost). Waits
  // until the replica reports itself master.
  bool Failover(int replica_port, std::chrono::milliseconds max = std::chrono::seconds(20));
  bool Kill(int port);  // SIGKILL
  bool Alive(int port) const;

 private:
  RedisServer* ServerOn(int port) const;
  int AnyLivePort() const;

  int masters_, replicas_;
  std::vector<std::unique_ptr<RedisServer>> servers_;
  std::vector<bool> alive_;
  std::string error_;
};

}  // namespace iam::test

// Skips the test (or fails it when services are required) without redis-server and redis-cli.
#define IAM_REQUIRE_REDIS_CLUSTER_BINARIES()                                                  \
  do {                                                                                        \
    if (!::iam::test::RedisCluster::Available()) {                                            \
      if (::iam::test::ServicesRequired()) FAIL() << "redis-server or redis-cli is missing"; \
      GTEST_SKIP() << "redis-server or redis-cli is not installed";                          \
    }                                                                                         \
  } while (0)
