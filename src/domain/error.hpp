// Error and Result<T>: the value-or-error type returned across module boundaries (store, cache,
// domain, api). Error carries a small closed ErrorKind, a stable UPPER_SNAKE code for clients and a
// human message that is safe to show (never SQL text, a stack trace or a secret).
// Exceptions are reserved for bugs; expected failures travel as Result.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace iam {

enum class ErrorKind {
  kInvalidArgument,   // bad input from the caller (400)
  kUnauthenticated,   // missing/invalid credentials (401)
  kPermissionDenied,  // authenticated but not allowed (403)
  kNotFound,          // no such resource, or not visible to this tenant (404)
  kConflict,          // duplicate, version mismatch, insufficient stock (409)
  kPayloadTooLarge,   // body or headers over the limit (413)
  kRateLimited,       // too many attempts (429)
  kUnavailable,       // a dependency the request needs is down (503)
  kInternal,          // a bug or an unexpected failure (500); message is generic
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // stable identifier, e.g. "VALIDATION_ERROR"; empty = default for kind
  std::string message;  // safe for clients
  int retry_after_s = 0;  // kRateLimited: seconds until the caller may retry (Retry-After)

  static Error InvalidArgument(std::string msg, std::string code = "VALIDATION_ERROR") {
    return {ErrorKind::kInvalidArgument, std::move(code), std::move(msg)};
  }
  static Error NotFound(std::string msg, std::string code = "NOT_FOUND") {
    return {ErrorKind::kNotFound, std::move(code), std::move(msg)};
  }
  static Error Conflict(std::string msg, std::string code = "CONFLICT") {
    return {ErrorKind::kConflict, std::move(code), std::move(msg)};
  }
  static Error Unavailable(std::string msg, std::string code = "SERVICE_UNAVAILABLE") {
    return {ErrorKind::kUnavailable, std::move(code), std::move(msg)};
  }
  static Error Internal(std::string msg = "Error interno del servidor", std::string code = "INTERNAL_ERROR") {
    return {ErrorKind::kInternal, std::move(code), std::move(msg)};
  }
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function whose type is Result<T>.
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace iam
