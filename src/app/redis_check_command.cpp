#include "app/redis_check_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "app/redis_connect.hpp"
#include "cache/redis_client.hpp"

namespace iam::app {

namespace asio = boost::asio;
using cache::RedisCommands;
using cache::RedisReply;
using Args = std::vector<std::string>;
using Clock = std::chrono::steady_clock;

Result<cache::RedisOptions> RedisOptionsFromSettings(const RedisSettings& s) {
  if (!s.configured)
    return Fail(
        Error::InvalidArgument("no Redis configured: set REDIS_URL (or REDIS_HOST), or pass --url redis://host:port"));
  cache::RedisOptions o;
  o.host = s.cluster_nodes.empty() ? s.host : s.cluster_nodes.front().first;
  o.port = s.cluster_nodes.empty() ? s.port : s.cluster_nodes.front().second;
  o.username = s.username;
  o.password = s.password;
  o.db = s.db;
  o.tls = s.tls;
  return o;
}

namespace {

template <typename... T>
Args Cmd(T&&... parts) {
  return Args{std::string(std::forward<T>(parts))...};
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string RandomHex() {
  std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:012x}", rng() & 0xffffffffffffULL);
}

// The URL form of `o`, password masked.
std::string Describe(const cache::RedisOptions& o) {
  std::string userinfo;
  if (!o.username.empty() || !o.password.empty()) userinfo = o.username + (o.password.empty() ? "" : ":***") + "@";
  return fmt::format("{}://{}{}/{}", o.tls ? "rediss" : "redis", userinfo, cache::RedisEndpointName(o), o.db);
}

std::string HintFor(const Error& e) {
  if (e.code == cache::kRedisAuth) return "check REDIS_PASSWORD (and REDIS_USERNAME for an ACL user)";
  if (e.code == cache::kRedisTls) return "check rediss:// and the CA (--tls-ca-file)";
  if (e.code == cache::kRedisConnect) return "is a server running on that host and port?";
  if (e.message.find("rediss://") != std::string::npos) return "the server may speak TLS only: check rediss://";
  if (e.message.find("NOPERM") != std::string::npos) return "the Redis user lacks permissions: check its ACL";
  if (e.code == cache::kRedisTimeout)
    return "the server accepted the connection but did not answer in time: is it a Redis server, and is it overloaded?";
  return "is a server running on that host and port?";
}

// One line of the report.
struct Outcome {
  bool ok = false;
  bool skipped = false;
  std::string detail;
  std::optional<Error> error;  // for the hint
};

Outcome Pass(std::string detail) { return {true, false, std::move(detail), std::nullopt}; }
Outcome Failed(const Error& e) { return {false, false, e.message, e}; }
Outcome Failed(std::string why) { return {false, false, why, Error::Unavailable(why, "redis_check")}; }

struct Checker {
  RedisCommands* client;
  std::string base;  // <prefix>:redis-check:<random>
  std::chrono::milliseconds timeout;
};

// A reply, with error replies turned into failures (a check expects none).
asio::awaitable<Result<RedisReply>> Run(Checker* c, Args args) {
  auto r = co_await c->client->Execute(std::move(args));
  if (r && r->IsError()) co_return Fail(Error::Unavailable("the server answered: " + r->str, "redis_check"));
  co_return r;
}

asio::awaitable<Outcome> CheckConnection(Checker* c) {
  auto t0 = Clock::now();
  auto up = co_await c->client->WaitConnected(4 * c->timeout);
  if (!up) co_return Failed(up.error());
  auto connected = Clock::now();
  auto pong = co_await Run(c, Cmd("PING"));
  if (!pong) co_return Failed(pong.error());
  if (!pong->IsStatus("PONG")) co_return Failed("PING answered " + cache::DescribeRedisReply(*pong));
  const auto& o = c->client->options();
  std::string auth = o.password.empty()                                ? "AUTH not used"
                     : (o.username.empty() || o.username == "default") ? "AUTH ok"
                                                                       : "AUTH ok as " + o.username;
  co_return Pass(fmt::format("connected in {:.1f} ms, TLS {}, {}, SELECT {}, PING {:.2f} ms", Ms(connected - t0),
                             o.tls ? "on" : "off", auth, o.db, Ms(Clock::now() - connected)));
}

asio::awaitable<Outcome> CheckWriteReadDelete(Checker* c) {
  const std::string key = c->base + ":rw";
  const std::string value = "redis-check " + RandomHex();
  auto set = co_await Run(c, Cmd("SET", key, value, "EX", "60"));
  if (!set) co_return Failed(set.error());
  auto get = co_await Run(c, Cmd("GET", key));
  if (!get) co_return Failed(get.error());
  if (get->str != value) co_return Failed("GET returned " + cache::DescribeRedisReply(*get));
  auto ttl = co_await Run(c, Cmd("TTL", key));
  if (!ttl) co_return Failed(ttl.error());
  if (ttl->integer <= 0) co_return Failed("the key has no TTL");
  auto del = co_await Run(c, Cmd("DEL", key));
  if (!del) co_return Failed(del.error());
  auto gone = co_await Run(c, Cmd("GET", key));
  if (!gone) co_return Failed(gone.error());
  if (del->integer != 1 || !gone->IsNil()) co_return Failed("DEL did not remove the key");
  co_return Pass(fmt::format("SET (TTL {} s), GET, DEL on {}", ttl->integer, key));
}

asio::awaitable<Outcome> CheckJson(Checker* c) {
  const std::string key = c->base + ":json";
  boost::json::value doc = boost::json::parse(R"({"kpi":"rotacion","empresa":42,"valor":3.25,
      "series":[1,2,3],"texto":"ñandú € \"citado\"\n","ok":true,"nada":null})");
  std::string text = boost::json::serialize(doc);
  auto set = co_await Run(c, Cmd("SET", key, text, "EX", "60"));
  if (!set) co_return Failed(set.error());
  auto get = co_await Run(c, Cmd("GET", key));
  if (!get) co_return Failed(get.error());
  co_await Run(c, Cmd("DEL", key));
  boost::system::error_code ec;
  auto back = boost::json::parse(get->str, ec);
  if (ec || back != doc) co_return Failed("the JSON read back differs from the JSON written");
  co_return Pass(fmt::format("{} bytes of UTF-8 JSON written, read back and parsed equal", text.size()));
}

// Summed over every master of a cluster (one server: itself).
asio::awaitable<Outcome> CheckKeysAndMemory(Checker* c) {
  const auto nodes = c->client->Nodes();
  std::int64_t keys = 0;
  std::string used;
  for (const auto& node : nodes) {
    auto size = co_await c->client->ExecuteOn(node, Cmd("DBSIZE"));
    if (!size) co_return Failed(size.error());
    if (size->IsError()) co_return Failed("DBSIZE answered " + size->str);
    keys += size->integer;
    auto info = co_await c->client->ExecuteOn(node, Cmd("INFO", "memory"));
    if (!info) co_return Failed(info.error());
    std::string mine = "?";
    if (auto pos = info->str.find("used_memory_human:"); pos != std::string::npos) {
      auto start = pos + std::string_view("used_memory_human:").size();
      mine = info->str.substr(start, info->str.find_first_of("\r\n", start) - start);
    }
    used += (used.empty() ? "" : ", ") + (nodes.size() > 1 ? node + " " : std::string()) + mine;
  }
  if (nodes.size() > 1)
    co_return Pass(fmt::format("{} keys on {} masters, used_memory {}", keys, nodes.size(), used));
  co_return Pass(fmt::format("{} keys in db {}, used_memory {}", keys, c->client->options().db, used));
}

asio::awaitable<Outcome> CheckTiming(Checker* c) {
  constexpr int kN = 100;
  Args del = Cmd("DEL");
  auto t0 = Clock::now();
  for (int i = 0; i < kN; ++i) {
    std::string key = fmt::format("{}:t:{}", c->base, i);
    auto r = co_await Run(c, Cmd("SET", key, std::string(256, static_cast<char>('a' + i % 26)), "EX", "60"));
    if (!r) co_return Failed(r.error());
    del.push_back(key);
  }
  auto t1 = Clock::now();
  for (int i = 0; i < kN; ++i) {
    auto r = co_await Run(c, Cmd("GET", del[static_cast<std::size_t>(i) + 1]));
    if (!r) co_return Failed(r.error());
    if (r->str.size() != 256) co_return Failed("a value read back has the wrong size");
  }
  auto t2 = Clock::now();
  for (std::size_t i = 1; i < del.size(); ++i) co_await Run(c, Cmd("DEL", del[i]));
  co_return Pass(fmt::format("{} writes {:.1f} ms ({:.2f} ms each), {} reads {:.1f} ms ({:.2f} ms each)", kN,
                             Ms(t1 - t0), Ms(t1 - t0) / kN, kN, Ms(t2 - t1), Ms(t2 - t1) / kN));
}

// Generation-based invalidation, as the cache does it: keys embed the current generation, and an
// INCR of the generation makes every key built from the old one unreachable at once.
asio::awaitable<Outcome> CheckInvalidation(Checker* c) {
  const std::string gen_key = c->base + ":gen";
  auto data_key = [c](std::int64_t gen) { return fmt::format("{}:g{}:kpis", c->base, gen); };
  auto g1 = co_await Run(c, Cmd("INCR", gen_key));
  if (!g1) co_return Failed(g1.error());
  co_await Run(c, Cmd("EXPIRE", gen_key, "60"));
  auto set = co_await Run(c, Cmd("SET", data_key(g1->integer), "cached", "EX", "60"));
  if (!set) co_return Failed(set.error());
  auto before = co_await Run(c, Cmd("GET", data_key(g1->integer)));
  if (!before) co_return Failed(before.error());
  auto g2 = co_await Run(c, Cmd("INCR", gen_key));
  if (!g2) co_return Failed(g2.error());
  auto after = co_await Run(c, Cmd("GET", data_key(g2->integer)));
  if (!after) co_return Failed(after.error());
  co_await Run(c, Cmd("DEL", gen_key));  // one key per DEL: on a cluster they may be in two slots
  co_await Run(c, Cmd("DEL", data_key(g1->integer)));
  if (before->str != "cached") co_return Failed("the value was not readable under its generation");
  if (g2->integer != g1->integer + 1 || !after->IsNil())
    co_return Failed("the value is still reachable after the generation changed");
  co_return Pass(
      fmt::format("INCR of the generation ({} -> {}) made the cached value unreachable", g1->integer, g2->integer));
}

struct Report {
  std::vector<std::pair<std::string, Outcome>> lines;
};

using Check = asio::awaitable<Outcome> (*)(Checker*);
constexpr std::pair<const char*, Check> kChecksAfterConnecting[] = {
    {"write/read/delete", &CheckWriteReadDelete}, {"json round-trip", &CheckJson},
    {"keys and memory", &CheckKeysAndMemory},     {"timing", &CheckTiming},
    {"invalidation", &CheckInvalidation},
};

asio::awaitable<void> RunAll(Checker* c, Report* report) {
  auto connection = co_await CheckConnection(c);
  const bool connected = connection.ok;
  report->lines.emplace_back("connection", std::move(connection));
  for (const auto& [name, check] : kChecksAfterConnecting) {
    if (!connected) {
      report->lines.emplace_back(name, Outcome{false, true, "not run without a connection", std::nullopt});
      continue;
    }
    auto outcome = co_await check(c);
    report->lines.emplace_back(name, std::move(outcome));
  }
}

}  // namespace

int RunRedisCheck(const Config& config, const RedisCheckOptions& options) {
  auto opts = options.url.empty() ? RedisOptionsFromSettings(config.redis) : cache::ParseRedisUrl(options.url);
  if (!opts) {
    fmt::print(stderr, "redis-check: {}\n", opts.error().message);
    return 2;
  }
  opts->tls_ca_file = options.tls_ca_file;
  opts->connections = 1;
  opts->command_timeout = std::chrono::milliseconds(options.timeout_ms);
  opts->connect_timeout = std::chrono::milliseconds(options.timeout_ms);
  opts->reconnect_min = std::chrono::milliseconds(100);
  opts->reconnect_max = std::chrono::milliseconds(1000);
  fmt::print("redis-check: {}\n", options.url.empty() ? Describe(*opts) : cache::MaskRedisUrl(options.url));
  if (options.url.empty() && !config.redis.cluster_nodes.empty()) {
    std::string seeds;
    for (const auto& [h, p] : config.redis.cluster_nodes) seeds += fmt::format("{}{}:{}", seeds.empty() ? "" : ",", h, p);
    fmt::print("  Redis Cluster, seeds {}\n", seeds);
  }
  fmt::print("  host {}, port {}, db {}, tls {}{}, user {}, password {}, prefix {}, timeout {} ms\n", opts->host,
             opts->port, opts->db, opts->tls ? "on" : "off",
             opts->tls ? (opts->tls_ca_file.empty() ? " (system CAs)" : " (CA " + opts->tls_ca_file + ")") : "",
             opts->username.empty() ? "(default)" : opts->username, opts->password.empty() ? "(none)" : "***",
             config.cache_prefix, options.timeout_ms);
  // The client's own warnings would repeat the report's lines.
  if (spdlog::get_level() > spdlog::level::debug) spdlog::set_level(spdlog::level::err);

  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  std::thread io([&ioc] { ioc.run(); });
  Report report;
  {
    // REDIS_CLUSTER_NODES: the whole cluster; --url: that one server (a cluster node too).
    std::unique_ptr<RedisCommands> client;
    if (options.url.empty()) client = MakeRedis(ioc.get_executor(), config.redis, *opts);
    else client = std::make_unique<cache::RedisClient>(ioc.get_executor(), *opts);
    client->Start();
    Checker checker{client.get(), config.cache_prefix + ":redis-check:" + RandomHex(), opts->command_timeout};
    asio::co_spawn(ioc, RunAll(&checker, &report), asio::use_future).get();
  }
  work.reset();
  io.join();

  int failed = 0, skipped = 0;
  std::optional<Error> first_error;
  for (const auto& [name, outcome] : report.lines) {
    fmt::print("  {:<18} {:<4} {}\n", name, outcome.ok ? "ok" : outcome.skipped ? "skip" : "FAIL", outcome.detail);
    if (outcome.skipped) {
      ++skipped;
    } else if (!outcome.ok) {
      ++failed;
    }
    if (!first_error && outcome.error) first_error = outcome.error;
  }
  if (failed == 0 && skipped == 0) {
    fmt::print("redis-check: all {} checks passed\n", report.lines.size());
    return 0;
  }
  fmt::print("redis-check: {} of {} checks failed{}\n", failed, report.lines.size(),
             skipped > 0 ? fmt::format(", {} not run", skipped) : "");
  if (first_error) fmt::print("hint: {}\n", HintFor(*first_error));
  return 1;
}

}  // namespace iam::app
