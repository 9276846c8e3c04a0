// Authenticate(): the access-token check of every protected route. Takes the token from
// `Authorization: Bearer …` or the `jwt` cookie, verifies it (HS256, exp, iss/aud), then checks in
// ONE database round trip (on the blocking pool) that the user exists and is active, that the jti
// is not blacklisted and that the token was not issued before a "revoke all sessions" of its user.
// The lookup is keyed by (user id, jti) so the cache issue can cache it.
// Failure: kUnauthenticated (401); a database outage is kUnavailable (503).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>

#include "api/api_context.hpp"
#include "api/principal.hpp"
#include "http/types.hpp"

namespace iam::api {

// The raw token of a request (Bearer header first, then cookie `jwt`); empty when none.
std::string ExtractAccessToken(const http::Request& request);
// The value of cookie `name`, empty when absent.
std::string CookieValue(const http::Request& request, std::string_view name);

boost::asio::awaitable<Result<Principal>> Authenticate(ApiContext& api, const http::RequestContext& ctx);
// Authenticate's answer when the in-process access-check cache has it (no coroutine, no I/O);
// null: call Authenticate.
std::shared_ptr<const Principal> RememberedPrincipal(ApiContext& api, const http::RequestContext& ctx);

}  // namespace iam::api
