#include "domain/kpi_window.hpp"

#include "domain/time_format.hpp"

namespace iam::domain {

EpochDay DayOfMs(std::int64_t epoch_ms) {
  EpochDay d = epoch_ms / kMsPerDay;
  if (epoch_ms % kMsPerDay < 0) --d;
  return d;
}

std::string FormatEpochDay(EpochDay day) { return FormatDay(day * kMsPerDay); }

DayWindow LastDays(EpochDay today, std::int64_t n) { return DayWindow{today - (n - 1), today}; }

}  // namespace iam::domain
