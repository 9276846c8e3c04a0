#include "api/auth_cookies.hpp"

#include <fmt/format.h>

namespace iam::api {
namespace {

std::string Cookie(std::string_view name, std::string_view value, std::int64_t max_age_s, const AuthSettings& auth) {
  std::string c = fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly", name, value, max_age_s);
  c += auth.production ? "; SameSite=None; Secure" : "; SameSite=Lax";
  if (!auth.cookie_domain.empty()) c += "; Domain=" + auth.cookie_domain;
  return c;
}

}  // namespace

HeaderList SessionCookies(const SessionTokens& tokens, const AuthSettings& auth) {
  return {{"Set-Cookie", Cookie("jwt", tokens.access_token, auth.access_ttl_s, auth)},
          {"Set-Cookie", Cookie("rt", tokens.refresh_token, auth.refresh_ttl_s, auth)}};
}

HeaderList ClearedSessionCookies(const AuthSettings& auth) {
  return {{"Set-Cookie", Cookie("jwt", "", 0, auth)}, {"Set-Cookie", Cookie("rt", "", 0, auth)}};
}

}  // namespace iam::api
