// XFetch (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede Prevention",
// VLDB 2015): the decision to recompute a cached value before it expires. An entry that took
// `delta` to compute is refreshed early when now − delta·beta·ln(u) ≥ expiry, u uniform in (0, 1]:
// the probability rises as expiry nears and with the recompute time, so one reader of a hot key
// (almost surely) refreshes it before it expires and nobody waits for the recomputation.
// Pure: the random draw is an argument, so the decision is table-testable.
#pragma once

#include <chrono>

namespace iam::cache {

// beta ≤ 0 (or delta ≤ 0) reduces to now ≥ expiry. u outside (0, 1] is clamped into it (u ≤ 0 is
// the smallest positive draw, the most eager refresh).
bool XFetchRefreshDue(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point expiry,
                      std::chrono::steady_clock::duration delta, double beta, double u);

// A draw in (0, 1] from a per-thread generator (the production random source).
double XFetchUniform();

}  // namespace iam::cache
