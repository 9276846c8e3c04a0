#include "cache/redis_tier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "cache/redis_error.hpp"
#include "cache/redis_slot.hpp"

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

// KEYS[1] = generation key; ARGV[1] = generation TTL (s). Returns the tenant's generation,
// creating it when it does not exist. Only run when a lookup found no generation (rare: a tenant's
// first read, or its generation key expired): the common lookup is a plain MGET.
const std::string kEnsureGenerationScript = std::string(kFreshGeneration) + R"(local g = redis.call('GET', KEYS[1])
if not g then
  g = fresh()
  redis.call('SET', KEYS[1], g, 'EX', ARGV[1])
end
return g)";

// KEYS[1] = generation key; ARGV[1] = generation TTL (s). Advances the generation.
const std::string kBumpScript = std::string(kFreshGeneration) + R"(if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], fresh())
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1)";

// Instance records, "<beat ms>:<lapse ms>:<token>"; lapsed when older than their own lapse, or
// not of that form (written by hand). Redis's clock, so hosts need not agree on the time.
constexpr std::string_view kLapsedFunction = R"(local function lapsed(v, now)
  local beat, lapse = string.match(v, '^(%d+):(%d+):')
  return beat == nil or now - tonumber(beat) > tonumber(lapse)
end
)";

// KEYS[1] = instances hash; ARGV[1] = this instance, ARGV[2] = its token, ARGV[3] = its lapse (ms),
// ARGV[4] = key TTL (s). Returns {previous record of this instance or "", previous lapsed (0/1),
// name, record, name, record...} for every other lapsed instance (not removed: see Forget).
const std::string kHeartbeatScript = std::string(kLapsedFunction) + R"(local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prev = redis.call('HGET', KEYS[1], ARGV[1])
local out = {prev or '', (prev and lapsed(prev, now)) and 1 or 0}
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d:%d:%s', now, tonumber(ARGV[3]), ARGV[2]))
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] and lapsed(all[i + 1], now) then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), math.ceil(2 * tonumber(ARGV[3]) / 1000) + 1))
return out)";

// KEYS[1] = instances hash; ARGV[1] = instance, ARGV[2] = token. Deletes the record if it carries the token.
const std::string kForgetScript = R"(local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.match(v, ':([^:]*)$') == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0)";

// The token of a record ("" when malformed).
std::string RecordToken(std::string_view record) {
  const auto colon = record.rfind(':');
  return colon == std::string_view::npos ? std::string() : std::string(record.substr(colon + 1));
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// As Redis prints used_memory_human: "1.02M", "845.50K", "12B".
std::string HumanBytes(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f}G", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt::format("{:.2f}M", b / (1024.0 * 1024));
  if (b >= 1024.0) return fmt::format("{:.2f}K", b / 1024.0);
  return fmt::format("{}B", bytes);
}

Error Unexpected(std::string_view what) { return RedisError("redis_protocol", std::string(what)); }

}  // namespace

RedisTier::RedisTier(RedisCommands& client, std::string prefix, std::chrono::seconds generation_ttl,
                     CircuitBreakerOptions breaker)
    : client_(client),
      prefix_(std::move(prefix)),
      generation_ttl_(generation_ttl),
      breaker_options_(breaker) {
  recent_us_.reserve(kRecent);
}

std::string RedisTier::TenantTag(domain::Id tenant) const { return fmt::format("{}:{{t{}}}:", prefix_, tenant); }
std::string RedisTier::GenerationKey(domain::Id tenant) const { return TenantTag(tenant) + "gen"; }
std::string RedisTier::EntryKey(domain::Id tenant, Category c, std::string_view variant) const {
  return fmt::format("{}{}:{}", TenantTag(tenant), CategoryName(c), variant);
}

std::string RedisTier::EntryValue(std::string_view generation, std::string_view value) {
  std::string out;
  out.reserve(generation.size() + 1 + value.size());
  out.append(generation).append(1, '\n').append(value);
  return out;
}

std::string RedisTier::LockKey(domain::Id tenant, Category c, std::string_view generation,
                               std::string_view variant) const {
  return fmt::format("{}lock:{}:{}:{}", TenantTag(tenant), CategoryName(c), generation, variant);
}

std::string RedisTier::InstancesKey() const { return prefix_ + ":instances"; }

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

CircuitBreaker& RedisTier::BreakerFor(const std::string& node) {
  std::lock_guard lock(breakers_mu_);
  auto& b = breakers_[node];
  if (!b) b = std::make_unique<CircuitBreaker>(breaker_options_);
  return *b;
}

namespace {
Error BreakerOpen(const std::string& node) {
  return RedisError("redis_breaker_open", "Redis circuit breaker open" + (node.empty() ? "" : " for " + node));
}
}  // namespace

asio::awaitable<Result<RedisReply>> RedisTier::Call(std::vector<std::string> args) {
  auto key = RedisCommandKey(args);
  const std::string node = key ? client_.NodeFor(*key) : std::string();
  CircuitBreaker& breaker = BreakerFor(node);
  if (!breaker.Allow()) co_return Fail(BreakerOpen(node));
  const auto start = std::chrono::steady_clock::now();
  co_return Answered(breaker, co_await client_.Execute(std::move(args)), start);
}

asio::awaitable<Result<RedisReply>> RedisTier::CallOn(const std::string& node, std::vector<std::string> args) {
  CircuitBreaker& breaker = BreakerFor(node);
  if (!breaker.Allow()) co_return Fail(BreakerOpen(node));
  const auto start = std::chrono::steady_clock::now();
  co_return Answered(breaker, co_await client_.ExecuteOn(node, std::move(args)), start);
}

Result<RedisReply> RedisTier::Answered(CircuitBreaker& breaker, Result<RedisReply> r,
                                       std::chrono::steady_clock::time_point start) {
  if (!r) {
    breaker.RecordFailure();
    errors_.fetch_add(1, std::memory_order_relaxed);
    return r;
  }
  breaker.RecordSuccess();  // an error reply is an answer: Redis is up
  Record(std::chrono::steady_clock::now() - start);
  if (r->IsError()) errors_.fetch_add(1, std::memory_order_relaxed);
  return r;
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisTier::CallPipeline(std::vector<std::vector<std::string>> cmds) {
  std::string node;
  for (const auto& c : cmds)
    if (auto key = RedisCommandKey(c)) {
      node = client_.NodeFor(*key);
      break;
    }
  CircuitBreaker& breaker = BreakerFor(node);
  if (!breaker.Allow()) co_return Fail(BreakerOpen(node));
  const auto start = std::chrono::steady_clock::now();
  auto r = co_await client_.ExecutePipeline(std::move(cmds));
  if (!r) {
    breaker.RecordFailure();
    errors_.fetch_add(1, std::memory_order_relaxed);
    co_return r;
  }
  breaker.RecordSuccess();
  Record(std::chrono::steady_clock::now() - start);
  co_return r;
}

asio::awaitable<Result<RemoteLookup>> RedisTier::Get(domain::Id tenant, Category c, std::string_view variant) {
  // One MGET of the generation and the entry (same hash tag: one slot, one atomic read). The entry
  // is served only if it was stored under that generation.
  std::vector<std::string> mget{"MGET", GenerationKey(tenant), EntryKey(tenant, c, variant)};
  auto r = co_await Call(std::move(mget));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  if (r->type != RedisReply::Type::kArray || r->elements.size() != 2)
    co_return Fail(Unexpected("unexpected lookup reply"));
  RemoteLookup out;
  if (!r->elements[0].IsString()) {
    // No generation (a tenant's first read, or its key expired): create one. Nothing stored can
    // carry it yet, so this is a miss.
    auto g = co_await EnsureGeneration(tenant);
    if (!g) co_return Fail(g.error());
    out.generation = std::move(*g);
    co_return out;
  }
  out.generation = std::move(r->elements[0].str);
  if (RedisReply& entry = r->elements[1]; entry.IsString()) {
    const std::string_view stored = entry.str;
    if (stored.size() > out.generation.size() && stored.starts_with(out.generation) &&
        stored[out.generation.size()] == '\n') {
      entry.str.erase(0, out.generation.size() + 1);
      out.value = std::make_shared<const std::string>(std::move(entry.str));
    }
  }
  co_return out;
}

asio::awaitable<Result<std::string>> RedisTier::EnsureGeneration(domain::Id tenant) {
  // The script is sent whole, as the other (rare) scripts are: no per-node script cache to
  // warm or lose (SCRIPT FLUSH, a new master after a failover).
  std::vector<std::string> args{"EVAL", kEnsureGenerationScript, "1", GenerationKey(tenant),
                                std::to_string(generation_ttl_.count())};
  auto r = co_await Call(std::move(args));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  if (!r->IsString()) co_return Fail(Unexpected("unexpected generation reply"));
  co_return std::move(r->str);
}

asio::awaitable<Result<void>> RedisTier::Put(domain::Id tenant, Category c, std::string_view generation,
                                             std::string_view variant, const std::string& value,
                                             std::chrono::seconds ttl) {
  // Named vectors, not braced arguments: g++ 12 rejects string literals in a braced argument of a
  // coroutine call ("array used as initializer").
  // The value carries the generation it was computed under: a later lookup serves it only while
  // that is still the tenant's generation, so a late store from before a write is never served.
  std::vector<std::string> set{"SET", EntryKey(tenant, c, variant), EntryValue(generation, value), "EX",
                               std::to_string(ttl.count())};
  auto r = co_await Call(std::move(set));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  co_return Result<void>{};
}

asio::awaitable<Result<void>> RedisTier::Invalidate(std::span<const domain::Id> tenants) {
  if (tenants.empty()) co_return Result<void>{};
  // One pipeline on one server; on a cluster one per slot (a pipeline may not span slots).
  std::map<int, std::vector<std::vector<std::string>>> by_slot;
  for (domain::Id t : tenants) {
    std::string key = GenerationKey(t);
    const int slot = client_.clustered() ? RedisKeySlot(key) : 0;
    by_slot[slot].push_back(std::vector<std::string>{"EVAL", kBumpScript, "1", std::move(key),
                                                     std::to_string(generation_ttl_.count())});
  }
  for (auto& [slot, cmds] : by_slot) {
    auto r = co_await CallPipeline(std::move(cmds));
    if (!r) co_return Fail(r.error());
    for (const RedisReply& reply : *r)
      if (reply.IsError()) co_return Fail(RedisError("redis_error", reply.str));
  }
  co_return Result<void>{};
}

asio::awaitable<Result<InstanceHeartbeat>> RedisTier::Heartbeat(std::string_view instance, std::string_view token,
                                                                std::chrono::milliseconds lapse_after) {
  std::vector<std::string> args{"EVAL",
                                kHeartbeatScript,
                                "1",
                                InstancesKey(),
                                std::string(instance),
                                std::string(token),
                                std::to_string(lapse_after.count()),
                                std::to_string(generation_ttl_.count())};
  auto r = co_await Call(std::move(args));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  if (r->type != RedisReply::Type::kArray || r->elements.size() < 2 || r->elements.size() % 2 != 0)
    co_return Fail(RedisError("redis_error", "unexpected heartbeat reply " + DescribeRedisReply(*r)));
  InstanceHeartbeat beat;
  if (!r->elements[0].str.empty()) beat.previous_token = RecordToken(r->elements[0].str);
  beat.previous_lapsed = r->elements[1].integer == 1;
  for (std::size_t i = 2; i + 1 < r->elements.size(); i += 2)
    beat.lapsed.push_back({r->elements[i].str, RecordToken(r->elements[i + 1].str)});
  co_return beat;
}

asio::awaitable<Result<void>> RedisTier::Forget(std::string_view instance, std::string_view token) {
  std::vector<std::string> args{"EVAL", kForgetScript, "1", InstancesKey(), std::string(instance), std::string(token)};
  auto r = co_await Call(std::move(args));
  if (!r) co_return Fail(r.error());
  if (r->IsError()) co_return Fail(RedisError("redis_error", r->str));
  co_return Result<void>{};
}

// Admin only (never on a request's hot path): SCAN every master for this application's keys of the
// tenant (or all of them) and delete them, keeping generation keys, whose values must only grow.
// Deletions go by slot (UNLINK of keys in several slots fails on a cluster).
asio::awaitable<Result<std::uint64_t>> RedisTier::Clear(std::optional<domain::Id> tenant) {
  const std::string pattern = tenant ? TenantTag(*tenant) + "*" : prefix_ + ":*";
  const std::vector<std::string> nodes = client_.Nodes();
  if (nodes.empty()) co_return Fail(RedisError(kRedisUnavailable, "redis: no node known yet"));
  std::uint64_t deleted = 0;
  for (const std::string& node : nodes) {
    std::string cursor = "0";
    do {
      std::vector<std::string> scan{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
      auto r = co_await CallOn(node, std::move(scan));
      if (!r) co_return Fail(r.error());
      if (r->type != RedisReply::Type::kArray || r->elements.size() != 2)
        co_return Fail(Unexpected("unexpected SCAN reply"));
      cursor = r->elements[0].str;
      std::map<int, std::vector<std::string>> by_slot;
      for (const RedisReply& k : r->elements[1].elements) {
        if (k.str.ends_with(":gen")) continue;
        auto& del = by_slot[RedisKeySlot(k.str)];
        if (del.empty()) del.push_back("UNLINK");
        del.push_back(k.str);
      }
      for (auto& [slot, del] : by_slot) {
        auto d = co_await Call(std::move(del));
        if (!d) co_return Fail(d.error());
        if (d->IsError()) co_return Fail(RedisError("redis_error", d->str));
        deleted += static_cast<std::uint64_t>(d->integer);
      }
    } while (cursor != "0");
  }
  co_return deleted;
}

asio::awaitable<RemoteStatus> RedisTier::Status() {
  RemoteStatus s;
  s.configured = true;
  s.connected = client_.Connected();
  {
    // The worst state of any node's breaker; counts summed.
    std::lock_guard lock(breakers_mu_);
    auto worst = CircuitBreaker::State::kClosed;
    for (const auto& [node, b] : breakers_) {
      const auto st = b->state();
      if (st == CircuitBreaker::State::kOpen || (st == CircuitBreaker::State::kHalfOpen && worst == CircuitBreaker::State::kClosed))
        worst = st;
      s.breaker_opened += b->times_opened();
      s.rejected += b->rejected();
    }
    s.breaker = std::string(CircuitStateName(worst));
  }
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
    // Summed over every master (a cluster): keys from DBSIZE, memory from INFO's used_memory
    // (bytes); one server's used_memory_human as it prints it.
    const std::vector<std::string> nodes = client_.Nodes();
    std::int64_t keys = 0, used_bytes = 0;
    bool keys_ok = !nodes.empty(), memory_ok = !nodes.empty();
    std::string human;
    for (const std::string& node : nodes) {
      std::vector<std::string> info_cmd{"INFO", "memory"}, dbsize{"DBSIZE"};
      auto info = co_await CallOn(node, std::move(info_cmd));
      if (info && info->IsString()) {
        constexpr std::string_view kBytes = "\nused_memory:", kHuman = "used_memory_human:";
        auto at = info->str.find(kBytes);
        if (at != std::string::npos) used_bytes += std::atoll(info->str.c_str() + at + kBytes.size());
        else memory_ok = false;
        if (auto h = info->str.find(kHuman); h != std::string::npos) {
          auto end = info->str.find_first_of("\r\n", h);
          human = info->str.substr(h + kHuman.size(), end - h - kHuman.size());
        }
      } else {
        memory_ok = false;
      }
      auto n = co_await CallOn(node, std::move(dbsize));
      if (n && n->type == RedisReply::Type::kInteger) keys += n->integer;
      else keys_ok = false;
    }
    if (memory_ok) {
      s.used_memory_human = nodes.size() == 1 && !human.empty() ? human : HumanBytes(used_bytes);
      s.used_memory_bytes = used_bytes;
    }
    if (keys_ok) s.keys = keys;
  }
  co_return s;
}

}  // namespace iam::cache
