// GET /health (liveness: 200 while the process serves) and GET /health/ready (readiness: 200 when
// the database answers, 503 when it does not; Redis down only degrades it). The database ping runs
// on the blocking pool. While the process drains before a shutdown (SIGTERM with SHUTDOWN_DRAIN_MS),
// both answer 503 {"status":"draining"} so that load balancers stop sending it new work; every
// other route keeps serving.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "http/router.hpp"
#include "store/database.hpp"

namespace iam::api {

struct HealthDeps {
  store::Database& db;
  boost::asio::thread_pool& blocking;
  // "up", "down" or "disabled"; the cache layer supplies it once it exists.
  std::function<std::string()> redis_state = [] { return std::string("disabled"); };
  // True once shutdown has begun; null: never.
  const std::atomic<bool>* draining = nullptr;
};

void RegisterHealthRoutes(http::Router& router, HealthDeps deps);

}  // namespace iam::api
