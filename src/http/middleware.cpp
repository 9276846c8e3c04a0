#include "http/middleware.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <random>

#include "http/error_response.hpp"
#include "http/request_durations.hpp"

namespace iam::http {
namespace {

using boost::asio::awaitable;

bool SaneRequestId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::string NewRequestId() {
  // A per-process random prefix plus a counter: unique without a syscall per request.
  static const std::uint64_t prefix = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
  static std::atomic<std::uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%llu", static_cast<unsigned long long>(prefix & 0xffffffffu),
                static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)));
  return buf;
}

bool IsLocalhostOrigin(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!origin.starts_with(scheme)) continue;
    auto host = origin.substr(scheme.size());
    for (std::string_view name : {"localhost", "127.0.0.1"}) {
      if (!host.starts_with(name)) continue;
      auto rest = host.substr(name.size());
      if (rest.empty()) return true;
      if (rest[0] == ':' && rest.size() > 1 &&
          std::all_of(rest.begin() + 1, rest.end(), [](unsigned char c) { return std::isdigit(c); }))
        return true;
    }
  }
  return false;
}

}  // namespace

Middleware RequestId() {
  return [](RequestContext& ctx, const Handler& next) -> awaitable<Response> {
    auto it = ctx.request.find("X-Request-Id");
    ctx.request_id = (it != ctx.request.end() && SaneRequestId(it->value())) ? std::string(it->value()) : NewRequestId();
    Response res = co_await next(ctx);
    res.set("X-Request-Id", ctx.request_id);
    co_return res;
  };
}

Middleware AccessLog(RequestDurations* durations) {
  return [durations](RequestContext& ctx, const Handler& next) -> awaitable<Response> {
    Response res = co_await next(ctx);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ctx.started);
    if (durations != nullptr) durations->Record(us);
    // ip= is the client; via= the trusted proxy it came through (TRUSTED_PROXIES), when there is one.
    const bool proxied = !ctx.peer_address.empty() && ctx.peer_address != ctx.remote_address;
    spdlog::info("{} {} {} {:.3f}ms rid={} ip={}{}{}", std::string_view(ctx.request.method_string()), ctx.path,
                 res.result_int(), us.count() / 1000.0, ctx.request_id, ctx.remote_address, proxied ? " via=" : "",
                 proxied ? ctx.peer_address : std::string());
    co_return res;
  };
}

Middleware ErrorMapping() {
  return [](RequestContext& ctx, const Handler& next) -> awaitable<Response> {
    std::string what;
    try {
      co_return co_await next(ctx);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    spdlog::error("unhandled error rid={} {} {}: {}", ctx.request_id, std::string_view(ctx.request.method_string()),
                  ctx.path, what);
    co_return MakeErrorResponse(beast_http::status::internal_server_error, "Error interno del servidor",
                                "INTERNAL_ERROR", ctx.request.version());
  };
}

Middleware SecurityHeaders(SecurityHeaderOptions options) {
  return [options](RequestContext& ctx, const Handler& next) -> awaitable<Response> {
    Response res = co_await next(ctx);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    if (options.production) res.set("Strict-Transport-Security", "max-age=15552000; includeSubDomains");
    co_return res;
  };
}

bool IsOriginAllowed(const CorsOptions& options, std::string_view origin) {
  if (origin.empty()) return false;
  if (std::find(options.allowed_origins.begin(), options.allowed_origins.end(), origin) !=
      options.allowed_origins.end())
    return true;
  return options.allow_localhost && IsLocalhostOrigin(origin);
}

Middleware Cors(CorsOptions options) {
  return [options](RequestContext& ctx, const Handler& next) -> awaitable<Response> {
    auto it = ctx.request.find(beast_http::field::origin);
    std::string origin = it != ctx.request.end() ? std::string(it->value()) : std::string();
    bool allowed = IsOriginAllowed(options, origin);
    bool preflight = ctx.request.method() == beast_http::verb::options &&
                     ctx.request.find(beast_http::field::access_control_request_method) != ctx.request.end();
    Response res;
    if (preflight) {
      res = Response{beast_http::status::no_content, ctx.request.version()};
      if (allowed) {
        res.set(beast_http::field::access_control_allow_methods, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        res.set(beast_http::field::access_control_allow_headers,
                "Content-Type, Authorization, Idempotency-Key, X-Requested-With, Accept, Cache-Control");
        res.set(beast_http::field::access_control_max_age, "86400");
      }
    } else {
      res = co_await next(ctx);
    }
    if (allowed) {
      res.set(beast_http::field::access_control_allow_origin, origin);
      res.set(beast_http::field::access_control_allow_credentials, "true");
      res.set(beast_http::field::vary, "Origin");
    }
    co_return res;
  };
}

}  // namespace iam::http
