// The HTTP vocabulary shared by the server, router, middleware and handlers: Request/Response
// (Beast string bodies), RequestContext (one per request, owned by the session for the request's
// duration, used on the connection's strand only) and the Handler / Middleware signatures.
#pragma once

#include <any>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iam::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

struct RequestContext {
  Request request;
  std::string path;                                         // percent-encoded path, no query
  std::string query;                                        // raw query string (after '?'), may be empty
  std::vector<std::pair<std::string, std::string>> params;  // path parameters (":id" -> value), decoded
  std::string route;                                        // the matched pattern, e.g. "/productos/:id"
  std::string request_id;
  std::string remote_address;  // the client: the TCP peer, or whom a trusted proxy names (TRUSTED_PROXIES)
  std::string peer_address;    // the TCP peer itself
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::any principal;  // set by the api layer's auth middleware; http never reads it

  // The value of a path parameter; empty when absent.
  std::string_view Param(std::string_view name) const;
  // The first value of a query parameter (percent-decoded); nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;
using Middleware = std::function<boost::asio::awaitable<Response>(RequestContext&, const Handler& next)>;

// Wraps `inner` in `middlewares`, the first being the outermost.
Handler Chain(std::vector<Middleware> middlewares, Handler inner);

}  // namespace iam::http
