// Config: the effective configuration of one process, built from (lowest to highest precedence)
// built-in defaults, an optional `.env` file, the process environment and command-line flags.
// ParseConfig() is pure: it validates every variable and fails with a one-line message naming the
// first bad one. Masked() renders the settings for `iam config` and the start-up log with every
// password, token and secret replaced by "****".
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/error.hpp"
#include "http/trusted_proxies.hpp"

namespace iam::app {

using VarMap = std::map<std::string, std::string>;

struct RedisSettings {
  bool configured = false;  // false: no Redis, the in-process tier alone
  std::string host;
  int port = 6379;
  std::string username;
  std::string password;
  int db = 0;
  bool tls = false;
  std::vector<std::pair<std::string, int>> cluster_nodes;  // non-empty: Redis Cluster seeds
};

struct CacheTtls {
  int kpis = 300, financial = 600, productos = 1800, empresa = 3600, usuario = 1800, config = 7200,
      predictive = 1800, session = 900;
};

struct Config {
  std::string env = "development";  // IAM_ENV: development | production | test
  bool production() const { return env == "production"; }

  // HTTP
  std::string host = "0.0.0.0";
  int port = 3001;
  int io_threads = 0;                      // 0: one per core
  // IO_CONTEXT_PER_THREAD: each I/O thread runs its own io_context and keeps its connections and
  // their Redis round trips (no thread hops, no strands: more requests/s per core); off, the
  // threads share one io_context and any idle one takes the next ready connection (shorter tails
  // when the cores are shared with other busy processes). docs/configuration.md has the figures.
  bool io_context_per_thread = false;
  std::size_t body_limit = 1 << 20;        // HTTP_BODY_LIMIT bytes
  std::size_t header_limit = 16 * 1024;    // HTTP_HEADER_LIMIT bytes
  // HTTP_READ_TIMEOUT_MS: a whole request (and, on keep-alive, the wait for the next one) must
  // arrive within this; a slow-loris client is cut off after it.
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds shutdown_timeout{10000};  // SHUTDOWN_TIMEOUT_MS: drain deadline
  // SHUTDOWN_DRAIN_MS: on SIGTERM, how long to keep serving (health checks answer 503 "draining")
  // before refusing new connections; 0 = stop accepting at once.
  std::chrono::milliseconds shutdown_drain{0};
  // TRUSTED_PROXIES: proxies whose X-Forwarded-For names the client; empty = the TCP peer always.
  http::TrustedProxies trusted_proxies;
  std::vector<std::string> cors_origins;   // CORS_ORIGINS, else FRONTEND_URL
  std::string cookie_domain;

  // Storage
  std::string database_url = "sqlite:./data/iam.db";
  int db_pool_size = 8;
  int blocking_threads = 8;  // BLOCKING_THREADS: where database work runs

  // Cache
  RedisSettings redis;
  std::string cache_prefix = "iam";
  std::string metrics_token;
  CacheTtls ttl;
  std::size_t cache_l1_max_bytes = 16u << 20;
  // CACHE_L1_MAX_AGE_MS: on PostgreSQL (several instances may share it), an in-process entry is
  // served for at most this long, the hard bound on cross-instance staleness (crossInstanceBoundMs)
  // even if a change notification is lost; 0 = the category TTL.
  std::int64_t cache_l1_max_age_ms = 250;
  // CACHE_L1_HEARTBEAT_MS: how often the change listener proves it is caught up (PostgreSQL); while
  // it is, L1 entries older than CACHE_L1_MAX_AGE_MS are still served. 0 = never (age cap only).
  std::int64_t cache_l1_heartbeat_ms = 50;
  std::int64_t redis_timeout_ms = 50;  // REDIS_TIMEOUT_MS: per Redis call
  // With Redis: this instance's name among those sharing it (IAM_INSTANCE_NAME; empty: host:port)
  // and how often it says it is alive (CACHE_INSTANCE_HEARTBEAT_MS); one silent for 4 beats, or
  // found at start-up under its own name, stopped uncleanly: every tenant is invalidated
  // (cache/instance_registry.hpp).
  std::string instance_name;
  std::int64_t cache_instance_heartbeat_ms = 5000;
  // The intelligent cache (docs/caching.md "Stale values, early refresh, stampedes"); 0 turns each off.
  std::int64_t cache_failsafe_max_age_s = 300;    // CACHE_FAILSAFE_MAX_AGE_S: last good value for a failing DB
  std::int64_t cache_swr_window_s = 60;           // CACHE_SWR_WINDOW_S: stale-while-revalidate past the TTL
  double cache_xfetch_beta = 1.0;                 // CACHE_XFETCH_BETA: probabilistic early refresh
  std::int64_t cache_lock_ttl_ms = 2000;          // CACHE_LOCK_TTL_MS: cross-instance stampede lock
  std::int64_t cache_refresh_ahead_min_reads = 3; // CACHE_REFRESH_AHEAD_MIN_READS: per minute, to be "hot"
  std::int64_t cache_refresh_ahead_debounce_ms = 200;  // CACHE_REFRESH_AHEAD_DEBOUNCE_MS

  // Alerts (cache.md guarantee 8, docs/alerts.md): the guide's thresholds, over a sliding window
  // read every ALERT_INTERVAL_MS, each rate rule needing ALERT_MIN_SAMPLES events in the window.
  double alert_hit_rate_min = 0.80;      // ALERT_HIT_RATE_MIN, 0..1
  double alert_p95_ms = 200;             // ALERT_P95_MS
  double alert_redis_error_rate = 0.01;  // ALERT_REDIS_ERROR_RATE, 0..1
  double alert_redis_memory_mb = 50;     // ALERT_REDIS_MEMORY_MB
  std::int64_t alert_window_s = 300;     // ALERT_WINDOW_S
  std::int64_t alert_interval_ms = 10000;  // ALERT_INTERVAL_MS, at most the window
  std::int64_t alert_min_samples = 100;  // ALERT_MIN_SAMPLES
  std::string alert_webhook_url;         // ALERT_WEBHOOK_URL: http(s)://…, empty = no webhook
  std::int64_t alert_webhook_timeout_ms = 5000;  // ALERT_WEBHOOK_TIMEOUT_MS: per attempt
  std::int64_t alert_webhook_attempts = 3;       // ALERT_WEBHOOK_ATTEMPTS
  std::string alert_webhook_ca_file;  // ALERT_WEBHOOK_CA_FILE: PEM CAs for https instead of the system's

  // Auth
  std::string jwt_secret;
  bool jwt_secret_generated = false;  // true: development default made at start-up
  std::int64_t jwt_expires_in_s = 86400;
  std::string jwt_issuer, jwt_audience;

  // Logging
  std::string log_format = "text";  // text | json
  std::string log_level = "info";
};

// Parses `.env` text: KEY=VALUE lines, `#` comments, optional `export `, single or double quotes.
// Malformed lines fail with their line number.
Result<VarMap> ParseDotEnv(std::string_view text);

// Validates and converts. `vars` holds the merged sources. A missing JWT_SECRET in development is
// left empty here (jwt_secret_generated stays false); FillGeneratedSecrets() makes one.
Result<Config> ParseConfig(const VarMap& vars);

// In development, generates a random JWT secret when none was given (and says so in the config).
void FillGeneratedSecrets(Config& config);

// name=value pairs of the effective configuration, secrets masked, in a stable order.
std::vector<std::pair<std::string, std::string>> Masked(const Config& config);

// Replaces the password of a URL ("postgres://u:pw@h/db" -> "postgres://u:****@h/db"), also when
// it holds characters a URL does not allow there ("redis://u:p/w@d@h" -> "redis://u:****@h").
std::string MaskUrlPassword(std::string_view url);

// A webhook URL as logs and `iam config` may show it: scheme, host and port only; credentials,
// path and query (where services such as Slack put the token) become "****".
std::string MaskWebhookUrl(std::string_view url);

// Every variable name ParseConfig reads (for --set validation and docs).
const std::vector<std::string>& KnownVariables();

}  // namespace iam::app
