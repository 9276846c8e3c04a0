#include "domain/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace iam {
namespace {

using namespace std::chrono;

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::int64_t NowMs() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatIsoMs(std::int64_t epoch_ms) {
  sys_time<milliseconds> tp{milliseconds(epoch_ms)};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{tp - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string FormatDay(std::int64_t epoch_ms) { return FormatIsoMs(epoch_ms).substr(0, 10); }

std::optional<std::int64_t> ParseTimestampMs(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d))
    return std::nullopt;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!Digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100;
        std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (scale > 0) ms += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return std::nullopt;
      }
    }
  }
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      pos++;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() >= pos + 3) {
      int oh = 0, om = 0;
      if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
      std::size_t p = pos + 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size() && !Digits(s, p, 2, om)) return std::nullopt;
      if (p < s.size()) p += 2;
      if (p != s.size()) return std::nullopt;
      offset_min = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms) - minutes(offset_min);
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace iam
