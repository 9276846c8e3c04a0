#include "http/router.hpp"

#include <stdexcept>

#include "http/error_response.hpp"

namespace iam::http {
namespace {

// Decodes %XX escapes of one path segment (the server has already refused malformed ones).
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

// Specificity of a match: one bit per segment, literal = 1, most significant first.
bool MatchSegments(const std::vector<std::string>& pattern, const std::vector<std::string_view>& parts,
                   std::uint64_t& score) {
  if (pattern.size() != parts.size()) return false;
  score = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    bool param = !pattern[i].empty() && pattern[i][0] == ':';
    if (!param && pattern[i] != parts[i]) return false;
    score = (score << 1) | (param ? 0 : 1);
  }
  return true;
}

}  // namespace

void Router::Add(beast_http::verb method, std::string_view pattern, Handler handler) {
  Route r{method, std::string(pattern), {}, std::move(handler)};
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  auto same_shape = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      bool pa = a[i][0] == ':', pb = b[i][0] == ':';
      if (pa != pb || (!pa && a[i] != b[i])) return false;
    }
    return true;
  };
  for (const auto& existing : routes_) {
    if (existing.method == method && same_shape(existing.segments, r.segments))
      throw std::logic_error("duplicate route " + std::string(pattern));
  }
  bool literal = true;
  std::string canonical;
  for (const auto& s : r.segments) {
    literal = literal && s[0] != ':';
    canonical.append(1, '/').append(s);
  }
  if (literal && canonical == r.pattern) literal_routes_[canonical].emplace_back(method, routes_.size());
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(beast_http::verb method, std::string_view path) const {
  Match m;
  if (path.find('%') == std::string_view::npos)
    if (auto it = literal_routes_.find(path); it != literal_routes_.end())
      for (const auto& [verb, index] : it->second)
        if (verb == method) {
          m.outcome = Outcome::kMatched;
          m.handler = &routes_[index].handler;
          m.pattern = routes_[index].pattern;
          return m;
        }
  // Split the encoded path, then decode each segment: an encoded '/' stays inside its segment.
  std::vector<std::string> decoded;
  for (auto segment : Split(path)) decoded.push_back(PercentDecode(segment));
  std::vector<std::string_view> parts(decoded.begin(), decoded.end());
  const Route* best = nullptr;
  std::uint64_t best_score = 0;
  std::uint64_t best_any_score = 0;
  std::vector<const Route*> path_matches;
  for (const auto& r : routes_) {
    std::uint64_t score = 0;
    if (!MatchSegments(r.segments, parts, score)) continue;
    path_matches.push_back(&r);
    best_any_score = std::max(best_any_score, score);
    if (r.method == method && (best == nullptr || score > best_score)) {
      best = &r;
      best_score = score;
    }
  }
  // A more specific path that exists only for other methods makes this a 405, not a match of a
  // broader pattern ("DELETE /movimientos/eliminados" must not hit "DELETE /movimientos/:id").
  if (best != nullptr && best_score >= best_any_score) {
    m.outcome = Outcome::kMatched;
    m.handler = &best->handler;
    m.pattern = best->pattern;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (best->segments[i][0] == ':') m.params.emplace_back(best->segments[i].substr(1), std::string(parts[i]));
    }
    return m;
  }
  if (path_matches.empty()) return m;
  m.outcome = Outcome::kMethodNotAllowed;
  for (const Route* r : path_matches) {
    std::uint64_t score = 0;
    MatchSegments(r->segments, parts, score);
    if (score != best_any_score) continue;
    std::string name(beast_http::to_string(r->method));
    if (m.allow.find(name) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + name;
  }
  return m;
}

std::vector<std::pair<beast_http::verb, std::string>> Router::Routes() const {
  std::vector<std::pair<beast_http::verb, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

boost::asio::awaitable<Response> Router::Dispatch(RequestContext& ctx) const {
  Match m = Find(ctx.request.method(), ctx.path);
  unsigned version = ctx.request.version();
  if (m.outcome == Outcome::kNotFound) {
    co_return MakeErrorResponse(beast_http::status::not_found, "Ruta no encontrada", "ROUTE_NOT_FOUND",
                                version);
  }
  if (m.outcome == Outcome::kMethodNotAllowed) {
    auto res = MakeErrorResponse(beast_http::status::method_not_allowed, "Método no permitido", "METHOD_NOT_ALLOWED",
                                 version);
    res.set(beast_http::field::allow, m.allow);
    co_return res;
  }
  ctx.params = std::move(m.params);
  ctx.route = std::move(m.pattern);
  co_return co_await (*m.handler)(ctx);
}

}  // namespace iam::http
