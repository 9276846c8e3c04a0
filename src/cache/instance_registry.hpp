// InstanceRegistry: lets the IAM instances sharing a Redis notice one that stopped without saying
// so. A process killed between a write's commit and its Redis invalidation (SIGKILL, OOM, a lost
// host), or during an outage with bumps still pending, leaves L2 entries from before the write
// servable until their TTL; nobody else knows which tenants it wrote to, so every tenant is
// invalidated instead.
//
// Each instance beats its name into the tier every `interval` (RemoteTier::Heartbeat, by Redis's
// clock). `invalidate_all` runs when
//   * the first beat finds this instance's own name still there: the previous process under that
//     name never deregistered (a stable name, e.g. host:port, makes a restart exact);
//   * a beat finds another instance silent for longer than `lapse_after` (its record is removed,
//     so one instance acts on it). The bound on serving such stale entries is then lapse_after
//     plus an interval.
// Until the first beat has answered and any invalidation it called for is done, `on_ready` has
// not run: the Cache keeps L2 closed meanwhile (CacheOptions::remote_starts_closed). An
// invalidation that fails (returns false: the tenant list could not be read) is retried on the
// next beat. Leave() is the clean stop: it deregisters, but only once no invalidation is owed or
// pending, so a process that could not tell Redis everything is treated as killed.
//
// Start() and Leave() from any thread; the loop runs on `executor`. Must outlive the loop (Leave
// ends it).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "cache/remote_tier.hpp"

namespace iam::cache {

struct InstanceRegistryOptions {
  std::string name;  // unique among running instances; stable across restarts of one
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds lapse_after{20000};
};

class InstanceRegistry {
 public:
  struct Callbacks {
    // Invalidates every tenant (L2 and L1); false when it could not (retried on the next beat).
    std::function<boost::asio::awaitable<bool>()> invalidate_all;
    std::function<void()> on_ready;  // once: L2 may be used
    // Whether bumps from an outage are still unsent (the Cache's SettlePending); Leave asks it.
    std::function<boost::asio::awaitable<bool>()> settle_pending;
    // Awaited once before the first beat (optional): `iam serve` waits, bounded, for its Redis
    // connection, so that the first beat is not lost to a connection still being set up.
    std::function<boost::asio::awaitable<void>()> before_first_beat;
    // Once, when the first beat has been tried (answered or failed, bounded by the tier's command
    // timeout) and the invalidation it called for has run: `iam serve` starts accepting then, so
    // its first requests find L2 already open in the common case.
    std::function<void()> on_first_beat;
  };

  InstanceRegistry(boost::asio::any_io_executor executor, RemoteTier& tier, InstanceRegistryOptions options,
                   Callbacks callbacks);

  void Start();
  // Stops the beats and deregisters when nothing is owed; true when it deregistered.
  boost::asio::awaitable<bool> Leave();

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  // Unclean stops noticed so far (own predecessor and lapsed others).
  std::uint64_t unclean_stops_seen() const { return unclean_seen_.load(std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<void> Beat();
  boost::asio::awaitable<void> TryBeat();

  boost::asio::any_io_executor executor_;
  RemoteTier& tier_;
  const InstanceRegistryOptions options_;
  Callbacks callbacks_;
  boost::asio::steady_timer timer_;
  bool first_beat_done_ = false;  // loop-only state: a beat was answered
  bool first_beat_tried_ = false;
  bool invalidation_owed_ = false;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> loop_done_{false};
  std::atomic<std::uint64_t> unclean_seen_{0};
};

}  // namespace iam::cache
