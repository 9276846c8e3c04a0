// UTC calendar days as integers (days since 1970-01-01) and the "last N days" windows of kpis.md:
// `today − (N−1)` … `today`, inclusive. Pure, thread-safe. An empty window (N <= 0) contains no day.
#pragma once

#include <cstdint>
#include <string>

namespace iam::domain {

using EpochDay = std::int64_t;

inline constexpr std::int64_t kMsPerDay = 86'400'000;

// The UTC date of an epoch-ms timestamp (floor division, so instants before 1970 work too).
EpochDay DayOfMs(std::int64_t epoch_ms);
// "YYYY-MM-DD" of a day.
std::string FormatEpochDay(EpochDay day);

struct DayWindow {
  EpochDay first = 0;  // inclusive
  EpochDay last = -1;  // inclusive; last < first means empty

  bool Contains(EpochDay d) const { return first <= d && d <= last; }
  std::int64_t Days() const { return last < first ? 0 : last - first + 1; }
};

// The last `n` days ending at `today`.
DayWindow LastDays(EpochDay today, std::int64_t n);

}  // namespace iam::domain
