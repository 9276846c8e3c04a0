// Sessions: an access JWT plus a refresh token stored in refresh_tokens with the access token's
// jti (that link is what lets "revoke all but this session" keep the refresh token too). Issuing
// and rotating block on the database: call them inside RunBlocking. Rotation is a compare-and-set,
// so of two concurrent rotations of one token at most one succeeds.
#pragma once

#include <cstdint>
#include <string>

#include "api/api_context.hpp"
#include "domain/entities.hpp"
#include "store/database.hpp"

namespace iam::api {

struct SessionTokens {
  std::string access_token, refresh_token, jti;
  std::int64_t access_expires_s = 0;  // the JWT's exp
};

// Signs an access token for `user` (its current rol and empresaId) and stores a new refresh token
// for it, valid auth.refresh_ttl_s.
Result<SessionTokens> StartSession(store::Connection& conn, const domain::Usuario& user, const AuthSettings& auth);

enum class RefreshOutcome {
  kRotated,   // tokens holds the new pair; the old refresh token is revoked
  kInvalid,   // unknown, expired, or its user is gone or inactive
  kReused,    // it had already been rotated or revoked: every session of its user is now revoked
  kRaced,     // a concurrent request rotated it first
};

struct Rotation {
  RefreshOutcome outcome = RefreshOutcome::kInvalid;
  SessionTokens tokens;
};

// Rotates `refresh_token` in one transaction (revoke old, insert new). The reuse revocation is
// committed even though the request fails.
Result<Rotation> RotateSession(store::Database& db, const std::string& refresh_token, const AuthSettings& auth);

}  // namespace iam::api
