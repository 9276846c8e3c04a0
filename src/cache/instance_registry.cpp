#include "cache/instance_registry.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace iam::cache {

namespace asio = boost::asio;

InstanceRegistry::InstanceRegistry(asio::any_io_executor executor, RemoteTier& tier, InstanceRegistryOptions options,
                                   Callbacks callbacks)
    : executor_(asio::make_strand(std::move(executor))),
      tier_(tier),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      timer_(executor_) {}

void InstanceRegistry::Start() {
  asio::co_spawn(executor_, Loop(), [this](std::exception_ptr) { loop_done_.store(true, std::memory_order_release); });
}

asio::awaitable<void> InstanceRegistry::Loop() {
  if (callbacks_.before_first_beat) co_await callbacks_.before_first_beat();
  while (!stopping_.load(std::memory_order_acquire)) {
    co_await Beat();
    if (stopping_.load(std::memory_order_acquire)) break;
    timer_.expires_after(options_.interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> InstanceRegistry::Beat() {
  co_await TryBeat();
  if (!first_beat_tried_) {
    first_beat_tried_ = true;
    if (callbacks_.on_first_beat) callbacks_.on_first_beat();
  }
}

asio::awaitable<void> InstanceRegistry::TryBeat() {
  auto beat = co_await tier_.Heartbeat(options_.name, options_.lapse_after);
  if (!beat) co_return;  // Redis away: L2 is unusable anyway; try again next interval
  std::vector<std::string> unclean = std::move(beat->lapsed);
  if (!first_beat_done_ && beat->was_registered) unclean.push_back(options_.name);
  first_beat_done_ = true;
  if (!unclean.empty()) {
    unclean_seen_.fetch_add(unclean.size(), std::memory_order_relaxed);
    for (const auto& who : unclean)
      spdlog::warn("cache: instance '{}' stopped without deregistering{}: invalidating every tenant", who,
                   who == options_.name ? " (this one's previous run)" : "");
    invalidation_owed_ = true;
  }
  if (invalidation_owed_) invalidation_owed_ = !co_await callbacks_.invalidate_all();
  if (!invalidation_owed_ && !ready_.exchange(true, std::memory_order_acq_rel) && callbacks_.on_ready)
    callbacks_.on_ready();
}

asio::awaitable<bool> InstanceRegistry::Leave() {
  co_await asio::dispatch(executor_, asio::use_awaitable);
  stopping_.store(true, std::memory_order_release);
  timer_.cancel();
  // A beat in flight finishes first (bounded by the tier's command timeout).
  asio::steady_timer wait(executor_);
  for (int i = 0; i < 1000 && !loop_done_.load(std::memory_order_acquire); ++i) {
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!loop_done_.load(std::memory_order_acquire) || invalidation_owed_ || !first_beat_done_) co_return false;
  if (callbacks_.settle_pending && !co_await callbacks_.settle_pending()) co_return false;
  co_return (co_await tier_.Deregister(options_.name)).has_value();
}

}  // namespace iam::cache
