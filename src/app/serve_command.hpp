// `iam serve`: wires the service in order (database, pools, routes, middleware, listener), serves
// until SIGINT/SIGTERM, then drains in-flight requests within SHUTDOWN_TIMEOUT_MS and tears down in
// reverse order. Returns the process exit code.
#pragma once

#include "app/config.hpp"
#include "domain/alert_rules.hpp"

namespace iam::app {

int RunServe(const Config& config);

// The alert rules' thresholds and window of a configuration (ALERT_*).
domain::AlertThresholds AlertThresholdsFromConfig(const Config& config);

}  // namespace iam::app
