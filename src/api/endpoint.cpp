#include "api/endpoint.hpp"

#include "http/json_writer.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>

#include "api/auth_guard.hpp"
#include "http/error_response.hpp"

namespace iam::api {

using boost::asio::awaitable;

http::Response Render(const http::RequestContext& ctx, const Result<Reply>& reply) {
  unsigned version = ctx.request.version();
  if (!reply) {
    auto res = http::MakeErrorResponse(reply.error(), version);
    if (reply.error().retry_after_s > 0) res.set(http::beast_http::field::retry_after, std::to_string(reply.error().retry_after_s));
    return res;
  }
  auto res = reply->serialized ? http::MakeSerializedJsonResponse(reply->status, *reply->serialized, version)
                               : http::MakeJsonResponse(reply->status, reply->body, version);
  for (const auto& [name, value] : reply->headers) res.insert(name, value);
  if (reply->cache_outcome) {
    // Literals: no header list to build per cached answer.
    switch (*reply->cache_outcome) {
      case cache::Outcome::kHitL1:
        res.insert("X-Cache", "HIT");
        res.insert("X-Cache-Tier", "L1");
        break;
      case cache::Outcome::kHitL2:
        res.insert("X-Cache", "HIT");
        res.insert("X-Cache-Tier", "L2");
        break;
      case cache::Outcome::kShared: res.insert("X-Cache", "HIT"); break;  // joined another's computation
      case cache::Outcome::kStale: res.insert("X-Cache", "STALE"); break;
      case cache::Outcome::kMiss: res.insert("X-Cache", "MISS"); break;
      case cache::Outcome::kBypass: res.insert("X-Cache", "BYPASS"); break;
    }
  }
  return res;
}

bool ChangesAccess(std::string_view target) {
  return target.starts_with("/auth/") || target.starts_with("/users") || target.starts_with("/empresas");
}

void ForgetAccessChecks(ApiContext& api) {
  if (api.access_checks) api.access_checks->BumpAll();
}

http::Handler Public(PublicBody body) {
  return [body = std::move(body)](http::RequestContext& ctx) -> awaitable<http::Response> {
    co_return Render(ctx, co_await body(ctx));
  };
}

http::Handler Authed(ApiContext& api, Access access, AuthedBody body) {
  return [&api, access = std::move(access), body = std::move(body)](http::RequestContext& ctx)
             -> awaitable<http::Response> {
    // A remembered access check is answered without entering Authenticate's coroutine, and
    // without a copy (`who` points into the access-check cache's entry, which `remembered` holds).
    const std::shared_ptr<const Principal> remembered = RememberedPrincipal(api, ctx);
    Result<Principal> authenticated;
    if (!remembered) {
      authenticated = co_await Authenticate(api, ctx);
      if (!authenticated) co_return Render(ctx, Fail(authenticated.error()));
    }
    const Principal* const who = remembered ? remembered.get() : &*authenticated;
    if (!access.roles.empty() && std::find(access.roles.begin(), access.roles.end(), who->rol) == access.roles.end())
      co_return Render(ctx, Fail(Error{ErrorKind::kPermissionDenied, "FORBIDDEN", "Rol no autorizado"}));
    if (access.tenant_required && !who->empresa_id)
      co_return Render(ctx, Fail(Error{ErrorKind::kPermissionDenied, "EMPRESA_REQUIRED",
                                       "Debe configurar una empresa antes de continuar"}));
    auto reply = co_await body(ctx, *who);
    // Any request that may have written (not GET/HEAD/OPTIONS) makes every cached entry of the
    // caller's tenant miss before it is answered, whatever its status: a handler may fail after
    // its commit, and a needless invalidation costs one recomputation, a missed one a stale answer.
    const auto method = ctx.request.method();
    if (method != http::beast_http::verb::get && method != http::beast_http::verb::head &&
        method != http::beast_http::verb::options) {
      if (who->empresa_id) co_await api.cache.Invalidate(*who->empresa_id);
      if (ChangesAccess(ctx.request.target())) ForgetAccessChecks(api);
    }
    co_return Render(ctx, reply);
  };
}

Reply CachedReply(cache::Served served) {
  Reply r;
  r.serialized = std::move(served.body);  // moved: a hot entry's count is shared by every I/O thread
  r.cache_outcome = served.outcome;
  return r;
}

http::Handler AuthedCached(ApiContext& api, Access access, cache::Category category, AuthedBody body) {
  access.tenant_required = true;
  return Authed(api, std::move(access),
                [&api, category, body = std::move(body)](http::RequestContext& ctx,
                                                         const Principal& who) -> awaitable<Result<Reply>> {
                  const std::string variant = who.rol + " " + std::string(ctx.request.target());
                  const cache::Cache::Factory factory = [&]() -> awaitable<Result<std::string>> {
                    auto reply = co_await body(ctx, who);
                    if (!reply) co_return Fail(reply.error());
                    co_return http::WriteJson(reply->body);
                  };
                  if (auto hit = api.cache.TryL1(co_await boost::asio::this_coro::executor, category,
                                                 *who.empresa_id, variant))
                    co_return CachedReply(std::move(*hit));
                  auto served = co_await api.cache.GetOrSet(category, *who.empresa_id, variant, factory);
                  if (!served) co_return Fail(served.error());
                  co_return CachedReply(std::move(*served));
                });
}

http::Handler Bind(ApiContext& api, Access access, RouteBody body) {
  return Authed(api, std::move(access),
                [&api, body](http::RequestContext& ctx, const Principal& who) { return body(api, ctx, who); });
}

http::Handler BindCached(ApiContext& api, Access access, cache::Category category, RouteBody body) {
  return AuthedCached(api, std::move(access), category,
                      [&api, body](http::RequestContext& ctx, const Principal& who) { return body(api, ctx, who); });
}

}  // namespace iam::api
