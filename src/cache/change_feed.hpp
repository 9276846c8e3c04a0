// ChangeFeed: applies to a Cache, in order, the changes announced from outside this process (the
// database's change notifications: other instances, the old backend, SQL fixes), batching what
// arrives together into one invalidation.
//   Changed(tenant)   the tenant's data changed: Cache::InvalidateMany.
//   Resync(tenants)   changes may have been missed: every L1 entry, and these tenants in Redis.
//   AuthChanged()     users, logouts or revocations changed: `on_auth_changed` runs at once (also
//                     on Resync), before any later CaughtUp can confirm anything.
//   CaughtUp(t)       every change committed before `t` has been announced by the calls before
//                     this one; once their invalidations are done, Cache::ConfirmChangesApplied(t),
//                     which lets L1 serve entries older than its age bound (cache.hpp).
// The calls are thread-safe and never block (they are made on the listener's thread); the work runs
// on `executor`, one batch at a time, in call order. Must outlive the work it started: destroy it
// after the executor's io_context has stopped running.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "cache/cache.hpp"
#include "domain/entities.hpp"

namespace iam::cache {

class ChangeFeed {
 public:
  ChangeFeed(boost::asio::any_io_executor executor, Cache& cache, std::function<void()> on_auth_changed = {});
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  void Changed(domain::Id tenant);
  void Resync(std::vector<domain::Id> tenants);
  void CaughtUp(CacheClock::time_point covered);
  void AuthChanged();

  // Batches applied so far (for tests and stats).
  std::uint64_t batches() const;

 private:
  void StartLocked();
  boost::asio::awaitable<void> Drain();

  boost::asio::any_io_executor executor_;
  Cache& cache_;
  const std::function<void()> on_auth_changed_;
  mutable std::mutex mu_;
  std::vector<domain::Id> changed_;
  bool resync_ = false;
  std::optional<CacheClock::time_point> caught_up_;
  bool draining_ = false;
  std::uint64_t batches_ = 0;
};

}  // namespace iam::cache
