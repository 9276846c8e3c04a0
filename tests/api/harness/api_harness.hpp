// Test-only: the whole API served in-process (same router, middleware and ApiContext as `iam serve`)
// on an ephemeral loopback port, over a throwaway SQLite file or PostgreSQL database; a small
// blocking HTTP client; and fixtures that create tenants and users directly in the database and
// mint their tokens, so each resource's tests need no other resource's routes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/api_context.hpp"
#include "api/memory_rate_limiter.hpp"
#include "cache/cache.hpp"
#include "cache/change_feed.hpp"
#include "cache/redis_client.hpp"
#include "cache/redis_tier.hpp"
#include "store/change_listener.hpp"
#include "domain/entities.hpp"
#include "http/request_durations.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/temp_database.hpp"

namespace iam::test {

struct HttpResult {
  int status = 0;
  std::string body;
  boost::json::value json;                     // null when the body is not JSON
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& lower_name) const;
};

struct UserFixture {
  domain::Id id = 0;
  std::string email;
  std::string password;
  std::string rol;
  std::string token;  // a valid access token (minted, not logged in)
};

struct TenantFixture {
  domain::Id empresa_id = 0;
  UserFixture admin, empleado, proveedor;
};

// How the harness caches: L1 alone by default; with redis_url, a RedisTier like `iam serve`'s;
// with listen_changes (PostgreSQL), a ChangeListener invalidating on database notifications.
struct HarnessCache {
  std::string redis_url;  // empty: no Redis
  std::string prefix = "iam-test";
  std::chrono::milliseconds redis_timeout{50};
  std::size_t l1_max_bytes = 16u << 20;
  std::chrono::milliseconds l1_max_age{0};
  bool listen_changes = false;
  std::chrono::milliseconds heartbeat{0};  // the listener's heartbeat (CACHE_L1_HEARTBEAT_MS); 0: none
  bool remember_access_checks = false;     // second instances (dashboard_cache_test): an AccessCheckCache
  cache::CircuitBreakerOptions breaker = {};
};

// The change listener of a harness instance, wired as `iam serve` wires it: notifications, resyncs
// and heartbeats go through `feed` to the cache, in order. Waits until it listens (throws if not).
std::unique_ptr<store::ChangeListener> ListenForChanges(const std::string& url, cache::ChangeFeed& feed,
                                                        std::chrono::milliseconds heartbeat);

class ApiHarness {
 public:
  // backend: "sqlite" or "postgres" (needs IAM_TEST_PG_URL; see ApiTest below).
  // `prepare`, when given, runs on the empty database before `iam migrate` does (attach tests).
  // `trusted_proxies`: the server's TRUSTED_PROXIES (whose X-Forwarded-For names the client).
  explicit ApiHarness(const std::string& backend, const std::string& pg_url = {},
                      const std::function<void(store::Database&)>& prepare = {}, const HarnessCache& cache = {},
                      const http::TrustedProxies& trusted_proxies = {});
  ~ApiHarness();

  store::Database& db() { return *db_; }
  api::ApiContext& api() { return *api_; }
  cache::Cache& cache() { return *cache_; }
  cache::RedisClient* redis() { return redis_.get(); }
  cache::RedisTier* redis_tier() { return redis_tier_.get(); }
  store::ChangeListener* listener() { return listener_.get(); }
  unsigned short port() const { return port_; }
  const http::Router& router() const { return router_; }
  // Every request's duration, as `iam serve` records them (the alert monitor's p95 rule reads it).
  const http::RequestDurations& durations() const { return durations_; }

  HttpResult Request(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::string& token = {}, const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult Get(const std::string& target, const std::string& token = {}) { return Request("GET", target, {}, token); }
  HttpResult Post(const std::string& target, const boost::json::value& body, const std::string& token = {});
  HttpResult Patch(const std::string& target, const boost::json::value& body, const std::string& token = {});
  HttpResult Put(const std::string& target, const boost::json::value& body, const std::string& token = {});
  HttpResult Delete(const std::string& target, const std::string& token = {}) {
    return Request("DELETE", target, {}, token);
  }

  // A tenant with an ADMIN, an EMPLEADO and a PROVEEDOR user (password "password123").
  TenantFixture CreateTenant(const std::string& nombre);
  // A user, optionally without tenant; rol as in schema.md.
  UserFixture CreateUser(std::optional<domain::Id> empresa_id, const std::string& rol, const std::string& email);
  std::string MintToken(const UserFixture& user, std::optional<domain::Id> empresa_id,
                        std::int64_t ttl_s = 3600) const;
  // Runs one SQL statement on the test database (assertion helper).
  store::ResultSet Sql(const std::string& sql, std::vector<store::Param> params = {});

 private:
  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  boost::asio::thread_pool blocking_{4};
  api::InMemoryRateLimiter limiter_;
  std::unique_ptr<cache::RedisClient> redis_;
  std::unique_ptr<cache::RedisTier> redis_tier_;
  std::unique_ptr<cache::Cache> cache_;
  std::unique_ptr<cache::ChangeFeed> feed_;
  std::unique_ptr<store::ChangeListener> listener_;
  std::unique_ptr<api::AccessCheckCache> access_checks_;
  std::unique_ptr<api::ApiContext> api_;
  http::Router router_;
  http::RequestDurations durations_;
  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::thread> threads_;
  unsigned short port_ = 0;
  std::string password_hash_;
};

// Parameterized over "sqlite" and "postgres"; `h` is ready in each test.
class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override { h.reset(); }
  std::unique_ptr<ApiHarness> h;
};

#define IAM_API_BACKENDS(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgres"), \
                           [](const auto& param_info) { return param_info.param; })

}  // namespace iam::test
