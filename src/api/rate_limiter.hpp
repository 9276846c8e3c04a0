// RateLimiter: counts events per key in fixed windows (failed logins per email and per IP,
// registrations per IP, refreshes per user). In memory for now; the cache issue backs it with
// Redis so limits hold across instances. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace iam::api {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Seconds until `key` may act again when it has already used `limit` events in its current
  // window; nullopt when it may act now. Does not count anything.
  virtual std::optional<std::chrono::seconds> RetryAfter(std::string_view key, int limit) = 0;
  // Counts one event for `key`; the window starts at the first event and lasts `window`.
  virtual void Record(std::string_view key, std::chrono::seconds window) = 0;
  // Forgets `key` (not used for failed logins: a success does not wipe earlier failures).
  virtual void Reset(std::string_view key) = 0;
};

}  // namespace iam::api
