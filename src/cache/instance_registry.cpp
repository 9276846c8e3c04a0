#include "cache/instance_registry.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace iam::cache {

namespace asio = boost::asio;

namespace {

std::string RandomToken() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return fmt::format("{:016x}", v);
}

bool Contains(const std::vector<InstanceRecord>& records, const InstanceRecord& r) {
  return std::any_of(records.begin(), records.end(),
                     [&](const InstanceRecord& x) { return x.name == r.name && x.token == r.token; });
}

}  // namespace

InstanceRegistry::InstanceRegistry(asio::any_io_executor executor, RemoteTier& tier, InstanceRegistryOptions options,
                                   Callbacks callbacks)
    : executor_(asio::make_strand(std::move(executor))),
      tier_(tier),
      options_(std::move(options)),
      token_(RandomToken()),
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

void InstanceRegistry::SetOpen(bool open) {
  if (remote_open_.exchange(open, std::memory_order_acq_rel) != open && callbacks_.set_remote_open)
    callbacks_.set_remote_open(open);
}

asio::awaitable<void> InstanceRegistry::Beat() {
  auto beat = co_await tier_.Heartbeat(options_.name, token_, options_.lapse_after);
  // After L2 has been opened when nothing is owed (so the first requests find it open), before
  // an invalidation otherwise (so accepting does not wait for it).
  auto first_tried = [this] {
    if (first_beat_tried_) return;
    first_beat_tried_ = true;
    if (callbacks_.on_first_beat) callbacks_.on_first_beat();
  };
  if (!beat) {
    first_tried();
    // Redis away (L2 is unusable anyway) or refusing (an ACL without the hash commands): L2 stays
    // closed until a beat is answered. Logged once per distinct reason.
    if (beat.error().message != last_failure_) {
      last_failure_ = beat.error().message;
      spdlog::warn("cache: instance record not written ({}); {}", last_failure_,
                   remote_open() ? "retrying" : "L2 stays closed until it is");
    }
    co_return;
  }
  if (!last_failure_.empty()) {
    last_failure_.clear();
    spdlog::info("cache: instance record written again");
  }

  if (!first_beat_answered_) {
    first_beat_answered_ = true;
    if (beat->previous_token) {
      own_invalidation_owed_ = true;
      unclean_seen_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("cache: the previous process named '{}' never removed its record{}: invalidating every tenant",
                   options_.name,
                   beat->previous_lapsed ? ""
                                         : " (or another running instance has this name: give each its own "
                                           "IAM_INSTANCE_NAME)");
    }
  } else if (beat->previous_token && *beat->previous_token != token_ && !duplicate_reported_) {
    duplicate_reported_ = true;
    spdlog::error("cache: another running instance is named '{}': give each its own IAM_INSTANCE_NAME, or the death "
                  "of one can go unnoticed",
                  options_.name);
  }
  for (const auto& r : beat->lapsed) {
    if (!Contains(lapsed_owed_, r)) lapsed_owed_.push_back(r);
    if (Contains(acted_on_, r)) continue;
    unclean_seen_.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("cache: instance '{}' has been silent past its lapse, taken as killed: invalidating every tenant",
                 r.name);
  }
  acted_on_ = std::move(beat->lapsed);  // a record stays until removed: count each once

  if (own_invalidation_owed_ || !lapsed_owed_.empty()) {
    SetOpen(false);
    first_tried();
    if (!co_await callbacks_.invalidate_all()) co_return;  // L2 stays closed; retried next beat
    own_invalidation_owed_ = false;
    // A record not removed now (Redis away) is seen again, and invalidated for again: harmless.
    for (const auto& r : lapsed_owed_) co_await tier_.Forget(r.name, r.token);
    lapsed_owed_.clear();
  }
  SetOpen(true);
  first_tried();
}

asio::awaitable<bool> InstanceRegistry::Leave() {
  co_return co_await asio::co_spawn(executor_, LeaveOnStrand(), asio::use_awaitable);
}

asio::awaitable<bool> InstanceRegistry::LeaveOnStrand() {
  if (left_) co_return false;
  left_ = true;
  stopping_.store(true, std::memory_order_release);
  timer_.cancel();
  // A beat in flight finishes first (bounded by the tier's command timeout and the invalidation).
  asio::steady_timer wait(executor_);
  for (int i = 0; i < 1000 && first_beat_tried_ && !loop_done_.load(std::memory_order_acquire); ++i) {
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!loop_done_.load(std::memory_order_acquire) || !first_beat_answered_ || own_invalidation_owed_ ||
      !lapsed_owed_.empty())
    co_return false;
  if (callbacks_.settle_pending && !co_await callbacks_.settle_pending()) co_return false;
  co_return (co_await tier_.Forget(options_.name, token_)).has_value();
}

}  // namespace iam::cache
