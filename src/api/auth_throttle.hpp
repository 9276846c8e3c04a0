// The auth rate limits of api.md on top of RateLimiter: failed logins per email and per client IP
// (checked before any password work, counted only on failure), registrations per IP and refreshes
// per user. A refusal is kRateLimited, code TOO_MANY_ATTEMPTS, with retry_after_s set.
// Thread-safe as the RateLimiter is; a Redis-backed limiter may block, as the callers allow.
#pragma once

#include <string>

#include "api/api_context.hpp"
#include "domain/entities.hpp"

namespace iam::api {

Result<void> CheckLoginAllowed(ApiContext& api, const std::string& email, const std::string& ip);
void RecordFailedLogin(ApiContext& api, const std::string& email, const std::string& ip);
// Checks, then counts one registration attempt of `ip`.
Result<void> CountRegistration(ApiContext& api, const std::string& ip);
// Checks, then counts one refresh of `user_id`.
Result<void> CountRefresh(ApiContext& api, domain::Id user_id);

}  // namespace iam::api
