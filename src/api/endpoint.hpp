// Endpoint wrappers that keep handlers thin: a handler body returns Result<Reply>; the wrapper
// authenticates and authorizes (Authed), renders the reply as JSON, and renders any Error with the
// api.md error shape (Retry-After on 429). Bodies run on the connection's strand and must use
// http::RunBlocking for database work.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_context.hpp"
#include "api/principal.hpp"
#include "cache/cache.hpp"
#include "http/types.hpp"

namespace iam::api {

struct Reply {
  http::beast_http::status status = http::beast_http::status::ok;
  boost::json::value body;
  std::vector<std::pair<std::string, std::string>> headers;  // may repeat a name (Set-Cookie)
  // When set, sent as the body instead of `body` (JSON serialized earlier, e.g. a cached value).
  std::shared_ptr<const std::string> serialized;
  // How the cache served `serialized`: Render adds X-Cache (and X-Cache-Tier for a tier hit).
  std::optional<cache::Outcome> cache_outcome;
};

inline Reply Ok(boost::json::value body) { return Reply{http::beast_http::status::ok, std::move(body), {}}; }
inline Reply Created(boost::json::value body) {
  return Reply{http::beast_http::status::created, std::move(body), {}};
}

struct Access {
  std::vector<std::string_view> roles;  // allowed roles; empty = every role
  bool tenant_required = true;          // 403 EMPRESA_REQUIRED when the user has no empresaId
};

// Role sets of api.md.
inline const std::vector<std::string_view> kAdmins = {"ADMIN", "SUPERADMIN"};
inline const std::vector<std::string_view> kMovers = {"ADMIN", "SUPERADMIN", "EMPLEADO"};
inline const std::vector<std::string_view> kAllButProveedor = {"ADMIN", "SUPERADMIN", "EMPLEADO"};

using PublicBody = std::function<boost::asio::awaitable<Result<Reply>>(http::RequestContext&)>;
using AuthedBody =
    std::function<boost::asio::awaitable<Result<Reply>>(http::RequestContext&, const Principal&)>;

http::Handler Public(PublicBody body);
http::Handler Authed(ApiContext& api, Access access, AuthedBody body);

http::Response Render(const http::RequestContext& ctx, const Result<Reply>& reply);

// Authed, for a tenant-scoped GET whose answer depends only on the tenant's data, the caller's
// role and the request target: answers go through the cache under `category`, keyed by role and
// target (path and query as sent), invalidated with the rest of the tenant's entries by any write.
// Errors (404, 400…) are never cached. Adds X-Cache / X-Cache-Tier.
http::Handler AuthedCached(ApiContext& api, Access access, cache::Category category, AuthedBody body);

// A route body as a plain function of the context (most route files define theirs so), bound to
// Authed / AuthedCached.
using RouteBody = boost::asio::awaitable<Result<Reply>> (*)(ApiContext&, http::RequestContext&, const Principal&);
http::Handler Bind(ApiContext& api, Access access, RouteBody body);
http::Handler BindCached(ApiContext& api, Access access, cache::Category category, RouteBody body);

// A reply carrying a cached body and how it was served: Render adds X-Cache (HIT|MISS|BYPASS|STALE)
// and, for a tier hit, X-Cache-Tier (L1|L2).
Reply CachedReply(cache::Served served);

// Writes to these paths (sessions, users, tenants) may change a token check's outcome: after one,
// every remembered check is forgotten (ForgetAccessChecks) before the reply is sent.
bool ChangesAccess(std::string_view target);
void ForgetAccessChecks(ApiContext& api);

// The tenant of a principal that passed an Access with tenant_required. REQUIRES: that check.
inline domain::Id TenantOf(const Principal& p) { return *p.empresa_id; }

}  // namespace iam::api
