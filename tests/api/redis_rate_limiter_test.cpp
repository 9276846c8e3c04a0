#include "api/redis_rate_limiter.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <thread>

#include "cache/redis_client.hpp"
#include "support/redis_server.hpp"

namespace iam::api {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Two "instances" (two clients, two limiters) on one private redis-server.
class RedisRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::RedisServer::Available()) {
      if (test::ServicesRequired()) FAIL() << "redis-server not found";
      GTEST_SKIP() << "redis-server not found";
    }
    ASSERT_TRUE(server_.Start()) << server_.error();
    auto opts = cache::ParseRedisUrl(server_.url());
    ASSERT_TRUE(opts.has_value());
    opts->command_timeout = 100ms;
    for (int i = 0; i < 2; ++i) {
      clients_.push_back(std::make_unique<cache::RedisClient>(io_.get_executor(), *opts));
      clients_.back()->Start();
      limiters_.push_back(std::make_unique<RedisRateLimiter>(*clients_.back(), "rl-test"));
    }
    thread_ = std::thread([this] { io_.run(); });
    for (auto& c : clients_) ASSERT_TRUE(Run(c->WaitConnected(5s)).has_value());
  }
  void TearDown() override {
    limiters_.clear();
    for (auto& c : clients_) c->Shutdown();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    clients_.clear();
  }
  template <typename T>
  T Run(asio::awaitable<T> a) {
    return asio::co_spawn(io_, std::move(a), asio::use_future).get();
  }
  void Record(int i, const std::string& key, std::chrono::seconds w) {
    asio::co_spawn(io_, limiters_[i]->Record(key, w), asio::use_future).get();
  }

  test::RedisServer server_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::vector<std::unique_ptr<cache::RedisClient>> clients_;
  std::vector<std::unique_ptr<RedisRateLimiter>> limiters_;
};

TEST_F(RedisRateLimiterTest, CountsAreSharedAcrossInstancesAndExpireWithTheWindow) {
  for (int i = 0; i < 3; ++i) Record(i % 2, "login-fail:email:a@x", 60s);
  // Limit 3 reached, whichever instance asks; another key is untouched.
  for (int i = 0; i < 2; ++i) {
    auto retry = Run(limiters_[i]->RetryAfter("login-fail:email:a@x", 3));
    ASSERT_TRUE(retry.has_value()) << "instance " << i;
    EXPECT_GE(retry->count(), 59);
    EXPECT_LE(retry->count(), 60);
    EXPECT_FALSE(Run(limiters_[i]->RetryAfter("login-fail:email:b@x", 3)).has_value());
  }
  EXPECT_FALSE(Run(limiters_[0]->RetryAfter("login-fail:email:a@x", 4)).has_value());
  // The window starts at the first event: the key expires with it.
  const std::string ttl = server_.Cli({"PTTL", "rl-test:rl:login-fail:email:a@x"});
  EXPECT_GT(std::stoll(ttl), 55000) << ttl;
  Record(1, "short", 1s);
  EXPECT_TRUE(Run(limiters_[0]->RetryAfter("short", 1)).has_value());
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(Run(limiters_[0]->RetryAfter("short", 1)).has_value());
  // Reset forgets the key everywhere.
  asio::co_spawn(io_, limiters_[1]->Reset("login-fail:email:a@x"), asio::use_future).get();
  EXPECT_FALSE(Run(limiters_[0]->RetryAfter("login-fail:email:a@x", 3)).has_value());
}

TEST_F(RedisRateLimiterTest, WithRedisDownEachInstanceFallsBackToItsOwnCounts) {
  Record(0, "k", 60s);
  ASSERT_TRUE(server_.Stop());
  const auto start = std::chrono::steady_clock::now();
  Record(0, "k", 60s);  // fails fast in Redis, counted locally
  Record(0, "k", 60s);
  // Instance 0 has counted 3 events locally; instance 1 none.
  EXPECT_TRUE(Run(limiters_[0]->RetryAfter("k", 3)).has_value());
  EXPECT_FALSE(Run(limiters_[1]->RetryAfter("k", 3)).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // never waits on the dead Redis
}

}  // namespace
}  // namespace iam::api
