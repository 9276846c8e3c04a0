// RemoteTier: the shared cache tier (L2, Redis) as the Cache sees it. Implementations bound every
// call by a short timeout and fail with kUnavailable instead of waiting (at once while a circuit
// breaker is open), so callers treat a failure as a miss at little cost.
// Keys carry the tenant and a per-tenant generation kept in the tier itself: Invalidate(tenant)
// advances it, after which no entry written under an older generation is ever returned.
// Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cache/category.hpp"
#include "cache/memory_tier.hpp"
#include "domain/entities.hpp"
#include "domain/error.hpp"

namespace iam::cache {

struct RemoteLookup {
  std::string generation;  // the tenant's current generation in the tier
  Value value;             // nullptr: no entry under it
};

// Upper bounds (microseconds) of the Redis latency histogram buckets; one more bucket is +Inf.
inline constexpr std::array<double, 10> kLatencyBucketsUs = {100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000};

// The instances sharing a tier (instance_registry.hpp). A record is "<beat ms>:<lapse ms>:<token>":
// the last beat by the tier's clock, how long its owner may stay silent, and a random token of the
// owning process.
struct InstanceRecord {
  std::string name;
  std::string token;
};

// What a heartbeat found (RemoteTier::Heartbeat).
struct InstanceHeartbeat {
  std::optional<std::string> previous_token;  // this name's record before the beat (none: absent)
  bool previous_lapsed = false;               // ... and it was older than its own lapse
  std::vector<InstanceRecord> lapsed;         // other records older than their own lapse (left in place)
};

struct RemoteStatus {
  bool configured = false;
  bool connected = false;
  std::string breaker = "closed";  // closed | open | half-open
  std::uint64_t breaker_opened = 0, rejected = 0, timeouts = 0, errors = 0, commands = 0;
  std::optional<std::string> used_memory_human;  // filled by Status(), when reachable
  std::optional<std::int64_t> used_memory_bytes;  // INFO memory `used_memory`, when reachable
  std::optional<std::int64_t> keys;               // DBSIZE
  // Latency of commands that got an answer, in microseconds.
  double latency_p50_us = 0, latency_p95_us = 0, latency_p99_us = 0;
  std::array<std::uint64_t, kLatencyBucketsUs.size() + 1> latency_counts{};  // per bucket, not cumulative
  double latency_sum_us = 0;
};

class RemoteTier {
 public:
  virtual ~RemoteTier() = default;
  virtual bool Connected() const = 0;  // a connection is up right now (no I/O)
  // The entry of (tenant, category, variant) under the tenant's current generation.
  virtual boost::asio::awaitable<Result<RemoteLookup>> Get(domain::Id tenant, Category c,
                                                           std::string_view variant) = 0;
  // Stores under `generation` (from an earlier Get) with the TTL; a stale generation makes the
  // entry unreachable, never wrong.
  virtual boost::asio::awaitable<Result<void>> Put(domain::Id tenant, Category c, std::string_view generation,
                                                   std::string_view variant, const std::string& value,
                                                   std::chrono::seconds ttl) = 0;
  virtual boost::asio::awaitable<Result<void>> Invalidate(std::span<const domain::Id> tenants) = 0;
  // Cross-instance stampede protection: a short lock on the entry of (tenant, category,
  // generation, variant), on the tenant's slot, that expires by itself after `ttl`. true: taken by
  // this `token`; false: someone else holds it.
  virtual boost::asio::awaitable<Result<bool>> TryLock(domain::Id tenant, Category c, std::string_view generation,
                                                       std::string_view variant, std::string_view token,
                                                       std::chrono::milliseconds ttl) = 0;
  // Releases the lock if `token` still holds it (an expired lock retaken by another is left alone).
  virtual boost::asio::awaitable<Result<void>> Unlock(domain::Id tenant, Category c, std::string_view generation,
                                                      std::string_view variant, std::string_view token) = 0;
  // Deletes this application's keys of one tenant, or every key under the prefix (never FLUSHDB).
  virtual boost::asio::awaitable<Result<std::uint64_t>> Clear(std::optional<domain::Id> tenant) = 0;
  virtual boost::asio::awaitable<RemoteStatus> Status() = 0;

  // The instances sharing this tier (instance_registry.hpp): records this beat of `instance` by the
  // tier's clock, with `token` and `lapse_after`, and reports every other record silent for longer
  // than its own lapse.
  virtual boost::asio::awaitable<Result<InstanceHeartbeat>> Heartbeat(std::string_view instance,
                                                                      std::string_view token,
                                                                      std::chrono::milliseconds lapse_after) = 0;
  // Removes the record of `instance` if it still carries `token` (a lapsed one once acted on, or
  // this process's own at a clean stop); a record rewritten by a newer process stays.
  virtual boost::asio::awaitable<Result<void>> Forget(std::string_view instance, std::string_view token) = 0;
};

}  // namespace iam::cache
