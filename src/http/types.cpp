#include "http/types.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace iam::http {

std::string_view RequestContext::Param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> RequestContext::QueryParam(std::string_view name) const {
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return std::nullopt;
  for (auto param : boost::urls::params_view(*parsed)) {
    if (param.key == name) return std::string(param.value);
  }
  return std::nullopt;
}

Handler Chain(std::vector<Middleware> middlewares, Handler inner) {
  Handler h = std::move(inner);
  for (auto it = middlewares.rbegin(); it != middlewares.rend(); ++it) {
    h = [mw = std::move(*it), next = std::move(h)](RequestContext& ctx) { return mw(ctx, next); };
  }
  return h;
}

}  // namespace iam::http
