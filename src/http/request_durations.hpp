// RequestDurations: a lock-free histogram of how long the server took to answer each request
// (from the request fully read to the response handed to the writer: handling time, not the
// client's upload or the write), in domain::kDurationBoundsMs
// buckets. Fed by the AccessLog middleware (one clock reading serves the log line and this); read by /metrics and by the alert sampler (the
// response-time p95 rule). Counters only grow; thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "domain/alert_rules.hpp"

namespace iam::http {

class RequestDurations {
 public:
  void Record(std::chrono::microseconds d);
  domain::DurationCounts Counts() const;  // per bucket, not cumulative
  double SumSeconds() const;

 private:
  std::array<std::atomic<std::uint64_t>, domain::kDurationBoundsMs.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace iam::http
