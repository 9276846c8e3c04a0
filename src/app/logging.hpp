// Process-wide logging set-up on spdlog: human-readable lines by default, one JSON object per line
// with LOG_FORMAT=json ({"ts","level","msg"}). Call once at start-up, before other threads start.
// Nothing logged anywhere in IAM carries a secret: callers log masked values only.
#pragma once

#include <string>

namespace iam::app {

void SetUpLogging(const std::string& format, const std::string& level);

}  // namespace iam::app
