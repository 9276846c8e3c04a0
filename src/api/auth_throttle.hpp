// The auth rate limits of api.md on top of RateLimiter: failed logins per email and per client IP
// (checked before any password work, counted only on failure), registrations per IP and refreshes
// per user. A refusal is kRateLimited, code TOO_MANY_ATTEMPTS, with retry_after_s set.
// Coroutines; thread-safe as the RateLimiter is.
#pragma once

#include <string>

#include "api/api_context.hpp"
#include "domain/entities.hpp"

namespace iam::api {

boost::asio::awaitable<Result<void>> CheckLoginAllowed(ApiContext& api, std::string email, std::string ip);
boost::asio::awaitable<void> RecordFailedLogin(ApiContext& api, std::string email, std::string ip);
// Checks, then counts one registration attempt of `ip`.
boost::asio::awaitable<Result<void>> CountRegistration(ApiContext& api, std::string ip);
// Checks, then counts one refresh of `user_id`.
boost::asio::awaitable<Result<void>> CountRefresh(ApiContext& api, domain::Id user_id);

}  // namespace iam::api
