#include "store/session_repository.hpp"

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

constexpr const char* kCheckAccessToken = R"(
SELECT u."activo", u."rol", u."empresaId", u."email",
       EXISTS (SELECT 1 FROM "BlacklistedToken" b WHERE b."jti" = $2) AS blacklisted,
       r."revoked_before_ms", r."keep_jti"
FROM "Usuario" u LEFT JOIN "iam_user_revocations" r ON r."user_id" = u."id"
WHERE u."id" = $1)";

constexpr const char* kBlacklistJti = R"(
INSERT INTO "BlacklistedToken" ("jti", "userId", "reason", "expiresAt") VALUES ($1, $2, $3, $4)
ON CONFLICT ("jti") DO NOTHING)";

constexpr const char* kUpsertRevocation = R"(
INSERT INTO "iam_user_revocations" ("user_id", "revoked_before_ms", "keep_jti") VALUES ($1, $2, $3)
ON CONFLICT ("user_id") DO UPDATE SET "revoked_before_ms" = excluded."revoked_before_ms",
                                      "keep_jti" = excluded."keep_jti")";

constexpr const char* kRevokeRefreshTokens = R"(
UPDATE "refresh_tokens" SET "is_revoked" = $3
WHERE "user_id" = $1 AND ("jti" IS NULL OR "jti" <> $2) AND "is_revoked" = $4)";

}  // namespace

Result<AccessCheck> CheckAccessToken(Connection& conn, domain::Id user_id, const std::string& jti,
                                     std::int64_t issued_ms) {
  auto rows = conn.Query(kCheckAccessToken, {Param(user_id), Param(jti)});
  if (!rows) return Fail(rows.error());
  AccessCheck check;
  if (rows->empty()) return check;
  auto r = (*rows)[0];
  check.user_found = true;
  check.activo = r.Bool(0);
  check.rol = r.Text(1);
  check.empresa_id = r.OptInt(2);
  check.email = r.Text(3);
  bool blacklisted = r.Bool(4);
  auto revoked_before = r.OptInt(5);
  auto keep = r.OptText(6);
  bool revoked_by_epoch = revoked_before && issued_ms < *revoked_before && !(keep && !jti.empty() && *keep == jti);
  check.revoked = blacklisted || revoked_by_epoch;
  return check;
}

Result<void> BlacklistJti(Connection& conn, const std::string& jti, domain::Id user_id, std::int64_t expires_ms,
                          const std::string& reason) {
  auto r = conn.Query(kBlacklistJti, {Param(jti), Param(user_id), Param(reason), Param(FormatIsoMs(expires_ms))});
  if (!r) return Fail(r.error());
  return {};
}

Result<void> RevokeAllSessions(Connection& conn, domain::Id user_id, std::int64_t now_ms, const std::string& keep_jti) {
  Param keep = keep_jti.empty() ? Param(nullptr) : Param(keep_jti);
  auto r = conn.Query(kUpsertRevocation, {Param(user_id), Param(now_ms), keep});
  if (!r) return Fail(r.error());
  auto t = conn.Query(kRevokeRefreshTokens, {Param(user_id), Param(keep_jti), Param(true), Param(false)});
  if (!t) return Fail(t.error());
  return {};
}

}  // namespace iam::store
