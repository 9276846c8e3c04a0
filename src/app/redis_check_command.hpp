// `iam redis-check [--url URL] [--tls-ca-file FILE] [--timeout-ms N]`: prints the Redis settings
// (secrets masked), then one line per check: connection, write/read/delete, JSON, keys and memory,
// timing, invalidation; keys only under `<CACHE_PREFIX>:redis-check:`, with a TTL, deleted after.
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

// The RedisOptions for `settings` (REDIS_URL or REDIS_HOST/PORT/USERNAME/PASSWORD/DB/TLS). Fails
// when no Redis is configured, or for a Redis Cluster (one node's URL must be given instead).
Result<cache::RedisOptions> RedisOptionsFromSettings(const RedisSettings& settings);

int RunRedisCheck(const Config& config, const RedisCheckOptions& options);

}  // namespace iam::app
