#include "http/error_response.hpp"

#include "http/json_writer.hpp"

namespace iam::http {
namespace {

std::string_view DefaultCode(beast_http::status status) {
  switch (status) {
    case beast_http::status::bad_request: return "BAD_REQUEST";
    case beast_http::status::unauthorized: return "UNAUTHORIZED";
    case beast_http::status::forbidden: return "FORBIDDEN";
    case beast_http::status::not_found: return "NOT_FOUND";
    case beast_http::status::method_not_allowed: return "METHOD_NOT_ALLOWED";
    case beast_http::status::request_timeout: return "REQUEST_TIMEOUT";
    case beast_http::status::conflict: return "CONFLICT";
    case beast_http::status::payload_too_large: return "PAYLOAD_TOO_LARGE";
    case beast_http::status::too_many_requests: return "TOO_MANY_REQUESTS";
    case beast_http::status::service_unavailable: return "SERVICE_UNAVAILABLE";
    default: return "INTERNAL_ERROR";
  }
}

}  // namespace

beast_http::status StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return beast_http::status::bad_request;
    case ErrorKind::kUnauthenticated: return beast_http::status::unauthorized;
    case ErrorKind::kPermissionDenied: return beast_http::status::forbidden;
    case ErrorKind::kNotFound: return beast_http::status::not_found;
    case ErrorKind::kConflict: return beast_http::status::conflict;
    case ErrorKind::kPayloadTooLarge: return beast_http::status::payload_too_large;
    case ErrorKind::kRateLimited: return beast_http::status::too_many_requests;
    case ErrorKind::kUnavailable: return beast_http::status::service_unavailable;
    case ErrorKind::kInternal: return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

Response MakeJsonResponse(beast_http::status status, const boost::json::value& body, unsigned version) {
  Response res{status, version};
  res.set(beast_http::field::content_type, "application/json; charset=utf-8");
  res.body() = WriteJson(body);
  res.prepare_payload();
  return res;
}

Response MakeSerializedJsonResponse(beast_http::status status, std::string_view json, unsigned version) {
  Response res{status, version};
  res.set(beast_http::field::content_type, "application/json; charset=utf-8");
  res.body().assign(json.data(), json.size());
  res.prepare_payload();
  return res;
}

Response MakeErrorResponse(beast_http::status status, std::string_view message, std::string_view code,
                           unsigned version) {
  boost::json::object body;
  body["statusCode"] = static_cast<int>(status);
  body["error"] = std::string(beast_http::obsolete_reason(status));
  body["message"] = message;
  body["code"] = code.empty() ? DefaultCode(status) : code;
  return MakeJsonResponse(status, body, version);
}

Response MakeErrorResponse(const Error& error, unsigned version) {
  auto status = StatusFor(error.kind);
  // An internal error's message may carry detail meant for the log only.
  std::string_view message = error.message;
  if (error.kind == ErrorKind::kInternal) message = "Error interno del servidor";
  return MakeErrorResponse(status, message, error.code, version);
}

}  // namespace iam::http
