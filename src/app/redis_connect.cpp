#include "app/redis_connect.hpp"

#include "cache/redis_client.hpp"
#include "cache/redis_cluster_client.hpp"

namespace iam::app {

std::unique_ptr<cache::RedisCommands> MakeRedis(boost::asio::any_io_executor ex, const RedisSettings& settings,
                                                cache::RedisOptions opts) {
  return MakeRedis(std::vector<boost::asio::any_io_executor>{std::move(ex)}, settings, std::move(opts));
}

std::unique_ptr<cache::RedisCommands> MakeRedis(std::vector<boost::asio::any_io_executor> executors,
                                                const RedisSettings& settings, cache::RedisOptions opts) {
  if (settings.cluster_nodes.empty()) return std::make_unique<cache::RedisClient>(std::move(executors), std::move(opts));
  boost::asio::any_io_executor ex = executors.front();
  std::vector<cache::RedisNodeAddress> seeds;
  for (const auto& [host, port] : settings.cluster_nodes) seeds.push_back({host, port});
  return std::make_unique<cache::RedisClusterClient>(std::move(ex), std::move(opts), std::move(seeds));
}

}  // namespace iam::app
