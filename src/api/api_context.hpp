// ApiContext: what the api handlers need, built once by app (serve) or by a test harness and
// outliving the server. Handlers only read it; the members are themselves thread-safe.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "api/access_check_cache.hpp"
#include "api/alert_source.hpp"
#include "api/rate_limiter.hpp"
#include "cache/cache.hpp"
#include "crypto/jwt.hpp"
#include "http/request_durations.hpp"
#include "store/database.hpp"

namespace iam::api {

struct RateLimits {
  int failed_logins = 5;  // per email and per IP, per window
  std::chrono::seconds failed_login_window{15 * 60};
  int registrations = 20;  // per IP
  std::chrono::seconds registration_window{60 * 60};
  int refreshes = 30;  // per user
  std::chrono::seconds refresh_window{15 * 60};
};

struct AuthSettings {
  crypto::JwtSettings jwt;
  std::int64_t access_ttl_s = 86400;
  std::int64_t refresh_ttl_s = 7 * 86400;
  bool production = false;  // cookies: Secure + SameSite=None in production, Lax otherwise
  std::string cookie_domain;
  RateLimits limits;
};

struct ApiContext {
  store::Database& db;
  boost::asio::thread_pool& blocking;
  AuthSettings auth;
  RateLimiter& rate_limiter;
  cache::Cache& cache;
  std::string metrics_token = {};  // METRICS_TOKEN: when set, /metrics requires it as a Bearer token
  // Largest delay, in ms, for which another instance's in-process tier may still serve a value
  // after a write acknowledged elsewhere (cache-stats `crossInstanceBoundMs`); 0 when none.
  std::int64_t cross_instance_bound_ms = 0;
  // Remembered token checks; null: every request checks its token in the database.
  AccessCheckCache* access_checks = nullptr;
  // The alert monitor (GET /auth/admin/alerts, iam_alert_* metrics); null: alerts are not watched.
  const AlertSource* alerts = nullptr;
  // Every request's duration (iam_http_request_duration_seconds); null: not recorded.
  const http::RequestDurations* request_durations = nullptr;
  // Set by serve on SIGTERM: /health and /health/ready answer 503 "draining". Null: never.
  const std::atomic<bool>* draining = nullptr;
};

}  // namespace iam::api
