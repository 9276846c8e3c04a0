// Access-token attacks against a tenant route and a session route, by header and by cookie:
// missing, garbage, truncated, expired, not yet valid, wrong signature, `alg: none` (every
// spelling), other algorithms (HS384/HS512 with the right secret, RS256/ES256 headers over an
// HMAC), a payload altered under a valid signature, tokens of missing and deactivated users, a
// token in the query string, an oversized token, and tokens revoked by logout. Every one -> 401
// with the api.md error body, and no response echoes the token.
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <boost/json/serialize.hpp>
#include <cstring>

#include "crypto/jwt.hpp"
#include "domain/time_format.hpp"
#include "security/security_world.hpp"

namespace iam::security {
namespace {

namespace json = boost::json;

class JwtAttackTest : public SecurityTest {
 protected:
  std::string B64(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
  }
  std::string Mac(const EVP_MD* md, std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         mac, &len);
    return B64(std::string_view(reinterpret_cast<char*>(mac), len));
  }
  // Claims of a real, active ADMIN of tenant A, valid for an hour.
  json::object Claims() {
    std::int64_t now = NowMs() / 1000;
    return {{"sub", std::to_string(admin_.id)}, {"email", admin_.email}, {"rol", "ADMIN"},
            {"empresaId", w->a.empresa},        {"jti", crypto::RandomToken()},
            {"iat", now},                       {"exp", now + 3600}};
  }
  // header.payload.signature with the HMAC of `md` under `key` (nullptr md: no signature).
  std::string Token(const json::object& header, const json::object& payload, const EVP_MD* md, std::string_view key) {
    std::string input = B64(json::serialize(header)) + "." + B64(json::serialize(payload));
    return input + "." + (md != nullptr ? Mac(md, key, input) : std::string());
  }
  std::string Secret() { return h->api().auth.jwt.secret; }

  // Every way of presenting `token` is refused with 401 on a tenant route and on /auth/me.
  void ExpectRefused(const std::string& what, const std::string& token) {
    SCOPED_TRACE(what);
    for (const std::string target : {"/productos", "/auth/me"}) {
      std::vector<Request> asks = {
          {"GET", target, {}, {{"Authorization", "Bearer " + token}}, 0},
          {"GET", target, {}, {{"Cookie", "jwt=" + token}}, 0},
      };
      for (const auto& r : asks) {
        auto res = w->Send(SecurityWorld::Anonymous(), r);
        EXPECT_EQ(res.status, 401) << target << " " << r.headers[0].first << ": " << res.body;
        ASSERT_TRUE(res.json.is_object()) << res.body;
        EXPECT_EQ(res.json.at("statusCode"), 401);
        if (token.size() >= 8) {
          EXPECT_EQ(res.body.find(token), std::string::npos) << "the token is echoed";
        }
      }
    }
  }

  void SetUp() override {
    SecurityTest::SetUp();
    if (w) admin_ = w->NewUser(w->a.empresa, "ADMIN");
  }
  test::UserFixture admin_;
};

TEST_P(JwtAttackTest, TheGenuineTokenWorks) {
  // The control: without it every refusal below could be a broken token maker.
  std::string token = Token({{"alg", "HS256"}, {"typ", "JWT"}}, Claims(), EVP_sha256(), Secret());
  for (const std::string target : {"/productos", "/auth/me"}) {
    auto res = w->Send(SecurityWorld::Anonymous(), {"GET", target, {}, {{"Authorization", "Bearer " + token}}, 0});
    EXPECT_EQ(res.status, 200) << target << ": " << res.body;
    auto by_cookie = w->Send(SecurityWorld::Anonymous(), {"GET", target, {}, {{"Cookie", "jwt=" + token}}, 0});
    EXPECT_EQ(by_cookie.status, 200) << target << ": " << by_cookie.body;
  }
}

TEST_P(JwtAttackTest, MissingAndGarbageTokens) {
  for (const std::string target : {"/productos", "/auth/me"}) {
    EXPECT_EQ(w->Send(SecurityWorld::Anonymous(), {"GET", target, {}, {}, 0}).status, 401);
    for (const std::string header : {"Bearer", "Bearer ", "Basic YWRtaW46cGFzc3dvcmQ=", "bearer", "Token abc",
                                     "Bearer a.b", "Bearer ...", "Bearer a.b.c.d"}) {
      auto res = w->Send(SecurityWorld::Anonymous(), {"GET", target, {}, {{"Authorization", header}}, 0});
      EXPECT_EQ(res.status, 401) << header << ": " << res.body;
    }
  }
  for (const std::string& garbage : std::vector<std::string>{"abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.e30.",
                                    "%00%00", "null", "undefined", "' OR '1'='1", std::string(300, 'A')}) {
    ExpectRefused("garbage " + garbage.substr(0, 20), garbage);
  }
  ExpectRefused("oversized", std::string(9000, 'x') + "." + std::string(100, 'y') + ".z");
}

TEST_P(JwtAttackTest, ExpiredNotYetValidAndWrongSignature) {
  auto expired = Claims();
  expired["iat"] = NowMs() / 1000 - 7200;
  expired["exp"] = NowMs() / 1000 - 10;
  ExpectRefused("expired", Token({{"alg", "HS256"}}, expired, EVP_sha256(), Secret()));
  auto early = Claims();
  early["nbf"] = NowMs() / 1000 + 3600;
  ExpectRefused("nbf in the future", Token({{"alg", "HS256"}}, early, EVP_sha256(), Secret()));
  ExpectRefused("other secret", Token({{"alg", "HS256"}}, Claims(), EVP_sha256(), "another-secret-0123456789abcdef"));
  ExpectRefused("empty secret", Token({{"alg", "HS256"}}, Claims(), EVP_sha256(), ""));
  std::string good = Token({{"alg", "HS256"}}, Claims(), EVP_sha256(), Secret());
  ExpectRefused("signature cut", good.substr(0, good.size() - 2));
  ExpectRefused("no signature", good.substr(0, good.rfind('.') + 1));
  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  ExpectRefused("signature changed", flipped);
}

TEST_P(JwtAttackTest, AlgNoneAndOtherAlgorithms) {
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    ExpectRefused(std::string("alg ") + none + " unsigned", Token({{"alg", none}, {"typ", "JWT"}}, Claims(), nullptr, ""));
    ExpectRefused(std::string("alg ") + none + " with an HMAC",
                  Token({{"alg", none}, {"typ", "JWT"}}, Claims(), EVP_sha256(), Secret()));
  }
  ExpectRefused("HS384", Token({{"alg", "HS384"}}, Claims(), EVP_sha384(), Secret()));
  ExpectRefused("HS512", Token({{"alg", "HS512"}}, Claims(), EVP_sha512(), Secret()));
  ExpectRefused("RS256 over an HMAC", Token({{"alg", "RS256"}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("ES256 over an HMAC", Token({{"alg", "ES256"}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("hs256 in lower case", Token({{"alg", "hs256"}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("no alg", Token({{"typ", "JWT"}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("alg null", Token({{"alg", nullptr}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("alg array", Token({{"alg", json::array{"HS256"}}}, Claims(), EVP_sha256(), Secret()));
  ExpectRefused("alg HS256 padded", Token({{"alg", "HS256 "}}, Claims(), EVP_sha256(), Secret()));
}

TEST_P(JwtAttackTest, PayloadAlteredUnderAValidSignature) {
  std::string good = Token({{"alg", "HS256"}}, Claims(), EVP_sha256(), Secret());
  auto d1 = good.find('.'), d2 = good.rfind('.');
  auto escalated = Claims();
  escalated["rol"] = "SUPERADMIN";
  escalated["empresaId"] = w->b.empresa;
  ExpectRefused("payload swapped", good.substr(0, d1 + 1) + B64(json::serialize(escalated)) + good.substr(d2));
  ExpectRefused("header swapped", B64(R"({"alg":"none"})") + good.substr(d1));
}

TEST_P(JwtAttackTest, TokensOfMissingOrDeactivatedUsers) {
  auto ghost = Claims();
  ghost["sub"] = "987654321";
  ExpectRefused("unknown user", Token({{"alg", "HS256"}}, ghost, EVP_sha256(), Secret()));
  auto no_sub = Claims();
  no_sub.erase("sub");
  ExpectRefused("no sub", Token({{"alg", "HS256"}}, no_sub, EVP_sha256(), Secret()));
  auto victim = w->NewUser(w->a.empresa, "EMPLEADO");
  auto token = h->MintToken(victim, w->a.empresa);
  auto deactivate = w->AdminCall(w->a, "DELETE", "/users/" + std::to_string(victim.id));
  EXPECT_FALSE(deactivate.is_null());
  ExpectRefused("deactivated user", token);
}

TEST_P(JwtAttackTest, TokenInTheQueryStringIsNotAccepted) {
  std::string token = Token({{"alg", "HS256"}}, Claims(), EVP_sha256(), Secret());
  for (const char* name : {"token", "jwt", "access_token", "authorization"}) {
    auto res = w->Send(SecurityWorld::Anonymous(), {"GET", "/auth/me?" + std::string(name) + "=" + token, {}, {}, 0});
    EXPECT_EQ(res.status, 401) << name;
  }
}

TEST_P(JwtAttackTest, LogoutRevokesTheAccessAndTheRefreshToken) {
  auto user = w->NewUser(w->a.empresa, "EMPLEADO");
  auto login = h->Post("/auth/login", json::object{{"email", user.email}, {"password", user.password}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string access(login.json.at("token").as_string());
  std::string refresh(login.json.at("refreshToken").as_string());
  auto me = w->Send(SecurityWorld::Anonymous(), {"GET", "/auth/me", {}, {{"Authorization", "Bearer " + access}}, 0});
  ASSERT_EQ(me.status, 200) << me.body;
  auto out = w->Send(SecurityWorld::Anonymous(), {"POST", "/auth/logout", json::serialize(json::object{{"refreshToken", refresh}}),
                                                  {{"Authorization", "Bearer " + access}}, 0});
  ASSERT_EQ(out.status, 200) << out.body;
  ExpectRefused("after logout", access);
  auto again = w->Send(SecurityWorld::Anonymous(),
                       {"POST", "/auth/refresh", json::serialize(json::object{{"refreshToken", refresh}}), {}, 0});
  EXPECT_EQ(again.status, 401) << again.body;
  // The user's other sessions are untouched by this logout (a fresh login still works).
  auto relogin = h->Post("/auth/login", json::object{{"email", user.email}, {"password", user.password}});
  EXPECT_EQ(relogin.status, 200) << relogin.body;
}

TEST_P(JwtAttackTest, LogoutByCookieRevokesTheCookieToken) {
  auto user = w->NewUser(w->a.empresa, "EMPLEADO");
  auto login = h->Post("/auth/login", json::object{{"email", user.email}, {"password", user.password}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string access(login.json.at("token").as_string());
  auto out = w->Send(SecurityWorld::Anonymous(), {"POST", "/auth/logout", {}, {{"Cookie", "jwt=" + access}}, 0});
  ASSERT_EQ(out.status, 200) << out.body;
  ExpectRefused("after logout by cookie", access);
}

IAM_SECURITY_BACKENDS(JwtAttackTest);

}  // namespace
}  // namespace iam::security
