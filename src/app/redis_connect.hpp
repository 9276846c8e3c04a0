// MakeRedis: the Redis the configuration names, as RedisCommands: a RedisClusterClient over the
// REDIS_CLUSTER_NODES seeds when they are set, one RedisClient otherwise. Not started yet.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <vector>

#include "app/config.hpp"
#include "cache/redis_commands.hpp"
#include "cache/redis_options.hpp"

namespace iam::app {

// `opts`: from RedisOptionsFromSettings(settings), with the caller's timeouts and pool size; for a
// cluster its credentials, TLS, timeouts and pool size apply to every node.
std::unique_ptr<cache::RedisCommands> MakeRedis(boost::asio::any_io_executor ex, const RedisSettings& settings,
                                                cache::RedisOptions opts);
// The same, a single server's connections spread over `executors` (one per I/O thread; see
// RedisClient); a cluster's clients live on the first. REQUIRES: executors is not empty.
std::unique_ptr<cache::RedisCommands> MakeRedis(std::vector<boost::asio::any_io_executor> executors,
                                                const RedisSettings& settings, cache::RedisOptions opts);

}  // namespace iam::app
