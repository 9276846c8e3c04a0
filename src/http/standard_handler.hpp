// The middleware chain every IAM server runs, around a router:
//   request id -> access log -> [durations] -> error mapping -> security headers -> CORS -> router.
// Used by `iam serve` and by the in-process test servers, so tests see what production serves.
// REQUIRES: `router` outlives the returned handler.
#pragma once

#include "http/middleware.hpp"
#include "http/request_durations.hpp"
#include "http/router.hpp"

namespace iam::http {

struct StandardHandlerOptions {
  bool production = false;
  std::vector<std::string> cors_origins;
  // When set, every request's duration is recorded there (outlives the handler).
  RequestDurations* durations = nullptr;
};

Handler StandardHandler(const Router& router, const StandardHandlerOptions& options);

}  // namespace iam::http
