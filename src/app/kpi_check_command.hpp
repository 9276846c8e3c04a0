// `iam kpi-check [--base-url URL] [--email E] [--password P]`: the guide's KPI cache check, against
// a running service: logs in, clears the tenant's cache, then shows a KPI MISS and a HIT with both
// latencies, makes a write (an ENTRADA of 1 on the first product, then deletes it, which restores
// the stock), shows the MISS that follows, and prints the cache statistics.
// Exit 0 when the sequence is MISS, HIT, MISS; 1 otherwise (with a hint); 2 for bad arguments.
#pragma once

#include <string>

namespace iam::app {

struct KpiCheckOptions {
  std::string base_url = "http://127.0.0.1:3001";
  std::string email = "admin@demo.iam";
  std::string password = "demo12345";
  int timeout_ms = 10000;
};

int RunKpiCheck(const KpiCheckOptions& options);

}  // namespace iam::app
