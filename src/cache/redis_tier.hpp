// RedisTier: the RemoteTier over Redis (RedisCommands: one server or a Redis Cluster), guarded by a
// CircuitBreaker.
//
// Key layout (every key starts with "<prefix>:" and carries the tenant as a hash tag, so all of a
// tenant's keys live in one Redis Cluster slot):
//   <prefix>:{t<tenant>}:gen                                  the tenant's generation (INCR)
//   <prefix>:{t<tenant>}:<category>:<variant>                 "<generation>\n<value>" (SET ... EX ttl)
//   <prefix>:{t<tenant>}:lock:<category>:<generation>:<variant>  stampede lock (SET NX PX, short)
//   <prefix>:instances                                        hash: instance name -> "<beat ms>:<lapse ms>:<token>"
// A lookup reads the generation and the entry in one MGET (both on the tenant's slot) and serves
// the entry only if it was stored under that generation; a store from before a write carries the
// older generation and is never served. Generation keys carry a TTL (twice the longest category TTL, refreshed on each
// write) to bound memory; a generation that is missing (expired, evicted) is recreated from
// Redis's microsecond clock, larger than any earlier value, so no generation is ever reused and
// no entry from before a write can be reached again. On a cluster, Clear() and Status() visit every
// master (SCAN, DBSIZE and INFO on each; deletions grouped by slot). Every call is bounded by the client's
// command timeout; while the breaker is open calls fail at once (kUnavailable). There is one
// breaker per Redis node (one in all for a single server): on a cluster, a master that is down
// does not stop the tenants of the others from using L2.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/circuit_breaker.hpp"
#include "cache/redis_commands.hpp"
#include "cache/remote_tier.hpp"

namespace iam::cache {

class RedisTier final : public RemoteTier {
 public:
  RedisTier(RedisCommands& client, std::string prefix, std::chrono::seconds generation_ttl,
            CircuitBreakerOptions breaker = {});

  bool Connected() const override { return client_.Connected(); }
  boost::asio::awaitable<Result<RemoteLookup>> Get(domain::Id tenant, Category c, std::string_view variant) override;
  boost::asio::awaitable<Result<void>> Put(domain::Id tenant, Category c, std::string_view generation,
                                           std::string_view variant, const std::string& value,
                                           std::chrono::seconds ttl) override;
  boost::asio::awaitable<Result<void>> Invalidate(std::span<const domain::Id> tenants) override;
  boost::asio::awaitable<Result<bool>> TryLock(domain::Id tenant, Category c, std::string_view generation,
                                               std::string_view variant, std::string_view token,
                                               std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<Result<void>> Unlock(domain::Id tenant, Category c, std::string_view generation,
                                              std::string_view variant, std::string_view token) override;
  boost::asio::awaitable<Result<std::uint64_t>> Clear(std::optional<domain::Id> tenant) override;
  boost::asio::awaitable<RemoteStatus> Status() override;
  boost::asio::awaitable<Result<InstanceHeartbeat>> Heartbeat(std::string_view instance, std::string_view token,
                                                              std::chrono::milliseconds lapse_after) override;
  boost::asio::awaitable<Result<void>> Forget(std::string_view instance, std::string_view token) override;

  // Key helpers (also for tests and tools).
  std::string TenantTag(domain::Id tenant) const;  // "<prefix>:{t<tenant>}:"
  std::string GenerationKey(domain::Id tenant) const;
  std::string EntryKey(domain::Id tenant, Category c, std::string_view variant) const;
  // What Put stores under EntryKey: "<generation>\n<value>".
  static std::string EntryValue(std::string_view generation, std::string_view value);
  std::string LockKey(domain::Id tenant, Category c, std::string_view generation, std::string_view variant) const;
  std::string InstancesKey() const;  // "<prefix>:instances"


 private:
  // One command / pipeline through the breaker of the node that serves it, timing answered calls.
  boost::asio::awaitable<Result<RedisReply>> Call(std::vector<std::string> args);
  // The same on one node of client_.Nodes() (keyless commands that must see every master).
  boost::asio::awaitable<Result<RedisReply>> CallOn(const std::string& node, std::vector<std::string> args);
  Result<RedisReply> Answered(CircuitBreaker& breaker, Result<RedisReply> r, std::chrono::steady_clock::time_point start);
  CircuitBreaker& BreakerFor(const std::string& node);
  boost::asio::awaitable<Result<std::vector<RedisReply>>> CallPipeline(std::vector<std::vector<std::string>> cmds);
  void Record(std::chrono::steady_clock::duration took);

  RedisCommands& client_;
  const std::string prefix_;
  const std::chrono::seconds generation_ttl_;
  const CircuitBreakerOptions breaker_options_;
  mutable std::mutex breakers_mu_;
  std::map<std::string, std::unique_ptr<CircuitBreaker>> breakers_;  // by node; never removed
  // Creates the tenant's generation if it does not exist; returns it.
  boost::asio::awaitable<Result<std::string>> EnsureGeneration(domain::Id tenant);

  std::atomic<std::uint64_t> errors_{0};

  mutable std::mutex latency_mu_;
  std::array<std::uint64_t, kLatencyBucketsUs.size() + 1> latency_counts_{};
  double latency_sum_us_ = 0;
  std::vector<double> recent_us_;  // ring of the last kRecent latencies, for percentiles
  std::size_t recent_next_ = 0;
};

}  // namespace iam::cache
