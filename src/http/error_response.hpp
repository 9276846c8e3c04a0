// The JSON error shape of api.md and the one mapping from ErrorKind to HTTP status:
//   {"statusCode": 404, "error": "Not Found", "message": "…", "code": "NOT_FOUND"}
// Also the JSON success helper. Pure functions; safe from any thread.
#pragma once

#include <boost/json/value.hpp>

#include "domain/error.hpp"
#include "http/types.hpp"

namespace iam::http {

beast_http::status StatusFor(ErrorKind kind);

// An error response with the api.md body. `code` empty → a default per status (e.g. "NOT_FOUND").
Response MakeErrorResponse(beast_http::status status, std::string_view message, std::string_view code = {},
                           unsigned version = 11);
Response MakeErrorResponse(const Error& error, unsigned version = 11);

Response MakeJsonResponse(beast_http::status status, const boost::json::value& body, unsigned version = 11);
// The same for a body already serialized as JSON.
Response MakeSerializedJsonResponse(beast_http::status status, std::string_view json, unsigned version = 11);

}  // namespace iam::http
