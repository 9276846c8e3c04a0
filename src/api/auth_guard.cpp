#include "api/auth_guard.hpp"

#include <charconv>

#include "domain/time_format.hpp"
#include "http/blocking.hpp"
#include "store/session_repository.hpp"

namespace iam::api {
namespace {

Error Unauthenticated(std::string message = "No autenticado", std::string code = "UNAUTHORIZED") {
  return {ErrorKind::kUnauthenticated, std::move(code), std::move(message)};
}

std::optional<domain::Id> ParseUserId(const std::string& sub) {
  domain::Id id = 0;
  auto [p, ec] = std::from_chars(sub.data(), sub.data() + sub.size(), id);
  if (ec != std::errc() || p != sub.data() + sub.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

std::string CookieValue(const http::Request& request, std::string_view name) {
  auto [first, last] = request.equal_range(http::beast_http::field::cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view cookies = field->value();
    while (!cookies.empty()) {
      auto semi = cookies.find(';');
      std::string_view pair = cookies.substr(0, semi);
      cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string ExtractAccessToken(const http::Request& request) {
  auto it = request.find(http::beast_http::field::authorization);
  if (it != request.end()) {
    std::string_view v = it->value();
    if (v.size() > 7 && (v.starts_with("Bearer ") || v.starts_with("bearer "))) return std::string(v.substr(7));
    return {};  // a malformed Authorization header is not silently replaced by a cookie
  }
  return CookieValue(request, "jwt");
}

namespace {
std::shared_ptr<const Principal> Remembered(ApiContext& api, std::string_view token, std::int64_t now_s) {
  if (!api.access_checks || token.empty()) return nullptr;
  // As old as the cache's in-process tier may serve: bounded by CACHE_L1_MAX_AGE_MS on
  // PostgreSQL unless the change feed proves every change (an "auth" one included) is applied.
  return api.access_checks->Get(token, now_s, api.cache.OldestServable(cache::CacheClock::now()));
}
}  // namespace

std::shared_ptr<const Principal> RememberedPrincipal(ApiContext& api, const http::RequestContext& ctx) {
  if (!api.access_checks) return nullptr;
  return Remembered(api, ExtractAccessToken(ctx.request), NowMs() / 1000);
}

boost::asio::awaitable<Result<Principal>> Authenticate(ApiContext& api, const http::RequestContext& ctx) {
  std::string token = ExtractAccessToken(ctx.request);
  if (token.empty()) co_return Fail(Unauthenticated("Token no proporcionado", "TOKEN_MISSING"));
  const std::int64_t now_s = NowMs() / 1000;
  if (auto remembered = Remembered(api, token, now_s)) co_return *remembered;
  const std::uint64_t epoch = api.access_checks ? api.access_checks->epoch() : 0;
  auto claims = crypto::VerifyJwt(token, api.auth.jwt, now_s);
  if (!claims) co_return Fail(claims.error());
  auto user_id = ParseUserId(claims->sub);
  if (!user_id) co_return Fail(Unauthenticated("Token inválido", "TOKEN_INVALID"));
  auto check = co_await http::RunBlocking(api.blocking, [&]() -> Result<store::AccessCheck> {
    auto lease = api.db.Acquire();
    if (!lease) return Fail(lease.error());
    return store::CheckAccessToken(**lease, *user_id, claims->jti, claims->issued_ms);
  });
  if (!check) co_return Fail(check.error());
  if (!check->user_found || !check->activo) co_return Fail(Unauthenticated("Usuario inactivo o inexistente"));
  if (check->revoked) co_return Fail(Unauthenticated("Token revocado", "TOKEN_REVOKED"));
  Principal p;
  p.user_id = *user_id;
  p.email = check->email;
  p.rol = check->rol;
  p.empresa_id = check->empresa_id;
  p.jti = claims->jti;
  p.expires_s = claims->exp;
  p.issued_ms = claims->issued_ms;
  if (api.access_checks) api.access_checks->Put(token, p, epoch);
  co_return p;
}

}  // namespace iam::api
