// ChangeListener: consumes the change notifications PostgreSQL sends on channel `iam_changes`
// (change_notifications.hpp; docs/storage.md, "Change notifications") and turns them into calls
// the cache layer can act on.
//
// It owns one thread and one libpq connection of its own (not leased from the pool: a LISTEN
// session must stay open and idle), opened with application_name=iam-change-listener. The thread
// runs `LISTEN iam_changes` and then waits on the socket (poll), so a notification is handled as
// soon as it arrives; Stop() wakes it at once through an eventfd.
//
// Guarantees and callbacks:
//   * on_change(empresa_id) for each notification naming a tenant. Notifications are delivered
//     after commit, in commit order; one transaction's identical ones are folded by the server.
//   * on_resync() when a notification says "*" (a TRUNCATE), and whenever the listener becomes
//     connected after a period in which it was not listening while it was supposed to be: after a
//     lost connection, and after a first connect that only succeeded on a later attempt.
//     Notifications of that period are lost for good, so the caller must treat everything as
//     changed. Not called when the very first attempt succeeds (nothing could have been missed
//     since the listener exists) — a caller that caches before WaitConnected() returned true
//     must invalidate on its own.
//   * on_auth_change() for a notification "auth" (users, logouts, revocations changed).
//   * on_caught_up(t), when heartbeats are on: every heartbeat_interval the listener sends a
//     notification to a channel of its own on its own connection. The server delivers
//     notifications in commit order, so when one comes back, every change committed before it was
//     sent (time t, steady clock) has already been passed to on_change: "caught up to t". Called on
//     the same thread as on_change, after the on_change calls of those changes. None while
//     disconnected (the caller's trust must then lapse on its own).
//   * Connection loss is noticed when the socket reports it (server restart, terminated backend)
//     or, for a peer that vanished silently, through TCP keepalives (30 s idle, then 3 probes 10 s
//     apart, unless the URL sets keepalives_*). It then reconnects forever, waiting 100 ms before
//     the first attempt and doubling up to 5 s, until Stop().
//   * Callbacks run on the listener thread, one at a time: they must be quick (the next
//     notification waits for them) and thread-safe with respect to the rest of the program. They
//     must not call Stop() or destroy the listener. An exception escaping one is logged and
//     swallowed.
//   * Never throws after construction; logs connection lost / restored with spdlog, never the
//     password. A payload that is neither "*" nor a decimal integer is logged at debug and ignored.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iam::store {

struct ChangeListenerOptions {
  std::chrono::milliseconds initial_backoff{100};  // wait before the first reconnect attempt
  std::chrono::milliseconds max_backoff{5000};     // the wait doubles up to this
  std::chrono::milliseconds connect_timeout{5000};  // one attempt (connect + LISTEN) gives up after this
  // Upper bound of one wait on the socket; Stop() does not depend on it (it wakes the thread), it
  // only bounds how long a missed wake-up could delay shutdown.
  std::chrono::milliseconds poll_interval{250};
  // 0: no heartbeats (on_caught_up never called).
  std::chrono::milliseconds heartbeat_interval{0};
};

struct ChangeListenerStats {
  std::uint64_t notifications = 0;  // received on the channel, well-formed or not
  std::uint64_t changes = 0;        // on_change calls
  std::uint64_t resyncs = 0;        // on_resync calls (TRUNCATE and reconnects)
  std::uint64_t malformed = 0;      // notifications ignored for their payload
  std::uint64_t reconnects = 0;     // connections established after the first one
  std::uint64_t failed_attempts = 0;  // connection attempts that failed
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_received = 0;  // on_caught_up calls
  std::uint64_t auth_changes = 0;         // on_auth_change calls
  bool connected = false;
};

class ChangeListener {
 public:
  using OnChange = std::function<void(std::int64_t empresa_id)>;
  using OnResync = std::function<void()>;
  using OnCaughtUp = std::function<void(std::chrono::steady_clock::time_point covered)>;
  using OnAuthChange = std::function<void()>;
  struct Callbacks {
    OnChange on_change;
    OnResync on_resync;
    OnCaughtUp on_caught_up;      // may be empty
    OnAuthChange on_auth_change;  // may be empty
  };

  // Starts the thread, which connects in the background (so this never blocks on the network).
  // `url` is the PostgreSQL URL (postgres://… or postgresql://…), the one the pool uses.
  ChangeListener(std::string url, OnChange on_change, OnResync on_resync, ChangeListenerOptions options = {});
  ChangeListener(std::string url, Callbacks callbacks, ChangeListenerOptions options);
  ~ChangeListener();  // Stop()

  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  // Ends the thread and closes the connection; returns when both are done. Idempotent. Must not be
  // called from a callback.
  void Stop();

  // True while LISTEN is active on a live connection (as far as the thread knows).
  bool Connected() const { return connected_.load(); }
  // Waits until Connected() or `timeout`; returns Connected(). For startup ("serve only once
  // invalidation works") and tests.
  bool WaitConnected(std::chrono::milliseconds timeout) const;

  ChangeListenerStats Stats() const;

 private:
  struct Session;
  void Run();
  bool Listen(Session& session);
  void Pump(Session& session);
  void Dispatch(const char* payload);
  void Heartbeat(Session& session, const char* payload);
  bool SendHeartbeat(Session& session);
  bool SleepFor(std::chrono::milliseconds delay);  // false when stopping
  void SetConnected(bool connected);

  const std::string conninfo_;
  const std::vector<std::string> secrets_;  // passwords to scrub from libpq's messages
  const OnChange on_change_;
  const OnResync on_resync_;
  const OnCaughtUp on_caught_up_;
  const OnAuthChange on_auth_change_;
  const ChangeListenerOptions options_;
  const std::string heartbeat_channel_;  // iam_hb_<pid>_<random>: this listener's own
  int wake_fd_ = -1;  // eventfd written by Stop()

  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> notifications_{0}, changes_{0}, resyncs_{0}, malformed_{0}, reconnects_{0},
      failed_attempts_{0}, heartbeats_sent_{0}, heartbeats_received_{0}, auth_changes_{0};
  mutable std::mutex mu_;  // guards nothing but the condition variable below
  mutable std::condition_variable connected_cv_;
  std::mutex stop_mu_;
  std::thread thread_;
};

}  // namespace iam::store
