#include "app/serve_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "api/memory_rate_limiter.hpp"
#include "api/redis_rate_limiter.hpp"
#include "app/alert_monitor.hpp"
#include "app/alert_webhook.hpp"
#include "app/redis_check_command.hpp"
#include "app/redis_connect.hpp"
#include "cache/cache.hpp"
#include "cache/change_feed.hpp"
#include "cache/instance_registry.hpp"
#include "cache/redis_commands.hpp"
#include "cache/redis_tier.hpp"
#include "api/routes.hpp"
#include "http/blocking.hpp"
#include "http/standard_handler.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/change_listener.hpp"
#include "store/empresa_repository.hpp"

namespace iam::app {
namespace {

// Every tenant the database knows (blocking); nullopt when it cannot be read.
std::optional<std::vector<domain::Id>> EveryTenant(store::Database& db) {
  auto lease = db.Acquire();
  if (!lease) return std::nullopt;
  auto ids = store::ListEmpresaIds(**lease);
  if (!ids) return std::nullopt;
  return std::move(*ids);
}

std::unique_ptr<store::Database> OpenMigratedDatabase(const Config& config) {
  auto db = store::OpenDatabase({.url = config.database_url, .pool_size = config.db_pool_size});
  if (!db) {
    spdlog::critical("database: {}", db.error().message);
    return nullptr;
  }
  auto pending = store::PendingMigrations(**db);
  if (!pending) {
    spdlog::critical("database: {}", pending.error().message);
    return nullptr;
  }
  if (*pending > 0) {
    spdlog::critical("database: {} migration(s) pending: run `iam migrate` first", *pending);
    return nullptr;
  }
  return std::move(*db);
}

// Writes committed by anyone (another instance, the old backend, a SQL fix) invalidate the
// tenant's cache; a listener that was disconnected invalidates every tenant when it is back; its
// heartbeats let L1 serve entries older than CACHE_L1_MAX_AGE_MS while it is provably caught up.
std::unique_ptr<store::ChangeListener> StartChangeListener(const Config& config, store::Database& db,
                                                           cache::ChangeFeed& feed) {
  auto listener = std::make_unique<store::ChangeListener>(
      config.database_url,
      store::ChangeListener::Callbacks{
          .on_change = [&feed](std::int64_t empresa) { feed.Changed(empresa); },
          .on_resync =
              [&feed, &db] {
                std::vector<domain::Id> tenants = EveryTenant(db).value_or(std::vector<domain::Id>{});
                spdlog::warn("change listener resynchronised: invalidating the cache of {} tenant(s)",
                             tenants.size());
                feed.Resync(std::move(tenants));
              },
          .on_caught_up = [&feed](std::chrono::steady_clock::time_point covered) { feed.CaughtUp(covered); },
          .on_auth_change = [&feed] { feed.AuthChanged(); }},
      store::ChangeListenerOptions{.heartbeat_interval = std::chrono::milliseconds(config.cache_l1_heartbeat_ms)});
  // Serve only once listening, so no change can slip between start-up and the first notification.
  if (!listener->WaitConnected(std::chrono::seconds(5)))
    spdlog::warn("change listener not connected yet: it keeps trying, and invalidates everything once it is");
  return listener;
}

// "<host name>:<port>": stable across restarts of one instance, distinct between instances.
std::string DefaultInstanceName(unsigned short port) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "iam:" + std::to_string(port);
  return std::string(host) + ":" + std::to_string(port);
}

// Every tenant the database knows, read on the blocking pool, then invalidated in both tiers.
boost::asio::awaitable<bool> InvalidateEveryTenant(store::Database& db, boost::asio::thread_pool& blocking,
                                                   cache::Cache& cache) {
  auto tenants = co_await http::RunBlocking(blocking, [&db] { return EveryTenant(db); });
  if (!tenants) {
    spdlog::warn("cache: could not list the tenants to invalidate; trying again on the next beat");
    co_return false;
  }
  co_await cache.InvalidateMany(*tenants, true);
  spdlog::info("cache: invalidated {} tenant(s)", tenants->size());
  co_return true;
}

}  // namespace

domain::AlertThresholds AlertThresholdsFromConfig(const Config& config) {
  return {.hit_rate_min = config.alert_hit_rate_min,
          .p95_ms_max = config.alert_p95_ms,
          .redis_error_rate_max = config.alert_redis_error_rate,
          .redis_memory_mb_max = config.alert_redis_memory_mb,
          .window_ms = config.alert_window_s * 1000,
          .min_samples = static_cast<std::uint64_t>(config.alert_min_samples)};
}

int RunServe(const Config& config) {
  if (config.jwt_secret_generated)
    spdlog::warn("JWT_SECRET is not set: using a random one for this run (tokens die with the process)");
  auto db = OpenMigratedDatabase(config);
  if (!db) return 1;

  int io_threads = config.io_threads > 0 ? config.io_threads : static_cast<int>(std::thread::hardware_concurrency());
  io_threads = std::max(io_threads, 1);
  // Shared (default): one io_context run by every I/O thread; each connection on a strand, and any
  // idle thread takes the next ready one. IO_CONTEXT_PER_THREAD: one io_context per I/O thread; a
  // connection lives on one of them, and so do its Redis round trips (RedisClient prefers a
  // connection on the caller's context), so a request never waits for another thread to wake up.
  // The first context also runs the acceptor, signals and background tasks either way. Blocking
  // work goes to the `blocking` pool and resumes where it started.
  const int contexts_count = config.io_context_per_thread ? io_threads : 1;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts;
  std::vector<boost::asio::io_context*> session_contexts;
  std::vector<boost::asio::any_io_executor> io_executors;
  for (int i = 0; i < contexts_count; ++i) {
    contexts.push_back(std::make_unique<boost::asio::io_context>(config.io_context_per_thread ? 1 : io_threads));
    if (config.io_context_per_thread) session_contexts.push_back(contexts.back().get());
    io_executors.push_back(contexts.back()->get_executor());
  }
  boost::asio::io_context& io = *contexts.front();
  auto stop_io = [&contexts] {
    for (auto& c : contexts) c->stop();
  };
  boost::asio::thread_pool blocking(static_cast<std::size_t>(config.blocking_threads));

  api::InMemoryRateLimiter rate_limiter;
  api::AuthSettings auth;
  auth.jwt = {.secret = config.jwt_secret, .issuer = config.jwt_issuer, .audience = config.jwt_audience};
  auth.access_ttl_s = config.jwt_expires_in_s;
  auth.production = config.production();
  auth.cookie_domain = config.cookie_domain;
  cache::CacheTtls ttls;
  ttls.kpis = std::chrono::seconds(config.ttl.kpis);
  ttls.financial = std::chrono::seconds(config.ttl.financial);
  ttls.productos = std::chrono::seconds(config.ttl.productos);
  ttls.empresa = std::chrono::seconds(config.ttl.empresa);
  ttls.usuario = std::chrono::seconds(config.ttl.usuario);
  ttls.config = std::chrono::seconds(config.ttl.config);
  ttls.predictive = std::chrono::seconds(config.ttl.predictive);
  ttls.session = std::chrono::seconds(config.ttl.session);
  // On PostgreSQL other instances (and other applications) may write: L1 entries are capped at
  // CACHE_L1_MAX_AGE_MS, the stated cross-instance bound, and the change listener below invalidates
  // within milliseconds. SQLite is one process's file: neither is needed.
  const bool postgres = db->dialect() == store::Dialect::kPostgres;
  const std::chrono::milliseconds l1_max_age{postgres ? config.cache_l1_max_age_ms : 0};
  // Redis (L2) when configured; with none, or while it is away, the in-process tier alone serves.
  std::unique_ptr<cache::RedisCommands> redis;
  std::unique_ptr<cache::RedisTier> redis_tier;
  if (config.redis.configured) {
    auto opts = RedisOptionsFromSettings(config.redis);
    if (!opts) {
      spdlog::critical("redis: {}", opts.error().message);
      return 2;
    }
    opts->command_timeout = std::chrono::milliseconds(config.redis_timeout_ms);
    // A single server, or a Redis Cluster (REDIS_CLUSTER_NODES): every tenant's keys share one
    // slot, so lookups and invalidations stay one round trip on one master.
    redis = MakeRedis(io_executors, config.redis, *opts);
    if (!config.redis.cluster_nodes.empty())
      spdlog::info("redis: Redis Cluster through {} seed node(s)", config.redis.cluster_nodes.size());
    redis->Start();
    redis_tier = std::make_unique<cache::RedisTier>(*redis, config.cache_prefix, 2 * ttls.Longest());
  }
  // Login limits shared across instances when there is a Redis; in memory otherwise.
  std::unique_ptr<api::RedisRateLimiter> shared_limiter;
  if (redis) shared_limiter = std::make_unique<api::RedisRateLimiter>(*redis, config.cache_prefix);
  api::RateLimiter& limiter = shared_limiter ? static_cast<api::RateLimiter&>(*shared_limiter) : rate_limiter;
  cache::Cache cache({.l1_max_bytes = config.cache_l1_max_bytes,
                      .ttls = ttls,
                      .l1_max_age = l1_max_age,
                      .failsafe_max_age = std::chrono::seconds(config.cache_failsafe_max_age_s),
                      .swr_window = std::chrono::seconds(config.cache_swr_window_s),
                      .xfetch_beta = config.cache_xfetch_beta,
                      .random = {},
                      .lock_ttl = std::chrono::milliseconds(config.cache_lock_ttl_ms),
                      .refresh_ahead_min_reads = static_cast<int>(config.cache_refresh_ahead_min_reads),
                      .refresh_ahead_debounce = std::chrono::milliseconds(config.cache_refresh_ahead_debounce_ms),
                      // Until the instance registry's first beat: a predecessor killed mid-write
                      // may have left L2 entries that its invalidation never reached.
                      .remote_starts_closed = redis_tier != nullptr},
                     redis_tier.get());
  // Authentications remembered for the usuario TTL, and served as old as the cache's L1 may be
  // (on PostgreSQL: CACHE_L1_MAX_AGE_MS, or older while the change feed is caught up; writes to
  // users, logouts and revocations are announced as "auth" and forget them all). Every write to
  // sessions, users or tenants through this instance forgets them too. Their own byte budget.
  api::AccessCheckCache access_checks{std::chrono::milliseconds(std::chrono::seconds(config.ttl.usuario))};
  std::atomic<bool> draining{false};
  api::ApiContext api_context{*db,  blocking, auth, limiter, cache, config.metrics_token,
                              static_cast<std::int64_t>(l1_max_age.count()), &access_checks};
  api_context.draining = &draining;
  cache::ChangeFeed change_feed(io.get_executor(), cache, [&access_checks] { access_checks.BumpAll(); });
  std::unique_ptr<store::ChangeListener> listener;
  if (postgres) listener = StartChangeListener(config, *db, change_feed);
  // Alerts (docs/alerts.md): the guide's thresholds read every ALERT_INTERVAL_MS over
  // ALERT_WINDOW_S; notifications go to ALERT_WEBHOOK_URL from a bounded queue, off the request path.
  http::RequestDurations request_durations;
  std::unique_ptr<AlertWebhook> webhook;
  if (!config.alert_webhook_url.empty()) {
    auto created = AlertWebhook::Create(
        io.get_executor(), {.url = config.alert_webhook_url,
                            .timeout = std::chrono::milliseconds(config.alert_webhook_timeout_ms),
                            .attempts = static_cast<int>(config.alert_webhook_attempts),
                            .ca_file = config.alert_webhook_ca_file});
    if (!created) {
      spdlog::critical("{}", created.error().message);
      return 2;
    }
    webhook = std::move(*created);
  }
  AlertMonitor alerts(io.get_executor(),
                      {.thresholds = AlertThresholdsFromConfig(config),
                       .interval = std::chrono::milliseconds(config.alert_interval_ms)},
                      cache, request_durations, webhook.get());
  api_context.alerts = &alerts;
  api_context.request_durations = &request_durations;
  alerts.Start();
  spdlog::info("alerts: hit rate < {}, p95 > {} ms, Redis errors > {}, Redis memory > {} MB, over {} s (at least {} "
               "samples), read every {} ms; webhook {}",
               config.alert_hit_rate_min, config.alert_p95_ms, config.alert_redis_error_rate,
               config.alert_redis_memory_mb, config.alert_window_s, config.alert_min_samples, config.alert_interval_ms,
               webhook ? MaskWebhookUrl(config.alert_webhook_url) : std::string("(none)"));
  http::Router router;
  api::RegisterApiRoutes(router, api_context);

  http::Server server(io, {.host = config.host, .port = static_cast<unsigned short>(config.port),
                           .body_limit = config.body_limit, .header_limit = config.header_limit,
                           .read_timeout = config.read_timeout, .trusted_proxies = config.trusted_proxies},
                      http::StandardHandler(router, {.production = config.production(),
                                                     .cors_origins = config.cors_origins,
                                                     .durations = &request_durations}),
                      session_contexts);
  auto port = server.Listen();
  if (!port) {
    spdlog::critical("{}", port.error().message);
    return 1;
  }
  // With Redis: notice instances (this one's previous run included) that stopped without
  // deregistering, and invalidate every tenant for them; L2 opens, and connections are accepted
  // (they wait in the listen backlog meanwhile), once the first beat has been tried.
  std::unique_ptr<cache::InstanceRegistry> registry;
  if (redis_tier) {
    const auto beat = std::chrono::milliseconds(config.cache_instance_heartbeat_ms);
    registry = std::make_unique<cache::InstanceRegistry>(
        io.get_executor(), *redis_tier,
        cache::InstanceRegistryOptions{
            .name = config.instance_name.empty() ? DefaultInstanceName(*port) : config.instance_name,
            .interval = beat,
            .lapse_after = 4 * beat},
        cache::InstanceRegistry::Callbacks{
            .invalidate_all = [&] { return InvalidateEveryTenant(*db, blocking, cache); },
            .set_remote_open = [&cache](bool open) { cache.SetRemoteOpen(open); },
            .settle_pending = [&cache] { return cache.FlushPending(); },
            .before_first_beat = [&redis]() -> boost::asio::awaitable<void> {
              if (auto up = co_await redis->WaitConnected(std::chrono::seconds(2)); !up)
                spdlog::warn("redis: not connected at start-up ({}); serving without L2 until it is",
                             up.error().message);
            },
            .on_first_beat = [&server] { server.Start(); }});
    registry->Start();
  } else {
    server.Start();
  }

  // SIGTERM/SIGINT: first SHUTDOWN_DRAIN_MS of draining (health checks answer 503 so that load
  // balancers and orchestrators take the instance out; every request is still served), then stop
  // accepting and finish in-flight requests within SHUTDOWN_TIMEOUT_MS. A second signal during the
  // drain skips the rest of it.
  auto signal_strand = boost::asio::make_strand(io);  // the handlers below never run concurrently
  boost::asio::signal_set signals(signal_strand, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_timer(signal_strand);
  auto shutdown = [&] {
    spdlog::info("shutdown: closing {} connection(s), deadline {} ms", server.active_connections(),
                 config.shutdown_timeout.count());
    alerts.Stop();
    if (webhook) webhook->Stop();
    server.Shutdown(config.shutdown_timeout, [&](bool drained) {
      spdlog::info(drained ? "shutdown: all requests finished" : "shutdown: deadline passed, closing");
      // Deregistered only when every request finished and Redis has every invalidation: otherwise
      // the next run (or another instance) invalidates everything, as after a kill.
      if (!drained || !registry) return stop_io();
      boost::asio::co_spawn(io, registry->Leave(), [&](std::exception_ptr, bool left) {
        if (!left)
          spdlog::warn("shutdown: this instance's record stays in Redis (Redis unreachable, or an invalidation "
                       "still owed): the next start under this name invalidates every tenant");
        stop_io();
      });
    });
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (draining.exchange(true)) {
      spdlog::info("signal {} again: ending the drain now", signo);
      drain_timer.cancel();
      return;
    }
    if (config.shutdown_drain.count() == 0) {
      spdlog::info("signal {}", signo);
      shutdown();
      return;
    }
    spdlog::info("signal {}: draining for {} ms (health checks answer 503), then shutting down", signo,
                 config.shutdown_drain.count());
    signals.async_wait(on_signal);
    drain_timer.expires_after(config.shutdown_drain);
    drain_timer.async_wait([&](boost::system::error_code) { shutdown(); });
  };
  signals.async_wait(on_signal);

  spdlog::info("IAM listening on http://{}:{} ({} I/O threads{}, {} database threads, database {})", config.host,
               *port, io_threads, config.io_context_per_thread ? " with an io_context each" : "",
               config.blocking_threads, db->dialect() == store::Dialect::kSqlite ? "SQLite" : "PostgreSQL");
  // Each context runs until stop_io(), idle or not (the guards keep the other contexts' run() from
  // returning while they have no connection yet).
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
  for (auto& c : contexts) guards.push_back(boost::asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i)
    threads.emplace_back([c = contexts[static_cast<std::size_t>(i) % contexts.size()].get()] { c->run(); });
  io.run();
  stop_io();  // io.run() returned: the others stop too
  for (auto& t : threads) t.join();
  if (listener) listener->Stop();
  if (redis) redis->Shutdown();
  blocking.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace iam::app
