// Router: maps (method, path) to a Handler. Patterns are '/'-separated segments where `:name`
// captures one segment ("/productos/:id"). A literal segment beats a parameter, so
// "/movimientos/eliminados" wins over "/movimientos/:id". Routes are added at start-up, before
// serving; Match() is then read-only and safe from many threads.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/types.hpp"

namespace iam::http {

class Router {
 public:
  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed };

  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Handler* handler = nullptr;
    std::string pattern;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // for kMethodNotAllowed: "GET, POST"
  };

  void Add(beast_http::verb method, std::string_view pattern, Handler handler);
  void Get(std::string_view p, Handler h) { Add(beast_http::verb::get, p, std::move(h)); }
  void Post(std::string_view p, Handler h) { Add(beast_http::verb::post, p, std::move(h)); }
  void Put(std::string_view p, Handler h) { Add(beast_http::verb::put, p, std::move(h)); }
  void Patch(std::string_view p, Handler h) { Add(beast_http::verb::patch, p, std::move(h)); }
  void Delete(std::string_view p, Handler h) { Add(beast_http::verb::delete_, p, std::move(h)); }

  // `path` is the percent-encoded path without query; segments are decoded after splitting, so
  // "/productos/buscar/A%2FB" gives codigoBarras "A/B". A trailing '/' is ignored.
  Match Find(beast_http::verb method, std::string_view path) const;

  // Every registered (method, pattern), in registration order (tests check each has an entry in
  // their route tables).
  std::vector<std::pair<beast_http::verb, std::string>> Routes() const;

  // The routing step as a Handler: 404/405 JSON errors, or the matched handler with params set.
  boost::asio::awaitable<Response> Dispatch(RequestContext& ctx) const;

 private:
  struct Route {
    beast_http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  // Routes without parameters by their exact pattern text (indexes into routes_): a path equal to
  // one is answered without the scan (no other route can match it better).
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<std::pair<beast_http::verb, std::size_t>>, TextHash, std::equal_to<>>
      literal_routes_;
};

}  // namespace iam::http
