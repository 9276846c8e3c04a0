// Exact integer decisions for KPI thresholds (kpis.md "Decisions on boundaries are exact"):
// comparing a ratio of integers with a fraction without any floating point. Pure, thread-safe.
#pragma once

#include <cstdint>

namespace iam::domain {

__extension__ typedef __int128 Int128;  // g++ extension; __extension__ keeps -Wpedantic quiet

// Sign (−1, 0, 1) of num/den − p/q, computed exactly. REQUIRES: den != 0, q > 0.
int CompareRatio(std::int64_t num, std::int64_t den, std::int64_t p, std::int64_t q);

}  // namespace iam::domain
