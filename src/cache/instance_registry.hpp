// InstanceRegistry: lets the IAM instances sharing a Redis notice one that stopped without saying
// so. A process killed between a write's commit and its Redis invalidation (SIGKILL, OOM, a lost
// host), or during an outage with bumps still pending, leaves L2 entries from before the write
// servable until their TTL; nobody knows which tenants it wrote to, so every tenant is invalidated
// instead.
//
// Each instance beats a record (its name, its own lapse, a random per-process token) into the tier
// every `interval` (RemoteTier::Heartbeat, by Redis's clock). `invalidate_all` runs when
//   * the first beat finds a record under this instance's name: the previous process under that
//     name never removed it (a stable name, e.g. host:port, makes a restart exact). A record that
//     is still fresh may also be a live instance misconfigured with the same name: logged;
//   * a beat finds another instance silent for longer than its own lapse. Its record is removed
//     (if not rewritten meanwhile) only once the invalidation is done, so every instance that sees
//     it acts until one has succeeded, and a restart under that name still finds it meanwhile.
// While an invalidation is owed, L2 is closed (`set_remote_open(false)`): at start-up until the
// first beat has been answered and nothing is owed; later, from the beat that finds a lapse until
// its invalidation is done. An invalidation that fails (false: the tenant list could not be read)
// is retried every beat. The bound on serving a killed instance's stale entries is thus its lapse
// plus one interval of the instance that notices, where nobody restarts under its name.
// Leave() is the clean stop: it removes this process's own record, but only when nothing is owed
// and no bump is pending, so a process that could not tell Redis everything counts as killed.
// Not covered: a process that was killed before any of its beats was answered (Redis unreachable
// for its whole life) leaves no record to find.
//
// Thread-safe; the loop and Leave run on a strand of `executor`. Must outlive the loop (Leave
// ends it; otherwise stop the executor first).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cache/remote_tier.hpp"

namespace iam::cache {

struct InstanceRegistryOptions {
  std::string name;  // unique among running instances; stable across restarts of one
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds lapse_after{20000};  // how long others wait before taking this one as killed
};

class InstanceRegistry {
 public:
  struct Callbacks {
    // Invalidates every tenant (L2 and L1); false when it could not (retried on the next beat).
    std::function<boost::asio::awaitable<bool>()> invalidate_all;
    // Opens or closes L2 for reads and stores (Cache::SetRemoteOpen).
    std::function<void(bool)> set_remote_open;
    // Whether the bumps remembered during an outage have all reached Redis (Cache::FlushPending).
    std::function<boost::asio::awaitable<bool>()> settle_pending;
    // Awaited once before the first beat (optional): `iam serve` waits, bounded, for its Redis
    // connection, so that the first beat is not lost to a connection still being set up.
    std::function<boost::asio::awaitable<void>()> before_first_beat;
    // Once, when the first beat has been tried (answered or failed, bounded by the tier's
    // command timeout): after L2 was opened if nothing is owed, before the invalidation
    // otherwise. `iam serve` starts accepting then.
    std::function<void()> on_first_beat;
  };

  InstanceRegistry(boost::asio::any_io_executor executor, RemoteTier& tier, InstanceRegistryOptions options,
                   Callbacks callbacks);

  void Start();
  // Stops the beats and removes this process's record when nothing is owed; true when it did.
  boost::asio::awaitable<bool> Leave();

  // L2 is open (the first beat was answered and no invalidation is owed).
  bool remote_open() const { return remote_open_.load(std::memory_order_acquire); }
  // Unclean stops noticed so far (own predecessor and lapsed others), each counted once.
  std::uint64_t unclean_stops_seen() const { return unclean_seen_.load(std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<void> Beat();
  boost::asio::awaitable<bool> LeaveOnStrand();
  void SetOpen(bool open);

  boost::asio::any_io_executor executor_;  // a strand
  RemoteTier& tier_;
  const InstanceRegistryOptions options_;
  const std::string token_;
  Callbacks callbacks_;
  boost::asio::steady_timer timer_;
  // Strand-only state.
  bool first_beat_tried_ = false;
  bool first_beat_answered_ = false;
  bool own_invalidation_owed_ = false;       // the predecessor under this name
  std::vector<InstanceRecord> lapsed_owed_;  // lapsed others, removed once invalidated
  std::vector<InstanceRecord> acted_on_;     // counted already (a record is seen on every beat until removed)
  bool duplicate_reported_ = false;
  std::string last_failure_;  // of the last failed beat, "" after a success
  bool left_ = false;
  std::atomic<bool> remote_open_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> loop_done_{false};
  std::atomic<std::uint64_t> unclean_seen_{0};
};

}  // namespace iam::cache
