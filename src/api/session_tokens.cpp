#include "api/session_tokens.hpp"

#include "crypto/jwt.hpp"
#include "domain/time_format.hpp"
#include "store/refresh_token_repository.hpp"
#include "store/session_repository.hpp"
#include "store/user_repository.hpp"

namespace iam::api {

Result<SessionTokens> StartSession(store::Connection& conn, const domain::Usuario& user, const AuthSettings& auth) {
  crypto::JwtClaims claims;
  claims.sub = std::to_string(user.id);
  claims.email = user.email;
  claims.rol = user.rol;
  claims.empresa_id = user.empresa_id;
  claims.jti = crypto::RandomToken();
  claims.issued_ms = NowMs();
  claims.iat = claims.issued_ms / 1000;
  claims.exp = claims.iat + auth.access_ttl_s;

  SessionTokens out;
  out.access_token = crypto::SignJwt(claims, auth.jwt);
  out.refresh_token = crypto::RandomToken(32);
  out.jti = claims.jti;
  out.access_expires_s = claims.exp;
  auto stored = store::InsertRefreshToken(conn, out.refresh_token, user.id, out.jti,
                                          claims.issued_ms + auth.refresh_ttl_s * 1000);
  if (!stored) return Fail(stored.error());
  return out;
}

Result<Rotation> RotateSession(store::Database& db, const std::string& refresh_token, const AuthSettings& auth) {
  return store::InTransaction(db, [&](store::Connection& conn) -> Result<Rotation> {
    Rotation rotation;
    auto row = store::FindRefreshToken(conn, refresh_token);
    if (!row) return Fail(row.error());
    if (!*row) return rotation;
    const store::RefreshToken& old = **row;
    std::int64_t now = NowMs();
    if (old.revoked) {
      // A rotated token presented again: whoever holds it may have stolen it, so end every session.
      if (auto r = store::RevokeAllSessions(conn, old.user_id, now + 1, ""); !r) return Fail(r.error());
      rotation.outcome = RefreshOutcome::kReused;
      return rotation;
    }
    if (old.expires_ms <= now) return rotation;
    auto user = store::FindUserById(conn, old.user_id);
    if (!user) return Fail(user.error());
    if (!*user || !(*user)->activo) return rotation;
    auto revoked = store::RevokeRefreshTokenIfActive(conn, old.id);
    if (!revoked) return Fail(revoked.error());
    if (!*revoked) {
      rotation.outcome = RefreshOutcome::kRaced;
      return rotation;
    }
    auto tokens = StartSession(conn, **user, auth);
    if (!tokens) return Fail(tokens.error());
    rotation.outcome = RefreshOutcome::kRotated;
    rotation.tokens = std::move(*tokens);
    return rotation;
  });
}

}  // namespace iam::api
