// iam: the one binary. Subcommands: serve, migrate, seed, verify-aggregates, redis-check, kpi-check,
// config.
// Global flags name configuration variables directly (--port, --database-url, …, or -s NAME=VALUE
// for any of them) and win over the environment and the .env file.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include "app/config_loader.hpp"
#include "app/kpi_check_command.hpp"
#include "app/logging.hpp"
#include "app/migrate_command.hpp"
#include "app/redis_check_command.hpp"
#include "app/seed_command.hpp"
#include "app/serve_command.hpp"
#include "app/verify_aggregates_command.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace {

using iam::app::Config;

struct FlagBinding {
  const char* flag;
  const char* variable;
  const char* help;
};

constexpr FlagBinding kFlags[] = {
    {"--port", "PORT", "HTTP port (default 3001)"},
    {"--host", "HOST", "listen address (default 0.0.0.0)"},
    {"--database-url", "DATABASE_URL", "postgres://… or sqlite:PATH (default sqlite:./data/iam.db)"},
    {"--redis-url", "REDIS_URL", "redis://[user:password@]host:port[/db] or rediss://…"},
    {"--io-threads", "IO_THREADS", "I/O threads (default: one per core)"},
    {"--log-format", "LOG_FORMAT", "text or json"},
    {"--log-level", "LOG_LEVEL", "trace, debug, info, warn, error"},
    {"--env", "IAM_ENV", "development, production or test"},
};

int RunConfig(const Config& config, bool json) {
  auto settings = iam::app::Masked(config);
  if (json) {
    boost::json::object out;
    for (const auto& [k, v] : settings) out[k] = v;
    fmt::print("{}\n", boost::json::serialize(out));
    return 0;
  }
  for (const auto& [k, v] : settings) fmt::print("{}={}\n", k, v);
  return 0;
}

int RunSeedCommand(const Config& config, const iam::app::SeedOptions& options) {
  auto db = iam::store::OpenDatabase({.url = config.database_url, .pool_size = 2});
  if (!db) {
    fmt::print(stderr, "seed: {}\n", db.error().message);
    return 1;
  }
  auto pending = iam::store::PendingMigrations(**db);
  if (!pending || *pending > 0) {
    fmt::print(stderr, "seed: the database is not migrated: run `iam migrate` first\n");
    return 1;
  }
  return iam::app::RunSeed(**db, options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"IAM: inventory management backend with a cache that makes dashboards instant"};
  cli.require_subcommand(1);
  iam::app::ConfigSources sources;
  std::string env_file;
  cli.add_option("--env-file", env_file, "read variables from this file (default ./.env when present)");
  std::map<std::string, std::string> flag_values;
  for (const auto& f : kFlags) cli.add_option(f.flag, flag_values[f.variable], f.help);
  std::vector<std::string> sets;
  cli.add_option("-s,--set", sets, "NAME=VALUE for any configuration variable (repeatable)");

  auto* serve = cli.add_subcommand("serve", "serve the HTTP API");
  auto* migrate = cli.add_subcommand("migrate", "create or update the database schema (idempotent)");
  auto* seed = cli.add_subcommand("seed", "write demo data (tenants, users, products, movements)");
  iam::app::SeedOptions seed_options;
  seed->add_option("--tenants", seed_options.tenants, "tenants to create")->check(CLI::Range(1, 100000));
  seed->add_option("--products", seed_options.products, "products per tenant")->check(CLI::Range(1, 1000000));
  seed->add_option("--movements", seed_options.movements, "movements per tenant")->check(CLI::Range(0, 10000000));
  seed->add_option("--days", seed_options.history_days, "days of history")->check(CLI::Range(1, 3650));
  seed->add_option("--seed", seed_options.seed, "random seed (same seed, same data)");
  seed->add_flag("--if-empty", seed_options.if_empty, "do nothing when a tenant already exists");
  auto* verify = cli.add_subcommand("verify-aggregates", "compare the daily aggregates with the movement ledger");
  iam::app::VerifyAggregatesOptions verify_options;
  verify->add_option("--empresa", verify_options.empresa, "only this tenant");
  verify->add_flag("--repair", verify_options.repair, "rebuild differing aggregates from the ledger");
  auto* redis_check = cli.add_subcommand("redis-check", "check the Redis connection and cache operations");
  iam::app::RedisCheckOptions redis_check_options;
  redis_check->add_option("--url", redis_check_options.url, "redis://… or rediss://… (default: REDIS_URL / REDIS_HOST…)");
  redis_check->add_option("--tls-ca-file", redis_check_options.tls_ca_file, "CA bundle to verify a rediss:// server");
  redis_check->add_option("--timeout-ms", redis_check_options.timeout_ms, "per command and connection attempt")
      ->check(CLI::Range(1, 60000));
  auto* kpi_check = cli.add_subcommand("kpi-check", "show a KPI cache MISS, HIT, write and MISS on a running service");
  iam::app::KpiCheckOptions kpi_check_options;
  kpi_check->add_option("--base-url", kpi_check_options.base_url, "the service (default http://127.0.0.1:3001)");
  kpi_check->add_option("--email", kpi_check_options.email, "an ADMIN of a tenant (default the demo admin)");
  kpi_check->add_option("--password", kpi_check_options.password, "its password");
  auto* config_cmd = cli.add_subcommand("config", "print the effective configuration, secrets masked");
  bool config_json = false;
  config_cmd->add_flag("--json", config_json, "as one JSON object");

  // Global flags may also follow the subcommand (`iam serve --port 4000`).
  for (auto* sub : {serve, migrate, seed, verify, redis_check, kpi_check, config_cmd}) sub->fallthrough();

  CLI11_PARSE(cli, argc, argv);

  if (!env_file.empty()) sources.env_file = env_file;
  for (const auto& [var, value] : flag_values)
    if (!value.empty()) sources.flags[var] = value;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    const auto& known = iam::app::KnownVariables();
    if (eq == std::string::npos || std::find(known.begin(), known.end(), s.substr(0, eq)) == known.end()) {
      fmt::print(stderr, "iam: --set expects NAME=VALUE with a known variable name, got '{}'\n", s.substr(0, eq));
      return 2;
    }
    sources.flags[s.substr(0, eq)] = s.substr(eq + 1);
  }
  auto config = iam::app::LoadConfig(sources);
  if (!config) {
    fmt::print(stderr, "iam: {}\n", config.error().message);
    return 2;
  }
  iam::app::SetUpLogging(config->log_format, config->log_level);

  if (*serve) return iam::app::RunServe(*config);
  if (*migrate) return iam::app::RunMigrate(*config);
  if (*seed) return RunSeedCommand(*config, seed_options);
  if (*verify) return iam::app::RunVerifyAggregates(*config, verify_options);
  if (*redis_check) return iam::app::RunRedisCheck(*config, redis_check_options);
  if (*kpi_check) return iam::app::RunKpiCheck(kpi_check_options);
  if (*config_cmd) return RunConfig(*config, config_json);
  return 2;
}
