#include "app/config.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>
#include <fmt/format.h>

#include "cache/redis_options.hpp"

namespace iam::app {
namespace {

constexpr std::size_t kMinJwtSecretLength = 32;

Error Invalid(std::string_view name, std::string_view what, std::string_view value) {
  return Error::InvalidArgument(fmt::format("invalid {}: {} (got '{}')", name, what, value), "CONFIG_ERROR");
}

std::optional<std::string> Get(const VarMap& vars, const std::string& name) {
  auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<std::int64_t> ParseInt(std::string_view name, std::string_view v, std::int64_t lo, std::int64_t hi) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < lo || out > hi)
    return Fail(Invalid(name, fmt::format("expected an integer in {}..{}", lo, hi), v));
  return out;
}

Result<double> ParseDouble(std::string_view name, std::string_view v, double lo, double hi) {
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || !(out >= lo && out <= hi))
    return Fail(Invalid(name, fmt::format("expected a number in {}..{}", lo, hi), v));
  return out;
}

Result<bool> ParseBool(std::string_view name, std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return Fail(Invalid(name, "expected true or false", v));
}

// "3600", "45s", "15m", "12h", "1d", "2w" (the forms the old backend's JWT_EXPIRES_IN took).
Result<std::int64_t> ParseDurationSeconds(std::string_view name, std::string_view v) {
  std::string_view digits = v;
  std::int64_t unit = 1;
  if (!v.empty() && std::isalpha(static_cast<unsigned char>(v.back()))) {
    switch (v.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: return Fail(Invalid(name, "expected a duration like 3600, 15m, 12h or 1d", v));
    }
    digits = v.substr(0, v.size() - 1);
  }
  auto n = ParseInt(name, digits, 1, 366LL * 86400);
  if (!n) return Fail(Invalid(name, "expected a duration like 3600, 15m, 12h or 1d", v));
  return *n * unit;
}

Result<std::pair<std::string, int>> ParseHostPort(std::string_view name, std::string_view hp) {
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Fail(Invalid(name, "expected host:port", hp));
  auto port = ParseInt(name, hp.substr(colon + 1), 1, 65535);
  if (!port) return Fail(Invalid(name, "expected host:port", hp));
  return std::pair{std::string(hp.substr(0, colon)), static_cast<int>(*port)};
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string item(s.substr(start, end - start));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

Result<void> ParseRedisUrl(std::string_view url, RedisSettings& r) {
  if (cache::RedisUrlHasAmbiguousUserinfo(url))
    return Fail(Invalid("REDIS_URL", "more than one '@': percent-encode '@' in the password as %40",
                        MaskUrlPassword(url)));
  auto u = boost::urls::parse_uri(url);
  if (!u || (u->scheme() != "redis" && u->scheme() != "rediss") || !u->has_authority() || u->host().empty())
    return Fail(Invalid("REDIS_URL", "expected redis://[user:password@]host:port[/db] or rediss://…",
                        MaskUrlPassword(url)));
  r.configured = true;
  r.tls = u->scheme() == "rediss";
  r.host = u->host_address();
  if (u->has_port()) {
    auto p = ParseInt("REDIS_URL", u->port(), 1, 65535);
    if (!p) return Fail(Invalid("REDIS_URL", "bad port", MaskUrlPassword(url)));
    r.port = static_cast<int>(*p);
  }
  if (u->has_userinfo()) {
    r.username = u->user();
    r.password = u->password();
    if (r.username == "default") r.username.clear();  // the implicit ACL user: AUTH <password> alone
  }
  std::string_view path = u->encoded_path();
  if (!path.empty() && path != "/") {
    auto db = ParseInt("REDIS_URL", path.substr(1), 0, 15);
    if (!db) return Fail(Invalid("REDIS_URL", "database must be 0..15", MaskUrlPassword(url)));
    r.db = static_cast<int>(*db);
  }
  return {};
}

Result<void> ParseRedis(const VarMap& v, RedisSettings& r) {
  auto url = Get(v, "REDIS_URL");
  auto cluster = Get(v, "REDIS_CLUSTER_NODES");
  if (url && cluster) return Fail(Error::InvalidArgument(
                          "invalid REDIS_CLUSTER_NODES: cannot be set together with REDIS_URL", "CONFIG_ERROR"));
  if (url) return ParseRedisUrl(*url, r);
  if (cluster) {
    for (const auto& node : SplitList(*cluster)) {
      auto hp = ParseHostPort("REDIS_CLUSTER_NODES", node);
      if (!hp) return Fail(hp.error());
      r.cluster_nodes.push_back(*hp);
    }
    if (r.cluster_nodes.empty()) return Fail(Invalid("REDIS_CLUSTER_NODES", "expected host:port,…", *cluster));
    r.configured = true;
  }
  if (auto h = Get(v, "REDIS_HOST")) {
    r.configured = true;
    r.host = *h;
  }
  if (auto p = Get(v, "REDIS_PORT")) {
    auto n = ParseInt("REDIS_PORT", *p, 1, 65535);
    if (!n) return Fail(n.error());
    r.port = static_cast<int>(*n);
  }
  if (auto d = Get(v, "REDIS_DB")) {
    auto n = ParseInt("REDIS_DB", *d, 0, 15);
    if (!n) return Fail(n.error());
    r.db = static_cast<int>(*n);
  }
  if (auto t = Get(v, "REDIS_TLS")) {
    auto b = ParseBool("REDIS_TLS", *t);
    if (!b) return Fail(b.error());
    r.tls = *b;
  }
  r.username = Get(v, "REDIS_USERNAME").value_or("");
  r.password = Get(v, "REDIS_PASSWORD").value_or("");
  if (!r.cluster_nodes.empty() && r.db != 0)
    return Fail(Invalid("REDIS_DB", "a Redis Cluster has database 0 only: unset REDIS_DB or set it to 0",
                        std::to_string(r.db)));
  return {};
}

// Reads an integer variable into `out` when present.
template <typename T>
Result<void> IntVar(const VarMap& v, const char* name, T& out, std::int64_t lo, std::int64_t hi) {
  if (auto s = Get(v, name)) {
    auto n = ParseInt(name, *s, lo, hi);
    if (!n) return Fail(n.error());
    out = static_cast<T>(*n);
  }
  return {};
}

Result<void> MsVar(const VarMap& v, const char* name, std::chrono::milliseconds& out, std::int64_t lo,
                   std::int64_t hi) {
  std::int64_t ms = out.count();
  if (auto r = IntVar(v, name, ms, lo, hi); !r) return r;
  out = std::chrono::milliseconds(ms);
  return {};
}

Result<void> ParseCache(const VarMap& v, Config& c) {
  constexpr std::int64_t kMaxTtl = 30LL * 86400;
  for (auto [name, field] : std::initializer_list<std::pair<const char*, int*>>{
           {"CACHE_TTL_KPIS", &c.ttl.kpis},         {"CACHE_TTL_FINANCIAL", &c.ttl.financial},
           {"CACHE_TTL_PRODUCTOS", &c.ttl.productos}, {"CACHE_TTL_EMPRESA", &c.ttl.empresa},
           {"CACHE_TTL_USUARIO", &c.ttl.usuario},   {"CACHE_TTL_CONFIG", &c.ttl.config},
           {"CACHE_TTL_PREDICTIVE", &c.ttl.predictive}, {"CACHE_TTL_SESSION", &c.ttl.session}}) {
    if (auto r = IntVar(v, name, *field, 1, kMaxTtl); !r) return r;
  }
  if (auto r = IntVar(v, "CACHE_L1_MAX_BYTES", c.cache_l1_max_bytes, 0, 1LL << 40); !r) return r;
  if (auto r = IntVar(v, "CACHE_L1_MAX_AGE_MS", c.cache_l1_max_age_ms, 0, 3600000); !r) return r;
  if (auto r = IntVar(v, "CACHE_L1_HEARTBEAT_MS", c.cache_l1_heartbeat_ms, 0, 60000); !r) return r;
  if (auto r = IntVar(v, "REDIS_TIMEOUT_MS", c.redis_timeout_ms, 1, 60000); !r) return r;
  if (auto r = IntVar(v, "CACHE_FAILSAFE_MAX_AGE_S", c.cache_failsafe_max_age_s, 0, 86400); !r) return r;
  if (auto r = IntVar(v, "CACHE_SWR_WINDOW_S", c.cache_swr_window_s, 0, 86400); !r) return r;
  if (auto b = Get(v, "CACHE_XFETCH_BETA")) {
    double beta = 0;
    auto [p, ec] = std::from_chars(b->data(), b->data() + b->size(), beta);
    if (ec != std::errc() || p != b->data() + b->size() || !(beta >= 0 && beta <= 10))
      return Fail(Invalid("CACHE_XFETCH_BETA", "expected a number in 0..10", *b));
    c.cache_xfetch_beta = beta;
  }
  if (auto r = IntVar(v, "CACHE_LOCK_TTL_MS", c.cache_lock_ttl_ms, 0, 60000); !r) return r;
  if (auto r = IntVar(v, "CACHE_REFRESH_AHEAD_MIN_READS", c.cache_refresh_ahead_min_reads, 0, 1000000); !r) return r;
  if (auto r = IntVar(v, "CACHE_REFRESH_AHEAD_DEBOUNCE_MS", c.cache_refresh_ahead_debounce_ms, 0, 60000); !r) return r;
  if (auto p = Get(v, "CACHE_PREFIX")) {
    bool ok = p->size() <= 64 && std::all_of(p->begin(), p->end(), [](unsigned char ch) {
      return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
    });
    if (!ok) return Fail(Invalid("CACHE_PREFIX", "letters, digits, '_', '-', '.'; at most 64", *p));
    c.cache_prefix = *p;
  }
  if (auto r = IntVar(v, "CACHE_INSTANCE_HEARTBEAT_MS", c.cache_instance_heartbeat_ms, 100, 600000); !r) return r;
  if (auto n = Get(v, "IAM_INSTANCE_NAME")) {
    bool ok = !n->empty() && n->size() <= 200 && std::all_of(n->begin(), n->end(), [](unsigned char ch) {
      return std::isgraph(ch) != 0;
    });
    if (!ok) return Fail(Invalid("IAM_INSTANCE_NAME", "1 to 200 printable characters, no spaces", *n));
    c.instance_name = *n;
  }
  c.metrics_token = Get(v, "METRICS_TOKEN").value_or("");
  return ParseRedis(v, c.redis);
}

Result<void> DoubleVar(const VarMap& v, const char* name, double& out, double lo, double hi) {
  if (auto s = Get(v, name)) {
    auto n = ParseDouble(name, *s, lo, hi);
    if (!n) return Fail(n.error());
    out = *n;
  }
  return {};
}

Result<void> ParseAlerts(const VarMap& v, Config& c) {
  if (auto r = DoubleVar(v, "ALERT_HIT_RATE_MIN", c.alert_hit_rate_min, 0, 1); !r) return r;
  if (auto r = DoubleVar(v, "ALERT_P95_MS", c.alert_p95_ms, 0, 3.6e6); !r) return r;
  if (auto r = DoubleVar(v, "ALERT_REDIS_ERROR_RATE", c.alert_redis_error_rate, 0, 1); !r) return r;
  if (auto r = DoubleVar(v, "ALERT_REDIS_MEMORY_MB", c.alert_redis_memory_mb, 0, 1e9); !r) return r;
  if (auto r = IntVar(v, "ALERT_WINDOW_S", c.alert_window_s, 1, 86400); !r) return r;
  if (auto r = IntVar(v, "ALERT_INTERVAL_MS", c.alert_interval_ms, 100, 3600000); !r) return r;
  if (c.alert_interval_ms > c.alert_window_s * 1000)
    return Fail(Invalid("ALERT_INTERVAL_MS", fmt::format("must not exceed ALERT_WINDOW_S ({} s)", c.alert_window_s),
                        std::to_string(c.alert_interval_ms)));
  if (auto r = IntVar(v, "ALERT_MIN_SAMPLES", c.alert_min_samples, 1, 1'000'000'000); !r) return r;
  if (auto r = IntVar(v, "ALERT_WEBHOOK_TIMEOUT_MS", c.alert_webhook_timeout_ms, 100, 120000); !r) return r;
  if (auto r = IntVar(v, "ALERT_WEBHOOK_ATTEMPTS", c.alert_webhook_attempts, 1, 10); !r) return r;
  c.alert_webhook_ca_file = Get(v, "ALERT_WEBHOOK_CA_FILE").value_or("");
  if (auto url = Get(v, "ALERT_WEBHOOK_URL")) {
    auto u = boost::urls::parse_absolute_uri(*url);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty())
      return Fail(Invalid("ALERT_WEBHOOK_URL", "expected http://host[:port]/path or https://…", MaskWebhookUrl(*url)));
    c.alert_webhook_url = *url;
  }
  return {};
}

Result<void> ParseHttp(const VarMap& v, Config& c) {
  c.host = Get(v, "HOST").value_or(c.host);
  if (auto r = IntVar(v, "PORT", c.port, 0, 65535); !r) return r;
  if (auto r = IntVar(v, "IO_THREADS", c.io_threads, 0, 256); !r) return r;
  if (auto t = Get(v, "IO_CONTEXT_PER_THREAD")) {
    auto b = ParseBool("IO_CONTEXT_PER_THREAD", *t);
    if (!b) return Fail(b.error());
    c.io_context_per_thread = *b;
  }
  if (auto r = IntVar(v, "HTTP_BODY_LIMIT", c.body_limit, 1024, 1LL << 30); !r) return r;
  if (auto r = IntVar(v, "HTTP_HEADER_LIMIT", c.header_limit, 1024, 1 << 20); !r) return r;
  if (auto r = MsVar(v, "HTTP_READ_TIMEOUT_MS", c.read_timeout, 100, 600000); !r) return r;
  if (auto r = MsVar(v, "SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout, 0, 600000); !r) return r;
  if (auto r = MsVar(v, "SHUTDOWN_DRAIN_MS", c.shutdown_drain, 0, 600000); !r) return r;
  if (auto t = Get(v, "TRUSTED_PROXIES")) {
    auto proxies = http::TrustedProxies::Parse(*t);
    if (!proxies) return Fail(proxies.error());
    c.trusted_proxies = std::move(*proxies);
  }
  if (auto o = Get(v, "CORS_ORIGINS")) c.cors_origins = SplitList(*o);
  else if (auto f = Get(v, "FRONTEND_URL")) c.cors_origins = SplitList(*f);
  c.cookie_domain = Get(v, "COOKIE_DOMAIN").value_or("");
  return {};
}

Result<void> ParseAuth(const VarMap& v, Config& c) {
  c.jwt_secret = Get(v, "JWT_SECRET").value_or("");
  if (c.production() && c.jwt_secret.size() < kMinJwtSecretLength)
    return Fail(Error::InvalidArgument(
        fmt::format("invalid JWT_SECRET: production needs at least {} characters", kMinJwtSecretLength),
        "CONFIG_ERROR"));
  if (auto e = Get(v, "JWT_EXPIRES_IN")) {
    auto s = ParseDurationSeconds("JWT_EXPIRES_IN", *e);
    if (!s) return Fail(s.error());
    c.jwt_expires_in_s = *s;
  }
  c.jwt_issuer = Get(v, "JWT_ISSUER").value_or("");
  c.jwt_audience = Get(v, "JWT_AUDIENCE").value_or("");
  return {};
}

Result<void> ParseStorageAndLogs(const VarMap& v, Config& c) {
  if (auto u = Get(v, "DATABASE_URL")) {
    if (!u->starts_with("postgres://") && !u->starts_with("postgresql://") && !u->starts_with("sqlite:"))
      return Fail(Invalid("DATABASE_URL", "expected postgres://…, postgresql://… or sqlite:PATH", MaskUrlPassword(*u)));
    if (*u == "sqlite:") return Fail(Invalid("DATABASE_URL", "sqlite: needs a file path", *u));
    c.database_url = *u;
  }
  if (auto r = IntVar(v, "DB_POOL_SIZE", c.db_pool_size, 1, 256); !r) return r;
  if (auto r = IntVar(v, "BLOCKING_THREADS", c.blocking_threads, 1, 256); !r) return r;
  if (auto f = Get(v, "LOG_FORMAT")) {
    if (*f != "text" && *f != "json") return Fail(Invalid("LOG_FORMAT", "expected text or json", *f));
    c.log_format = *f;
  }
  if (auto l = Get(v, "LOG_LEVEL")) {
    static const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), *l) == kLevels.end())
      return Fail(Invalid("LOG_LEVEL", "expected trace, debug, info, warn, error, critical or off", *l));
    c.log_level = *l;
  }
  return {};
}

}  // namespace

const std::vector<std::string>& KnownVariables() {
  static const std::vector<std::string> kNames = {
      "IAM_ENV", "HOST", "PORT", "IO_THREADS", "IO_CONTEXT_PER_THREAD", "HTTP_BODY_LIMIT", "HTTP_HEADER_LIMIT", "HTTP_READ_TIMEOUT_MS",
      "SHUTDOWN_TIMEOUT_MS", "SHUTDOWN_DRAIN_MS", "TRUSTED_PROXIES", "CORS_ORIGINS", "FRONTEND_URL", "COOKIE_DOMAIN",
      "DATABASE_URL", "DB_POOL_SIZE", "BLOCKING_THREADS", "REDIS_URL", "REDIS_HOST", "REDIS_PORT",
      "REDIS_PASSWORD", "REDIS_USERNAME", "REDIS_DB", "REDIS_TLS", "REDIS_CLUSTER_NODES", "CACHE_PREFIX",
      "METRICS_TOKEN", "CACHE_TTL_KPIS", "CACHE_TTL_FINANCIAL", "CACHE_TTL_PRODUCTOS", "CACHE_TTL_EMPRESA",
      "CACHE_TTL_USUARIO", "CACHE_TTL_CONFIG", "CACHE_TTL_PREDICTIVE", "CACHE_TTL_SESSION", "CACHE_L1_MAX_BYTES",
      "CACHE_L1_MAX_AGE_MS", "CACHE_L1_HEARTBEAT_MS", "REDIS_TIMEOUT_MS", "IAM_INSTANCE_NAME", "CACHE_INSTANCE_HEARTBEAT_MS",
      "CACHE_FAILSAFE_MAX_AGE_S", "CACHE_SWR_WINDOW_S",
      "CACHE_XFETCH_BETA", "CACHE_LOCK_TTL_MS", "CACHE_REFRESH_AHEAD_MIN_READS", "CACHE_REFRESH_AHEAD_DEBOUNCE_MS",
      "ALERT_HIT_RATE_MIN", "ALERT_P95_MS", "ALERT_REDIS_ERROR_RATE", "ALERT_REDIS_MEMORY_MB", "ALERT_WINDOW_S",
      "ALERT_INTERVAL_MS", "ALERT_MIN_SAMPLES", "ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_TIMEOUT_MS",
      "ALERT_WEBHOOK_ATTEMPTS", "ALERT_WEBHOOK_CA_FILE", "JWT_SECRET", "JWT_EXPIRES_IN", "JWT_ISSUER", "JWT_AUDIENCE", "LOG_FORMAT",
      "LOG_LEVEL"};
  return kNames;
}

Result<Config> ParseConfig(const VarMap& vars) {
  Config c;
  if (auto e = Get(vars, "IAM_ENV")) {
    if (*e != "development" && *e != "production" && *e != "test")
      return Fail(Invalid("IAM_ENV", "expected development, production or test", *e));
    c.env = *e;
  }
  for (auto* step : {&ParseHttp, &ParseStorageAndLogs, &ParseCache, &ParseAlerts, &ParseAuth}) {
    if (auto r = step(vars, c); !r) return Fail(r.error());
  }
  return c;
}

void FillGeneratedSecrets(Config& config) {
  if (!config.jwt_secret.empty() || config.production()) return;
  if (sodium_init() < 0) return;
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  config.jwt_secret = hex;
  config.jwt_secret_generated = true;
}

std::string MaskUrlPassword(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto auth_start = scheme_end + 3;
  // The userinfo ends at the LAST '@': users type passwords with unencoded '@', '/', '?' or '#',
  // which a URL parser would read as the end of the userinfo, and every such character must stay
  // hidden. On a URL without credentials but with an '@' later on (a query value), this masks
  // more than the password: harmless in a message, unlike showing part of a password.
  auto at = url.rfind('@');
  if (at == std::string_view::npos || at < auth_start) return std::string(url);
  auto colon = url.find(':', auth_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "****" + std::string(url.substr(at));
}

std::string MaskWebhookUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return url.empty() ? std::string() : std::string("****");
  std::string out(url.substr(0, scheme_end + 3));
  std::string_view rest = url.substr(scheme_end + 3);
  // Userinfo ends at the last '@' (passwords typed with '@', '/' or '?' in them stay hidden).
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    out += "****@";
    rest = rest.substr(at + 1);
  }
  auto host_end = rest.find_first_of("/?#");
  out += rest.substr(0, host_end);
  if (host_end != std::string_view::npos) out += rest.substr(host_end) == "/" ? "/" : "/****";
  return out;
}

std::vector<std::pair<std::string, std::string>> Masked(const Config& c) {
  auto secret = [](const std::string& s) { return s.empty() ? std::string("(unset)") : std::string("****"); };
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
  };
  std::string cluster;
  for (const auto& [h, p] : c.redis.cluster_nodes) cluster += (cluster.empty() ? "" : ",") + h + ":" + std::to_string(p);
  return {
      {"IAM_ENV", c.env},
      {"HOST", c.host},
      {"PORT", std::to_string(c.port)},
      {"IO_THREADS", c.io_threads == 0 ? "0 (one per core)" : std::to_string(c.io_threads)},
      {"IO_CONTEXT_PER_THREAD", c.io_context_per_thread ? "true" : "false"},
      {"HTTP_BODY_LIMIT", std::to_string(c.body_limit)},
      {"HTTP_HEADER_LIMIT", std::to_string(c.header_limit)},
      {"HTTP_READ_TIMEOUT_MS", std::to_string(c.read_timeout.count())},
      {"SHUTDOWN_TIMEOUT_MS", std::to_string(c.shutdown_timeout.count())},
      {"SHUTDOWN_DRAIN_MS", std::to_string(c.shutdown_drain.count())},
      {"TRUSTED_PROXIES", c.trusted_proxies.empty() ? "(none: the TCP peer is the client)" : c.trusted_proxies.ToString()},
      {"CORS_ORIGINS", join(c.cors_origins)},
      {"COOKIE_DOMAIN", c.cookie_domain},
      {"DATABASE_URL", MaskUrlPassword(c.database_url)},
      {"DB_POOL_SIZE", std::to_string(c.db_pool_size)},
      {"BLOCKING_THREADS", std::to_string(c.blocking_threads)},
      {"REDIS", c.redis.configured ? (c.redis.cluster_nodes.empty() ? "single" : "cluster") : "(none: in-process cache only)"},
      {"REDIS_HOST", c.redis.host},
      {"REDIS_PORT", std::to_string(c.redis.port)},
      {"REDIS_USERNAME", c.redis.username},
      {"REDIS_PASSWORD", secret(c.redis.password)},
      {"REDIS_DB", std::to_string(c.redis.db)},
      {"REDIS_TLS", c.redis.tls ? "true" : "false"},
      {"REDIS_CLUSTER_NODES", cluster},
      {"CACHE_PREFIX", c.cache_prefix},
      {"CACHE_L1_MAX_BYTES", std::to_string(c.cache_l1_max_bytes)},
      {"CACHE_L1_MAX_AGE_MS", std::to_string(c.cache_l1_max_age_ms)},
      {"CACHE_L1_HEARTBEAT_MS", std::to_string(c.cache_l1_heartbeat_ms)},
      {"REDIS_TIMEOUT_MS", std::to_string(c.redis_timeout_ms)},
      {"IAM_INSTANCE_NAME", c.instance_name.empty() ? "(host:port)" : c.instance_name},
      {"CACHE_INSTANCE_HEARTBEAT_MS", std::to_string(c.cache_instance_heartbeat_ms)},
      {"CACHE_FAILSAFE_MAX_AGE_S", std::to_string(c.cache_failsafe_max_age_s)},
      {"CACHE_SWR_WINDOW_S", std::to_string(c.cache_swr_window_s)},
      {"CACHE_XFETCH_BETA", fmt::format("{}", c.cache_xfetch_beta)},
      {"CACHE_LOCK_TTL_MS", std::to_string(c.cache_lock_ttl_ms)},
      {"CACHE_REFRESH_AHEAD_MIN_READS", std::to_string(c.cache_refresh_ahead_min_reads)},
      {"CACHE_REFRESH_AHEAD_DEBOUNCE_MS", std::to_string(c.cache_refresh_ahead_debounce_ms)},
      {"CACHE_TTL_KPIS", std::to_string(c.ttl.kpis)},
      {"CACHE_TTL_FINANCIAL", std::to_string(c.ttl.financial)},
      {"CACHE_TTL_PRODUCTOS", std::to_string(c.ttl.productos)},
      {"CACHE_TTL_EMPRESA", std::to_string(c.ttl.empresa)},
      {"CACHE_TTL_USUARIO", std::to_string(c.ttl.usuario)},
      {"CACHE_TTL_CONFIG", std::to_string(c.ttl.config)},
      {"CACHE_TTL_PREDICTIVE", std::to_string(c.ttl.predictive)},
      {"CACHE_TTL_SESSION", std::to_string(c.ttl.session)},
      {"METRICS_TOKEN", secret(c.metrics_token)},
      {"ALERT_HIT_RATE_MIN", fmt::format("{}", c.alert_hit_rate_min)},
      {"ALERT_P95_MS", fmt::format("{}", c.alert_p95_ms)},
      {"ALERT_REDIS_ERROR_RATE", fmt::format("{}", c.alert_redis_error_rate)},
      {"ALERT_REDIS_MEMORY_MB", fmt::format("{}", c.alert_redis_memory_mb)},
      {"ALERT_WINDOW_S", std::to_string(c.alert_window_s)},
      {"ALERT_INTERVAL_MS", std::to_string(c.alert_interval_ms)},
      {"ALERT_MIN_SAMPLES", std::to_string(c.alert_min_samples)},
      {"ALERT_WEBHOOK_URL", c.alert_webhook_url.empty() ? "(unset)" : MaskWebhookUrl(c.alert_webhook_url)},
      {"ALERT_WEBHOOK_TIMEOUT_MS", std::to_string(c.alert_webhook_timeout_ms)},
      {"ALERT_WEBHOOK_ATTEMPTS", std::to_string(c.alert_webhook_attempts)},
      {"ALERT_WEBHOOK_CA_FILE", c.alert_webhook_ca_file.empty() ? "(system CAs)" : c.alert_webhook_ca_file},
      {"JWT_SECRET", c.jwt_secret_generated ? "**** (generated at start-up: development only)" : secret(c.jwt_secret)},
      {"JWT_EXPIRES_IN", std::to_string(c.jwt_expires_in_s) + "s"},
      {"JWT_ISSUER", c.jwt_issuer},
      {"JWT_AUDIENCE", c.jwt_audience},
      {"LOG_FORMAT", c.log_format},
      {"LOG_LEVEL", c.log_level},
  };
}

Result<VarMap> ParseDotEnv(std::string_view text) {
  VarMap out;
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    line.erase(0, line.find_first_not_of(" \t"));
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("export ")) line.erase(0, 7);
    auto eq = line.find('=');
    std::string key = line.substr(0, eq == std::string::npos ? 0 : eq);
    key.erase(key.find_last_not_of(" \t") + 1);
    bool key_ok = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char ch) {
      return std::isalnum(ch) || ch == '_';
    });
    if (eq == std::string::npos || !key_ok)
      return Fail(Error::InvalidArgument(fmt::format(".env line {}: expected KEY=VALUE", line_no), "CONFIG_ERROR"));
    std::string value = line.substr(eq + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      auto close = value.find(value[0], 1);
      if (close == std::string::npos)
        return Fail(Error::InvalidArgument(fmt::format(".env line {}: unterminated quote", line_no), "CONFIG_ERROR"));
      value = value.substr(1, close - 1);
    } else {
      if (auto hash = value.find(" #"); hash != std::string::npos) value.erase(hash);
      value.erase(value.find_last_not_of(" \t") + 1);
    }
    out[key] = value;
  }
  return out;
}

}  // namespace iam::app
