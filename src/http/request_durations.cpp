#include "http/request_durations.hpp"

#include <algorithm>

namespace iam::http {

void RequestDurations::Record(std::chrono::microseconds d) {
  const double ms = static_cast<double>(d.count()) / 1000.0;
  const auto& bounds = domain::kDurationBoundsMs;
  // The first bucket whose upper bound holds the value (le semantics, as Prometheus); else +Inf.
  const auto i = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), ms) - bounds.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(d.count(), 0)), std::memory_order_relaxed);
}

domain::DurationCounts RequestDurations::Counts() const {
  domain::DurationCounts out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

double RequestDurations::SumSeconds() const {
  return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
}

}  // namespace iam::http
