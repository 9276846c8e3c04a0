// refresh_tokens rows: one per session, linked to the session's access token by `jti`. Functions
// take a Connection so rotation (revoke old + insert new) runs in one InTransaction; all block.
// "Not found" is an empty optional, and a revoke that changed nothing returns false: that is how
// two concurrent rotations of one token are told apart (only one sees true).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct RefreshToken {
  domain::Id id = 0;
  domain::Id user_id = 0;
  std::string jti;  // empty on legacy rows without one
  std::int64_t expires_ms = 0;
  bool revoked = false;
};

Result<void> InsertRefreshToken(Connection& conn, const std::string& token, domain::Id user_id,
                                const std::string& jti, std::int64_t expires_ms);
Result<std::optional<RefreshToken>> FindRefreshToken(Connection& conn, const std::string& token);
// Revokes row `id` unless it is already revoked; true when this call revoked it.
Result<bool> RevokeRefreshTokenIfActive(Connection& conn, domain::Id id);
// Revokes `token` when it belongs to `user_id`; true when a row changed.
Result<bool> RevokeUserRefreshToken(Connection& conn, const std::string& token, domain::Id user_id);
// Revokes the refresh token of the session `jti` of `user_id`; true when a row changed.
Result<bool> RevokeSessionRefreshToken(Connection& conn, const std::string& jti, domain::Id user_id);

}  // namespace iam::store
