// Shared by the Redis Cluster tests: io threads, and a test-suite fixture that starts one private
// cluster (3 masters + 3 replicas, support/redis_cluster.hpp) per suite and per process (ctest
// runs each test in a process of its own) and makes RedisClusterClients on it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cache/redis_cluster_client.hpp"
#include "support/io_threads.hpp"
#include "support/redis_cluster.hpp"
#include "support/test_env.hpp"

namespace iam::cache::cluster_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using test::IoThreads;

// One cluster per suite (Tag: the suite's own class, so that each suite gets its own).
template <typename Tag>
class ClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::RedisCluster::Available()) return;
    cluster_ = std::make_unique<test::RedisCluster>(3, 1);
    if (!cluster_->Start()) start_error_ = cluster_->error();
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    IAM_REQUIRE_REDIS_CLUSTER_BINARIES();
    ASSERT_TRUE(cluster_ && start_error_.empty()) << "cluster start failed: " << start_error_;
    io_ = std::make_unique<IoThreads>();
  }
  void TearDown() override {
    clients_.clear();  // before the io_context their sockets belong to
    io_.reset();
  }

  // Generous timeouts: 2 shared cores, ASan builds.
  static RedisOptions NodeOptions(std::chrono::milliseconds timeout = 2000ms) {
    RedisOptions o;
    o.command_timeout = timeout;
    o.connect_timeout = 2000ms;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    return o;
  }

  // A started client seeded with every live node, its slot map loaded and every master reachable.
  // `seed_ports`: only those nodes as seeds.
  RedisClusterClient& Client(RedisOptions opts = NodeOptions(), RedisClusterOptions copts = {},
                             std::vector<int> seed_ports = {}) {
    std::vector<RedisNodeAddress> seeds;
    if (seed_ports.empty()) seed_ports = cluster_->ports();
    for (int p : seed_ports)
      if (cluster_->Alive(p)) seeds.push_back({"127.0.0.1", p});
    clients_.push_back(std::make_unique<RedisClusterClient>(io_->ioc().get_executor(), opts, seeds, copts));
    auto& c = *clients_.back();
    c.Start();
    auto up = io_->Run(c.WaitConnected(10s));
    EXPECT_TRUE(up) << up.error().message;
    return c;
  }

  RedisReply Exec(RedisCommands& c, std::vector<std::string> args) {
    auto r = io_->Run(c.Execute(std::move(args)));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RedisReply::ErrorReply("(call failed)");
  }

  inline static std::unique_ptr<test::RedisCluster> cluster_;
  inline static std::string start_error_;
  std::unique_ptr<IoThreads> io_;
  std::vector<std::unique_ptr<RedisClusterClient>> clients_;
};

}  // namespace iam::cache::cluster_test
