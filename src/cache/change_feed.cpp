#include "cache/change_feed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>

namespace iam::cache {

ChangeFeed::ChangeFeed(boost::asio::any_io_executor executor, Cache& cache, std::function<void()> on_auth_changed)
    : executor_(std::move(executor)), cache_(cache), on_auth_changed_(std::move(on_auth_changed)) {}

void ChangeFeed::AuthChanged() {
  if (on_auth_changed_) on_auth_changed_();
}

void ChangeFeed::Changed(domain::Id tenant) {
  std::lock_guard lock(mu_);
  changed_.push_back(tenant);
  StartLocked();
}

void ChangeFeed::Resync(std::vector<domain::Id> tenants) {
  AuthChanged();
  std::lock_guard lock(mu_);
  changed_.insert(changed_.end(), tenants.begin(), tenants.end());
  resync_ = true;
  StartLocked();
}

void ChangeFeed::CaughtUp(CacheClock::time_point covered) {
  std::lock_guard lock(mu_);
  caught_up_ = covered;  // later calls cover more: only the latest matters
  StartLocked();
}

std::uint64_t ChangeFeed::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void ChangeFeed::StartLocked() {
  if (draining_) return;  // the running drain takes this with its next batch
  draining_ = true;
  boost::asio::co_spawn(executor_, Drain(), boost::asio::detached);
}

// One batch at a time: what was announced before a CaughtUp is in the same batch or an earlier
// one, so its invalidation is done when the confirmation is made.
boost::asio::awaitable<void> ChangeFeed::Drain() {
  for (;;) {
    std::vector<domain::Id> changed;
    bool resync = false;
    std::optional<CacheClock::time_point> caught_up;
    {
      std::lock_guard lock(mu_);
      if (changed_.empty() && !resync_ && !caught_up_) {
        draining_ = false;
        co_return;
      }
      changed.swap(changed_);
      std::swap(resync, resync_);
      caught_up.swap(caught_up_);
      ++batches_;
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    if (resync || !changed.empty()) co_await cache_.InvalidateMany(changed, resync);
    if (caught_up) cache_.ConfirmChangesApplied(*caught_up);
  }
}

}  // namespace iam::cache
