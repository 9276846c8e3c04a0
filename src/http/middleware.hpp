// The standard middlewares, outermost first in a typical chain:
//   RequestId -> AccessLog -> ErrorMapping -> SecurityHeaders -> Cors -> router
// Each is a pure function of its options; all are safe to share between connections.
#pragma once

#include <string>
#include <vector>

#include "http/types.hpp"

namespace iam::http {

class RequestDurations;

// Takes a sane client `X-Request-Id` (≤ 64 of [A-Za-z0-9._-]) or makes one; echoes it in the response.
Middleware RequestId();

// One log line per request: method, path (never the query: it may carry search terms of a user),
// status, latency in ms, request id; and that latency into `durations` when given (every request,
// whatever its status).
Middleware AccessLog(RequestDurations* durations = nullptr);

// Turns an exception escaping a handler into a 500 with the JSON error shape; logs the exception
// text with the request id. No stack trace or exception text reaches the client.
Middleware ErrorMapping();

struct SecurityHeaderOptions {
  bool production = false;  // adds Strict-Transport-Security
};
Middleware SecurityHeaders(SecurityHeaderOptions options);

struct CorsOptions {
  std::vector<std::string> allowed_origins;  // exact origins, e.g. "https://app.example.com"
  bool allow_localhost = false;              // development: any http(s)://localhost|127.0.0.1[:port]
};
// CORS as the old backend's: credentials allowed, the origin echoed (never "*"), preflight → 204.
// A disallowed origin gets no CORS headers.
Middleware Cors(CorsOptions options);
bool IsOriginAllowed(const CorsOptions& options, std::string_view origin);

}  // namespace iam::http
