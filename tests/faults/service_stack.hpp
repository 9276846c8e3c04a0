// ServiceStack: everything a fault or consistency test runs against, all real and private to the
// test: a PostgreSQL server (PostgresServer), a Redis server (RedisServer), the schema made by
// `iam migrate`, and one or more `iam serve` instances (IamService) sharing both. Also a direct
// database connection for checking invariants behind the service's back. Files (logs) live in one
// temporary directory, removed by the destructor. Not thread-safe; owned by the test's thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "faults/iam_service.hpp"
#include "store/database.hpp"
#include "support/postgres_server.hpp"
#include "support/redis_server.hpp"

namespace iam::test {

class ServiceStack {
 public:
  ServiceStack();
  ~ServiceStack();
  ServiceStack(const ServiceStack&) = delete;
  ServiceStack& operator=(const ServiceStack&) = delete;

  // Starts the servers, migrates, then starts `instances` services with `extra_vars`
  // ("NAME=VALUE") on top of DATABASE_URL, REDIS_URL and CACHE_PREFIX, and instance i also with
  // instance_vars[i] when given. False with error().
  bool Start(int instances, const std::vector<std::string>& extra_vars = {},
             const std::vector<std::vector<std::string>>& instance_vars = {});

  PostgresServer& postgres() { return postgres_; }
  RedisServer& redis() { return *redis_; }
  IamService& service(std::size_t i) { return *services_.at(i); }
  std::size_t service_count() const { return services_.size(); }
  // A small pool on the test's database; it reconnects by itself after a PostgreSQL restart.
  store::Database& db() { return *db_; }

  const std::string& error() const { return error_; }
  // The tails of every server's log, for a failure message.
  std::string Diagnostics() const;

 private:
  std::string dir_;
  std::string error_;
  PostgresServer postgres_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<IamService>> services_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace iam::test
