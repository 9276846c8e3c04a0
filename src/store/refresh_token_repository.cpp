#include "store/refresh_token_repository.hpp"

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

constexpr const char* kInsert = R"(
INSERT INTO "refresh_tokens" ("token", "user_id", "expires_at", "is_revoked", "jti", "created_at")
VALUES ($1, $2, $3, $4, $5, $6))";

constexpr const char* kSelect = R"(
SELECT "id", "user_id", "jti", "expires_at", "is_revoked" FROM "refresh_tokens" WHERE "token" = $1)";

// The `is_revoked = false` condition makes the revoke a compare-and-set: of two concurrent
// rotations only one changes the row.
constexpr const char* kRevokeIfActive = R"(
UPDATE "refresh_tokens" SET "is_revoked" = $2 WHERE "id" = $1 AND "is_revoked" = $3)";

constexpr const char* kRevokeUserToken = R"(
UPDATE "refresh_tokens" SET "is_revoked" = $3 WHERE "token" = $1 AND "user_id" = $2 AND "is_revoked" = $4)";

constexpr const char* kRevokeSessionToken = R"(
UPDATE "refresh_tokens" SET "is_revoked" = $3 WHERE "jti" = $1 AND "user_id" = $2 AND "is_revoked" = $4)";

}  // namespace

Result<void> InsertRefreshToken(Connection& conn, const std::string& token, domain::Id user_id,
                                const std::string& jti, std::int64_t expires_ms) {
  auto r = conn.Query(kInsert, {Param(token), Param(user_id), Param(FormatIsoMs(expires_ms)), Param(false),
                                Param(jti), Param(FormatIsoMs(NowMs()))});
  if (!r) return Fail(r.error());
  return {};
}

Result<std::optional<RefreshToken>> FindRefreshToken(Connection& conn, const std::string& token) {
  auto rows = conn.Query(kSelect, {Param(token)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<RefreshToken>();
  auto r = (*rows)[0];
  RefreshToken t;
  t.id = r.Int(0);
  t.user_id = r.Int(1);
  t.jti = r.Text(2);
  t.expires_ms = r.OptTimeMs(3).value_or(0);
  t.revoked = r.Bool(4);
  return std::optional<RefreshToken>(t);
}

Result<bool> RevokeRefreshTokenIfActive(Connection& conn, domain::Id id) {
  auto r = conn.Query(kRevokeIfActive, {Param(id), Param(true), Param(false)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

Result<bool> RevokeUserRefreshToken(Connection& conn, const std::string& token, domain::Id user_id) {
  auto r = conn.Query(kRevokeUserToken, {Param(token), Param(user_id), Param(true), Param(false)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

Result<bool> RevokeSessionRefreshToken(Connection& conn, const std::string& jti, domain::Id user_id) {
  auto r = conn.Query(kRevokeSessionToken, {Param(jti), Param(user_id), Param(true), Param(false)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

}  // namespace iam::store
