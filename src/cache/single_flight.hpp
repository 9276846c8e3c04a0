// SingleFlight: at most one computation per key in this process at a time. The first caller of
// Do(key, fn) runs fn; callers arriving while it runs wait (without blocking a thread) and receive
// the same result, success or error. The key is forgotten when fn finishes, so a later call
// computes again. Thread-safe: callers may run on any executor; each resumes on its own.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cache/memory_tier.hpp"
#include "domain/error.hpp"

namespace iam::cache {

class SingleFlight {
 public:
  using Factory = std::function<boost::asio::awaitable<Result<Value>>()>;
  struct Outcome {
    Result<Value> value;
    bool shared = false;  // true: another caller computed it
  };

  // `fn` is only called by the leader, before Do returns; it must outlive the call.
  boost::asio::awaitable<Outcome> Do(const std::string& key, const Factory& fn);

  std::uint64_t shared_count() const { return shared_.load(std::memory_order_relaxed); }
  std::size_t in_flight() const;

 private:
  struct Flight;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  std::atomic<std::uint64_t> shared_{0};
};

}  // namespace iam::cache
