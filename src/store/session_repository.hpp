// Token revocation and session bookkeeping (BlacklistedToken, iam_user_revocations). Functions
// take a Connection so callers can compose them inside their own transactions. Blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct AccessCheck {
  bool user_found = false;
  bool activo = false;
  std::string rol;
  std::optional<domain::Id> empresa_id;
  std::string email;
  bool revoked = false;  // jti blacklisted, or issued before the user's last "revoke all"
};

// One round trip: the user's current state and whether this token is revoked.
Result<AccessCheck> CheckAccessToken(Connection& conn, domain::Id user_id, const std::string& jti,
                                     std::int64_t issued_ms);

// Blacklists one access token until it expires (logout). Idempotent.
Result<void> BlacklistJti(Connection& conn, const std::string& jti, domain::Id user_id, std::int64_t expires_ms,
                          const std::string& reason);

// Revokes every access token of the user issued before `now_ms` except `keep_jti` (empty: keep
// none), and every refresh token except the one whose jti is `keep_jti`.
Result<void> RevokeAllSessions(Connection& conn, domain::Id user_id, std::int64_t now_ms, const std::string& keep_jti);

}  // namespace iam::store
