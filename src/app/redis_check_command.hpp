// `iam redis-check [--url URL] [--tls-ca-file FILE] [--timeout-ms N]`: prints the Redis settings
// (secrets masked), then one line per check: connection, write/read/delete, JSON, keys and memory,
// timing, invalidation; keys only under `<CACHE_PREFIX>:redis-check:`, with a TTL, deleted after.
// With REDIS_CLUSTER_NODES (and no --url) it checks the cluster through the cluster client: keys
// spread over the masters, keys and memory summed over them.
// Exit 0 when all pass; 1 with a one-line hint otherwise; 2 for a bad --url or no Redis configured.
#pragma once

#include <string>

#include "app/config.hpp"
#include "cache/redis_options.hpp"
#include "domain/error.hpp"

namespace iam::app {

struct RedisCheckOptions {
  std::string url;          // overrides REDIS_URL / REDIS_HOST…; empty: the configuration's
  std::string tls_ca_file;  // CA bundle for rediss:// (default: the system's)
  int timeout_ms = 1000;    // per command, and per connection attempt
};

// The RedisOptions for `settings` (REDIS_URL or REDIS_HOST/PORT/USERNAME/PASSWORD/DB/TLS; for a
// cluster: the first seed's address, and the credentials and TLS of every node). Fails when no
// Redis is configured.
Result<cache::RedisOptions> RedisOptionsFromSettings(const RedisSettings& settings);

int RunRedisCheck(const Config& config, const RedisCheckOptions& options);

}  // namespace iam::app
