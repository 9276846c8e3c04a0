// UTC time helpers shared by every layer: epoch milliseconds <-> ISO-8601 text with milliseconds
// and `Z` ("2026-11-27T10:15:00.000Z"), and calendar days ("2026-11-27"). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iam {

std::int64_t NowMs();
std::string FormatIsoMs(std::int64_t epoch_ms);  // 2026-11-27T10:15:00.000Z
std::string FormatDay(std::int64_t epoch_ms);    // 2026-11-27
// Parses "YYYY-MM-DD", "YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]]" with an optional "Z" or "+00:00"
// suffix (other offsets are applied). nullopt when malformed or out of range.
std::optional<std::int64_t> ParseTimestampMs(std::string_view text);

}  // namespace iam
