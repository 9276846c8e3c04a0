// `iam verify-aggregates [--empresa N] [--repair]`: recomputes the daily aggregates from the
// movement ledger and reports drift. Exit 0 when clean (or repaired), 1 with a report of every
// differing (key, dia, tipo) when not, or when the database cannot be used.
#pragma once

#include <cstdint>
#include <optional>

#include "app/config.hpp"

namespace iam::app {

struct VerifyAggregatesOptions {
  std::optional<std::int64_t> empresa;
  bool repair = false;  // rebuild the aggregates from the ledger (one transaction), then verify again
};

int RunVerifyAggregates(const Config& config, const VerifyAggregatesOptions& options);

}  // namespace iam::app
