#include "cache/redis_tier.hpp"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>

namespace iam::cache {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kRecent = 2048;

// A generation that does not exist (never written, expired, or evicted) is created from Redis's
// clock, "<seconds><microseconds>", never from 0: counting again from a small number could reach
// an entry written under that number before the key disappeared. INCRs add 1 per write, so a
// generation made later from the clock is always larger than any earlier one (that would take
// more than one write per microsecond), and no value is ever reused.
constexpr std::string_view kFreshGeneration = R"(local function fresh()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
)";

// KEYS[1] = generation key; ARGV[1] = "<tag><category>:", ARGV[2] = ":<variant>", ARGV[3] =
// generation TTL (s). Returns {generation, value or nil}. The entry key is built here because it
// depends on the generation; it shares KEYS[1]'s hash tag, so it is on the same cluster slot.
const std::string kLookupScript = std::string(kFreshGeneration) + R"(local g = redis.call('GET', KEYS[1])
if not g then
  g = fresh()
  redis.call('SET', KEYS[1], g, 'EX', ARGV[3])
end
return {g, redis.call('GET', ARGV[1] .. g .. ARGV[2])})";

// KEYS[1] = generation key; ARGV[1] = generation TTL (s). Advances the generation.
const std::string kBumpScript = std::string(kFreshGeneration) + R"(if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], fresh())
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1)";

std::string Sha1Hex(std::string_view s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

Error Unexpected(std::string_view what) { return RedisError("redis_protocol", std::string(what)); }

}  // namespace

RedisTier::RedisTier(RedisClient& client, std::string prefix, std::chrono::seconds generation_ttl,
                     CircuitBreakerOptions breaker)
    : client_(client),
      prefix_(std::move(prefix)),
      generation_ttl_(generation_ttl),
      breaker_(breaker),
      lookup_sha_(Sha1Hex(kLookupScript)) {
  recent_us_.reserve(kRecent);
}

std::string RedisTier::TenantTag(domain::Id tenant) const { return fmt::format("{}:{{t{}}}:", prefix_, tenant); }
std::string RedisTier::GenerationKey(domain::Id tenant) const { return TenantTag(tenant) + "gen"; }
std::string RedisTier::EntryKey(domain::Id tenant, Category c, std::string_view generation,
                                std::string_view variant) const {
  return fmt::format("{}{}:{}:{}", TenantTag(tenant), CategoryName(c), generation, variant);
}

std::string RedisTier::LockKey(domain::Id tenant, Category c, std::string_view generation,
                               std::string_view variant) const {
  return fmt::format("{}lock:{}:{}:{}", TenantTag(tenant), CategoryName(c), generation, variant);
}

asio::awaitable<Result<bool>> RedisTier::TryLock(domain::Id tenant, Category c, std::string_view generation,
                                                 std::string_view variant, std::string_view token,
                                                 std::chrono::milliseconds ttl) {
  std::vector<std::string> args{"SET", LockKey(tenant, c, generation, variant), std::string(token), "NX", "PX",
                                std::to_string(std::max<std::int64_t>(1, ttl.count()))};
  auto r = co_await Call(std::move(args));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  if (r->IsNil()) co_return false;
  if (r->IsStatus("OK")) co_return true;
  co_return Fail(Unexpected("unexpected SET NX reply"));
}

asio::awaitable<Result<void>> RedisTier::Unlock(domain::Id tenant, Category c, std::string_view generation,
                                                std::string_view variant, std::string_view token) {
  static const std::string kUnlockScript =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
  std::vector<std::string> args{"EVAL", kUnlockScript, "1", LockKey(tenant, c, generation, variant),
                                std::string(token)};
  auto r = co_await Call(std::move(args));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  co_return Result<void>{};
}

void RedisTier::Record(std::chrono::steady_clock::duration took) {
  const double us = std::chrono::duration<double, std::micro>(took).count();
  std::lock_guard lock(latency_mu_);
  std::size_t b = 0;
  while (b < kLatencyBucketsUs.size() && us > kLatencyBucketsUs[b]) ++b;
  ++latency_counts_[b];
  latency_sum_us_ += us;
  if (recent_us_.size() < kRecent) recent_us_.push_back(us);
  else recent_us_[recent_next_] = us;
  recent_next_ = (recent_next_ + 1) % kRecent;
}

asio::awaitable<Result<RedisReply>> RedisTier::Call(std::vector<std::string> args) {
  if (!breaker_.Allow()) co_return Fail(RedisError("redis_breaker_open", "Redis circuit breaker open"));
  const auto start = std::chrono::steady_clock::now();
  auto r = co_await client_.Execute(std::move(args));
  if (!r) {
    breaker_.RecordFailure();
    errors_.fetch_add(1, std::memory_order_relaxed);
    co_return r;
  }
  breaker_.RecordSuccess();  // an error reply is an answer: Redis is up
  Record(std::chrono::steady_clock::now() - start);
  if (r->IsError()) errors_.fetch_add(1, std::memory_order_relaxed);
  co_return r;
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisTier::CallPipeline(std::vector<std::vector<std::string>> cmds) {
  if (!breaker_.Allow()) co_return Fail(RedisError("redis_breaker_open", "Redis circuit breaker open"));
  const auto start = std::chrono::steady_clock::now();
  auto r = co_await client_.ExecutePipeline(std::move(cmds));
  if (!r) {
    breaker_.RecordFailure();
    errors_.fetch_add(1, std::memory_order_relaxed);
    co_return r;
  }
  breaker_.RecordSuccess();
  Record(std::chrono::steady_clock::now() - start);
  co_return r;
}

asio::awaitable<Result<RemoteLookup>> RedisTier::Get(domain::Id tenant, Category c, std::string_view variant) {
  std::vector<std::string> args{"EVALSHA", lookup_sha_, "1", GenerationKey(tenant),
                                fmt::format("{}{}:", TenantTag(tenant), CategoryName(c)), fmt::format(":{}", variant),
                                std::to_string(generation_ttl_.count())};
  auto r = co_await Call(args);
  if (r && r->IsError() && r->str.starts_with("NOSCRIPT")) {
    args[0] = "EVAL";
    args[1] = kLookupScript;
    r = co_await Call(std::move(args));
  }
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  if (r->type != RedisReply::Type::kArray || r->elements.size() != 2 || !r->elements[0].IsString())
    co_return Fail(Unexpected("unexpected lookup reply"));
  RemoteLookup out;
  out.generation = std::move(r->elements[0].str);
  if (r->elements[1].IsString()) out.value = std::make_shared<const std::string>(std::move(r->elements[1].str));
  co_return out;
}

asio::awaitable<Result<void>> RedisTier::Put(domain::Id tenant, Category c, std::string_view generation,
                                             std::string_view variant, const std::string& value,
                                             std::chrono::seconds ttl) {
  // Named vectors, not braced arguments: g++ 12 rejects string literals in a braced argument of a
  // coroutine call ("array used as initializer").
  std::vector<std::string> set{"SET", EntryKey(tenant, c, generation, variant), value, "EX", std::to_string(ttl.count())};
  auto r = co_await Call(std::move(set));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  co_return Result<void>{};
}

asio::awaitable<Result<void>> RedisTier::Invalidate(std::span<const domain::Id> tenants) {
  if (tenants.empty()) co_return Result<void>{};
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(tenants.size());
  for (domain::Id t : tenants)
    cmds.push_back(std::vector<std::string>{"EVAL", kBumpScript, "1", GenerationKey(t),
                                            std::to_string(generation_ttl_.count())});
  auto r = co_await CallPipeline(std::move(cmds));
  if (!r) co_return Fail(r.error());
  for (const RedisReply& reply : *r)
    if (reply.IsError()) co_return Fail(RedisError("redis_error", reply.str));
  co_return Result<void>{};
}

// Admin only (never on a request's hot path): SCAN for this application's keys of the tenant (or
// all of them) and delete them, keeping generation keys, whose values must only grow.
asio::awaitable<Result<std::uint64_t>> RedisTier::Clear(std::optional<domain::Id> tenant) {
  const std::string pattern = tenant ? TenantTag(*tenant) + "*" : prefix_ + ":*";
  std::string cursor = "0";
  std::uint64_t deleted = 0;
  do {
    std::vector<std::string> scan{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
    auto r = co_await Call(std::move(scan));
    if (!r) co_return Fail(r.error());
    if (r->type != RedisReply::Type::kArray || r->elements.size() != 2) co_return Fail(Unexpected("unexpected SCAN reply"));
    cursor = r->elements[0].str;
    std::vector<std::string> del{"UNLINK"};
    for (const RedisReply& k : r->elements[1].elements)
      if (!k.str.ends_with(":gen")) del.push_back(k.str);
    if (del.size() > 1) {
      auto d = co_await Call(std::move(del));
      if (!d) co_return Fail(d.error());
      deleted += static_cast<std::uint64_t>(d->integer);
    }
  } while (cursor != "0");
  co_return deleted;
}

asio::awaitable<RemoteStatus> RedisTier::Status() {
  RemoteStatus s;
  s.configured = true;
  s.connected = client_.Connected();
  s.breaker = std::string(CircuitStateName(breaker_.state()));
  s.breaker_opened = breaker_.times_opened();
  s.rejected = breaker_.rejected();
  const RedisClientStats cs = client_.Stats();
  s.timeouts = cs.timeouts;
  s.commands = cs.commands;
  s.errors = errors_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(latency_mu_);
    s.latency_counts = latency_counts_;
    s.latency_sum_us = latency_sum_us_;
    s.latency_p50_us = Percentile(recent_us_, 0.50);
    s.latency_p95_us = Percentile(recent_us_, 0.95);
    s.latency_p99_us = Percentile(recent_us_, 0.99);
  }
  if (s.connected) {
    std::vector<std::string> info_cmd{"INFO", "memory"}, dbsize{"DBSIZE"};
    if (auto info = co_await Call(std::move(info_cmd)); info && info->IsString()) {
      constexpr std::string_view kField = "used_memory_human:";
      if (auto at = info->str.find(kField); at != std::string::npos) {
        auto end = info->str.find_first_of("\r\n", at);
        s.used_memory_human = info->str.substr(at + kField.size(), end - at - kField.size());
      }
    }
    if (auto n = co_await Call(std::move(dbsize)); n && n->type == RedisReply::Type::kInteger) s.keys = n->integer;
  }
  co_return s;
}

}  // namespace iam::cache
