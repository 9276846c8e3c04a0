// The session cookies `jwt` (access token) and `rt` (refresh token) as Set-Cookie headers:
// HttpOnly, Path=/, SameSite=Lax in development and SameSite=None; Secure in production, Domain
// when auth.cookie_domain is set, Max-Age matching each token's lifetime. Pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/api_context.hpp"
#include "api/session_tokens.hpp"

namespace iam::api {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Two Set-Cookie headers carrying the session.
HeaderList SessionCookies(const SessionTokens& tokens, const AuthSettings& auth);
// Two Set-Cookie headers that delete both cookies (same attributes, Max-Age=0).
HeaderList ClearedSessionCookies(const AuthSettings& auth);

}  // namespace iam::api
