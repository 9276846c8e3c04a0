// Token extraction and the revocation lookup behind Authenticate(), on both backends.
#include "api/auth_guard.hpp"

#include <gtest/gtest.h>

#include "api/harness/api_harness.hpp"
#include "crypto/jwt.hpp"
#include "domain/time_format.hpp"
#include "store/session_repository.hpp"

namespace iam::api {
namespace {

TEST(AuthGuardTest, TokenComesFromBearerHeaderThenCookie) {
  http::Request r;
  r.set(http::beast_http::field::cookie, "a=1; jwt=fromcookie; rt=x");
  EXPECT_EQ(ExtractAccessToken(r), "fromcookie");
  EXPECT_EQ(CookieValue(r, "rt"), "x");
  EXPECT_EQ(CookieValue(r, "missing"), "");
  r.set(http::beast_http::field::authorization, "Bearer fromheader");
  EXPECT_EQ(ExtractAccessToken(r), "fromheader");
  r.set(http::beast_http::field::authorization, "Basic Zm9vOmJhcg==");
  EXPECT_EQ(ExtractAccessToken(r), "") << "a non-Bearer Authorization header is not replaced by the cookie";
}

class SessionRepositoryTest : public test::ApiTest {};

TEST_P(SessionRepositoryTest, BlacklistAndRevokeAllAreSeenByTheCheck) {
  auto t = h->CreateTenant("Acme");
  auto lease = h->db().Acquire();
  ASSERT_TRUE(lease.has_value());
  auto& conn = **lease;
  std::int64_t now = NowMs();
  auto ok = store::CheckAccessToken(conn, t.admin.id, "jti-a", now - 1000);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_TRUE(ok->user_found);
  EXPECT_TRUE(ok->activo);
  EXPECT_EQ(ok->rol, "ADMIN");
  EXPECT_EQ(ok->empresa_id, t.empresa_id);
  EXPECT_FALSE(ok->revoked);

  ASSERT_TRUE(store::BlacklistJti(conn, "jti-a", t.admin.id, now + 3600000, "logout").has_value());
  ASSERT_TRUE(store::BlacklistJti(conn, "jti-a", t.admin.id, now + 3600000, "logout").has_value()) << "idempotent";
  EXPECT_TRUE(store::CheckAccessToken(conn, t.admin.id, "jti-a", now - 1000)->revoked);
  EXPECT_FALSE(store::CheckAccessToken(conn, t.admin.id, "jti-b", now - 1000)->revoked);

  ASSERT_TRUE(store::RevokeAllSessions(conn, t.admin.id, now, "jti-keep").has_value());
  EXPECT_TRUE(store::CheckAccessToken(conn, t.admin.id, "jti-b", now - 1)->revoked) << "issued before";
  EXPECT_FALSE(store::CheckAccessToken(conn, t.admin.id, "jti-c", now + 1)->revoked) << "issued after";
  EXPECT_FALSE(store::CheckAccessToken(conn, t.admin.id, "jti-keep", now - 1)->revoked) << "the kept session";
  EXPECT_FALSE(store::CheckAccessToken(conn, t.empleado.id, "jti-b", now - 1)->revoked) << "other users untouched";
  EXPECT_FALSE(store::CheckAccessToken(conn, 999999, "x", now)->user_found);
}

IAM_API_BACKENDS(SessionRepositoryTest);

}  // namespace
}  // namespace iam::api
