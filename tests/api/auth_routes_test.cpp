// Black-box tests of the auth routes (api.md "Auth") on both backends: the whole session life
// cycle, cookies, rate limits, legacy bcrypt upgrade, JWT edge cases and validation.
#include "api/routes.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <thread>

#include "api/harness/api_harness.hpp"
#include "crypto/jwt.hpp"
#include "domain/time_format.hpp"

namespace iam::api {
namespace {

namespace json = boost::json;
using test::HttpResult;

std::string Str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }
std::string Code(const HttpResult& r) { return r.json.is_object() ? Str(r.json, "code") : std::string(); }

std::vector<std::string> SetCookies(const HttpResult& r) {
  std::vector<std::string> out;
  auto [first, last] = r.headers.equal_range("set-cookie");
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

std::string B64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) out += kAlphabet[(buf >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(buf << (6 - bits)) & 63];
  return out;
}

// A token with any header, signed with HMAC-`md` (nullptr: no signature, as alg "none").
std::string HandMadeToken(const std::string& header, const json::object& claims, const std::string& secret,
                          const EVP_MD* md) {
  std::string input = B64Url(header) + "." + B64Url(json::serialize(claims));
  if (md == nullptr) return input + ".";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return input + "." + B64Url(std::string_view(reinterpret_cast<char*>(mac), len));
}

class AuthRoutesTest : public test::ApiTest {
 protected:
  HttpResult Register(const std::string& email, const std::string& password = "password123") {
    return h->Post("/auth/register", json::object{{"nombre", "Ana"}, {"email", email}, {"password", password}});
  }
  HttpResult Login(const std::string& email, const std::string& password) {
    return h->Post("/auth/login", json::object{{"email", email}, {"password", password}});
  }
  HttpResult Refresh(const std::string& rt) { return h->Post("/auth/refresh", json::object{{"refreshToken", rt}}); }
  int MeStatus(const std::string& token) { return h->Get("/auth/me", token).status; }
};

TEST_P(AuthRoutesTest, FullSessionLifeCycle) {
  auto reg = Register("Ana@Example.com");
  ASSERT_EQ(reg.status, 201) << reg.body;
  const auto& user = reg.json.at("user");
  EXPECT_EQ(Str(user, "email"), "ana@example.com");
  EXPECT_EQ(Str(user, "rol"), "ADMIN");
  EXPECT_TRUE(user.at("empresaId").is_null());
  EXPECT_FALSE(user.at("setupCompletado").as_bool());
  EXPECT_TRUE(user.at("activo").as_bool());
  EXPECT_FALSE(user.as_object().contains("password"));
  EXPECT_EQ(user.as_object().size(), 7u);
  EXPECT_EQ(SetCookies(reg).size(), 2u);
  std::string token = Str(reg.json, "token");

  auto no_tenant = h->Get("/empresas/mia", token);
  EXPECT_EQ(no_tenant.status, 403);
  EXPECT_EQ(Code(no_tenant), "EMPRESA_REQUIRED");

  auto setup = h->Post("/auth/setup-empresa", json::object{{"nombreEmpresa", "Acme"}, {"tipoIndustria", "ROPA"},
                                                           {"rfc", "abc123456xyz"}}, token);
  ASSERT_EQ(setup.status, 201) << setup.body;
  auto empresa_id = setup.json.at("empresa").at("id").as_int64();
  EXPECT_EQ(Str(setup.json.at("empresa"), "rfc"), "ABC123456XYZ");
  EXPECT_EQ(setup.json.at("user").at("empresaId").as_int64(), empresa_id);
  EXPECT_TRUE(setup.json.at("user").at("setupCompletado").as_bool());
  auto claims = crypto::VerifyJwt(Str(setup.json, "token"), h->api().auth.jwt, NowMs() / 1000);
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->empresa_id, empresa_id);
  EXPECT_EQ(h->Post("/auth/setup-empresa", json::object{{"nombreEmpresa", "Otra"}}, token).status, 409);

  token = Str(setup.json, "token");
  std::string rt = Str(setup.json, "refreshToken");
  auto me = h->Get("/auth/me", token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json.at("empresaId").as_int64(), empresa_id);

  auto rotated = Refresh(rt);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  std::string token2 = Str(rotated.json, "token"), rt2 = Str(rotated.json, "refreshToken");
  EXPECT_NE(rt2, rt);
  EXPECT_EQ(MeStatus(token2), 200);

  auto reused = Refresh(rt);
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(Code(reused), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Refresh(rt2).status, 401) << "reuse revoked the rotated session's refresh token";
  EXPECT_EQ(MeStatus(token2), 401) << "and its access token";
  EXPECT_EQ(MeStatus(token), 401);

  auto login = Login("ana@example.com", "password123");
  ASSERT_EQ(login.status, 200);
  std::string token3 = Str(login.json, "token");
  auto logout = h->Post("/auth/logout", json::object{}, token3);
  ASSERT_EQ(logout.status, 200) << logout.body;
  for (const auto& c : SetCookies(logout)) EXPECT_NE(c.find("Max-Age=0"), std::string::npos) << c;
  EXPECT_EQ(MeStatus(token3), 401);
  EXPECT_EQ(h->Post("/auth/logout", json::object{}, token3).status, 401);
  EXPECT_EQ(Refresh(Str(login.json, "refreshToken")).status, 401) << "the session's refresh token is revoked too";
}

TEST_P(AuthRoutesTest, ChangePasswordEndsOtherSessionsOnly) {
  auto t = h->CreateTenant("Acme");
  auto a = Login(t.admin.email, "password123");
  auto b = Login(t.admin.email, "password123");
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  std::string ta = Str(a.json, "token");

  auto wrong = h->Post("/auth/change-password",
                       json::object{{"passwordActual", "nope-nope"}, {"passwordNueva", "brandnew123"}}, ta);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Code(wrong), "INVALID_CURRENT_PASSWORD");
  auto short_pw = h->Post("/auth/change-password",
                          json::object{{"passwordActual", "password123"}, {"passwordNueva", "short"}}, ta);
  EXPECT_EQ(short_pw.status, 400);
  EXPECT_NE(Str(short_pw.json, "message").find("passwordNueva"), std::string::npos);

  auto ok = h->Post("/auth/change-password",
                    json::object{{"passwordActual", "password123"}, {"passwordNueva", "brandnew123"}}, ta);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(MeStatus(ta), 200) << "the current session survives";
  EXPECT_EQ(MeStatus(Str(b.json, "token")), 401);
  EXPECT_EQ(MeStatus(t.admin.token), 401);
  auto renewed = Refresh(Str(a.json, "refreshToken"));
  EXPECT_EQ(renewed.status, 200) << "the current session's refresh token survives too";
  EXPECT_EQ(Login(t.admin.email, "password123").status, 401);
  EXPECT_EQ(Login(t.admin.email, "brandnew123").status, 200);
  // A revoked refresh token presented again is treated as reuse: every session ends.
  EXPECT_EQ(Code(Refresh(Str(b.json, "refreshToken"))), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(MeStatus(Str(renewed.json, "token")), 401);
  auto stored = h->Sql(R"(SELECT "password" FROM "Usuario" WHERE "id" = $1)", {store::Param(t.admin.id)});
  EXPECT_TRUE(stored[0].Text(0).starts_with("$argon2id$"));
}

TEST_P(AuthRoutesTest, LoginSetsSessionCookiesThatAuthenticate) {
  auto t = h->CreateTenant("Acme");
  auto login = Login(t.empleado.email, "password123");
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(Str(login.json, "message"), "Login exitoso");
  EXPECT_EQ(Str(login.json.at("user"), "rol"), "EMPLEADO");
  auto cookies = SetCookies(login);
  ASSERT_EQ(cookies.size(), 2u);
  std::string jwt = "jwt=" + Str(login.json, "token") + ";", rt = "rt=" + Str(login.json, "refreshToken") + ";";
  EXPECT_TRUE(cookies[0].starts_with(jwt)) << cookies[0];
  EXPECT_TRUE(cookies[1].starts_with(rt)) << cookies[1];
  for (const auto& c : cookies) {
    EXPECT_NE(c.find("HttpOnly"), std::string::npos) << c;
    EXPECT_NE(c.find("Path=/"), std::string::npos) << c;
    EXPECT_NE(c.find("SameSite=Lax"), std::string::npos) << c;
    EXPECT_EQ(c.find("Secure"), std::string::npos) << c;
  }
  EXPECT_NE(cookies[0].find("Max-Age=86400"), std::string::npos);
  EXPECT_NE(cookies[1].find("Max-Age=604800"), std::string::npos);

  auto me = h->Request("GET", "/auth/me", {}, {}, {{"Cookie", "jwt=" + Str(login.json, "token")}});
  EXPECT_EQ(me.status, 200);
  auto refreshed = h->Request("POST", "/auth/refresh", {}, {}, {{"Cookie", "rt=" + Str(login.json, "refreshToken")}});
  EXPECT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(SetCookies(refreshed).size(), 2u);
}

TEST_P(AuthRoutesTest, ProductionCookiesAreSecureWithDomain) {
  h->api().auth.production = true;
  h->api().auth.cookie_domain = "example.com";
  auto t = h->CreateTenant("Acme");
  auto login = Login(t.admin.email, "password123");
  ASSERT_EQ(login.status, 200);
  for (const auto& c : SetCookies(login)) {
    EXPECT_NE(c.find("SameSite=None; Secure"), std::string::npos) << c;
    EXPECT_NE(c.find("Domain=example.com"), std::string::npos) << c;
  }
}

TEST_P(AuthRoutesTest, WrongEmailAndWrongPasswordLookTheSame) {
  auto t = h->CreateTenant("Acme");
  auto wrong_email = Login("nobody@acme.test", "password123");
  auto wrong_password = Login(t.admin.email, "password124");
  EXPECT_EQ(wrong_email.status, 401);
  EXPECT_EQ(wrong_password.status, 401);
  EXPECT_EQ(wrong_email.body, wrong_password.body);

  h->Sql(R"(UPDATE "Usuario" SET "activo" = $1 WHERE "id" = $2)", {store::Param(false), store::Param(t.empleado.id)});
  EXPECT_EQ(Login(t.empleado.email, "password123").body, wrong_email.body) << "inactive";
  h->Sql(R"(UPDATE "Usuario" SET "password" = NULL WHERE "id" = $1)", {store::Param(t.proveedor.id)});
  EXPECT_EQ(Login(t.proveedor.email, "password123").body, wrong_email.body) << "no password (e.g. Google account)";
  EXPECT_EQ(Login(t.admin.email.substr(0, 1) == "a" ? "ADMIN" + t.admin.email.substr(5) : t.admin.email,
                  "password123").status, 200) << "email is case-insensitive";
}

TEST_P(AuthRoutesTest, FailedLoginsAreRateLimited) {
  auto t = h->CreateTenant("Acme");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Login(t.admin.email, "password123").status, 200) << "successes don't count";
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Login(t.admin.email, "wrong-password").status, 401) << i;
  auto blocked = Login(t.admin.email, "wrong-password");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(Code(blocked), "TOO_MANY_ATTEMPTS");
  int retry = std::stoi(blocked.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
  EXPECT_EQ(Login(t.admin.email, "password123").status, 429) << "even the right password while blocked";
  EXPECT_EQ(Login(t.empleado.email, "password123").status, 429) << "the client IP is blocked too";
}

TEST_P(AuthRoutesTest, LegacyBcryptHashIsAcceptedAndUpgraded) {
  auto t = h->CreateTenant("Acme");
  h->Sql(R"(INSERT INTO "Usuario" ("empresaId", "nombre", "email", "password", "rol") VALUES ($1, $2, $3, $4, $5))",
         {store::Param(t.empresa_id), store::Param("Legacy"), store::Param("legacy@acme.test"),
          store::Param("$2b$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS"), store::Param("EMPLEADO")});
  EXPECT_EQ(Login("legacy@acme.test", "secret124").status, 401);
  auto login = Login("legacy@acme.test", "secret123");
  ASSERT_EQ(login.status, 200) << login.body;
  auto stored = h->Sql(R"(SELECT "password" FROM "Usuario" WHERE "email" = $1)", {store::Param("legacy@acme.test")});
  EXPECT_TRUE(stored[0].Text(0).starts_with("$argon2id$")) << stored[0].Text(0);
  EXPECT_EQ(Login("legacy@acme.test", "secret123").status, 200);
}

TEST_P(AuthRoutesTest, ProtectedRouteRefusesBadTokens) {
  auto t = h->CreateTenant("Acme");
  const std::string secret = h->api().auth.jwt.secret;
  std::int64_t now = NowMs() / 1000;
  json::object claims{{"sub", std::to_string(t.admin.id)}, {"email", t.admin.email}, {"rol", "ADMIN"},
                      {"empresaId", t.empresa_id}, {"jti", "hand-made"}, {"iat", now}, {"exp", now + 600}};
  crypto::JwtSettings other{.secret = "another-secret-0123456789-0123456789", .issuer = {}, .audience = {}};
  crypto::JwtClaims c{.sub = std::to_string(t.admin.id), .email = t.admin.email, .rol = "ADMIN",
                      .empresa_id = t.empresa_id, .jti = "x", .iat = now, .exp = now + 600, .issued_ms = now * 1000,
                      .iss = {}, .aud = {}};
  auto deleted = h->CreateUser(t.empresa_id, "EMPLEADO", "gone@acme.test");
  h->Sql(R"(DELETE FROM "Usuario" WHERE "id" = $1)", {store::Param(deleted.id)});
  auto inactive = h->CreateUser(t.empresa_id, "EMPLEADO", "inactive@acme.test");
  h->Sql(R"(UPDATE "Usuario" SET "activo" = $1 WHERE "id" = $2)", {store::Param(false), store::Param(inactive.id)});

  struct Case {
    const char* name;
    std::string token;
  } cases[] = {
      {"missing", ""},
      {"garbage", "not.a.jwt"},
      {"expired", h->MintToken(t.admin, t.empresa_id, -120)},
      {"wrong signature", crypto::SignJwt(c, other)},
      {"alg none", HandMadeToken(R"({"alg":"none","typ":"JWT"})", claims, secret, nullptr)},
      {"HS512", HandMadeToken(R"({"alg":"HS512","typ":"JWT"})", claims, secret, EVP_sha512())},
      {"deleted user", deleted.token},
      {"inactive user", inactive.token},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto r = h->Get("/auth/me", tc.token);
    EXPECT_EQ(r.status, 401) << r.body;
  }
  EXPECT_EQ(MeStatus(HandMadeToken(R"({"alg":"HS256","typ":"JWT"})", claims, secret, EVP_sha256())), 200)
      << "the hand-made signer is right, so the refusals above are about alg";
}

TEST_P(AuthRoutesTest, ConcurrentRefreshesOfOneTokenCannotBothSucceed) {
  auto t = h->CreateTenant("Acme");
  for (int round = 0; round < 3; ++round) {
    auto login = Login(t.admin.email, "password123");
    ASSERT_EQ(login.status, 200);
    std::string rt = Str(login.json, "refreshToken");
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&] { ok += Refresh(rt).status == 200 ? 1 : 0; });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
  }
}

TEST_P(AuthRoutesTest, RefreshErrorsAndRateLimit) {
  auto t = h->CreateTenant("Acme");
  EXPECT_EQ(Code(h->Post("/auth/refresh", json::object{})), "REFRESH_TOKEN_MISSING");
  EXPECT_EQ(Refresh("unknown-token").status, 401);
  EXPECT_EQ(h->Post("/auth/refresh", json::object{{"refreshToken", 5}}).status, 400);
  h->api().auth.limits.refreshes = 2;
  auto login = Login(t.admin.email, "password123");
  std::string rt = Str(login.json, "refreshToken");
  for (int i = 0; i < 2; ++i) {
    auto r = Refresh(rt);
    ASSERT_EQ(r.status, 200) << i;
    rt = Str(r.json, "refreshToken");
  }
  auto limited = Refresh(rt);
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.Header("retry-after").empty());
  h->Sql(R"(UPDATE "refresh_tokens" SET "expires_at" = $1)", {store::Param(FormatIsoMs(NowMs() - 1000))});
  h->api().auth.limits.refreshes = 100;
  EXPECT_EQ(Code(Refresh(rt)), "REFRESH_TOKEN_INVALID") << "expired";
}

TEST_P(AuthRoutesTest, RegisterRules) {
  ASSERT_EQ(Register("dup@acme.test").status, 201);
  auto dup = Register("DUP@acme.test");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(Code(dup), "EMAIL_EXISTS");

  struct Case {
    const char* field;
    json::object body;
  } cases[] = {
      {"extra", {{"nombre", "A"}, {"email", "a1@x.test"}, {"password", "password123"}, {"extra", 1}}},
      {"nombre", {{"email", "a2@x.test"}, {"password", "password123"}}},
      {"nombre", {{"nombre", std::string(201, 'n')}, {"email", "a3@x.test"}, {"password", "password123"}}},
      {"nombre", {{"nombre", 42}, {"email", "a4@x.test"}, {"password", "password123"}}},
      {"email", {{"nombre", "A"}, {"email", "not-an-email"}, {"password", "password123"}}},
      {"password", {{"nombre", "A"}, {"email", "a5@x.test"}, {"password", "short"}}},
      {"password", {{"nombre", "A"}, {"email", "a6@x.test"}, {"password", std::string(129, 'p')}}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(json::serialize(tc.body));
    auto r = h->Post("/auth/register", tc.body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Code(r), "VALIDATION_ERROR");
    EXPECT_NE(Str(r.json, "message").find(tc.field), std::string::npos) << r.body;
  }
  EXPECT_EQ(h->Request("POST", "/auth/register", "{not json").status, 400);
}

TEST_P(AuthRoutesTest, RegistrationsAreRateLimitedPerIp) {
  h->api().auth.limits.registrations = 2;
  EXPECT_EQ(Register("r1@acme.test").status, 201);
  EXPECT_EQ(Register("r2@acme.test").status, 201);
  auto limited = h->Post("/auth/register-empresa", json::object{{"nombreEmpresa", "X"}, {"nombre", "A"},
                                                                {"email", "r3@acme.test"}, {"password", "password123"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Code(limited), "TOO_MANY_ATTEMPTS");
}

TEST_P(AuthRoutesTest, RegisterEmpresaIsAtomic) {
  json::object body{{"nombreEmpresa", "Farmacia Sol"}, {"tipoIndustria", "FARMACIA"}, {"rfc", "SOL010101AAA"},
                    {"nombre", "Sol"}, {"email", "sol@sol.test"}, {"password", "password123"}};
  auto r = h->Post("/auth/register-empresa", body);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json.at("empresa"), "tipoIndustria"), "FARMACIA");
  EXPECT_EQ(Str(r.json.at("user"), "rol"), "ADMIN");
  EXPECT_TRUE(r.json.at("user").at("setupCompletado").as_bool());
  EXPECT_EQ(r.json.at("user").at("empresaId"), r.json.at("empresa").at("id"));
  EXPECT_EQ(SetCookies(r).size(), 2u);
  EXPECT_EQ(h->Get("/empresas/mia", Str(r.json, "token")).status, 200);

  body["email"] = "other@sol.test";
  auto dup_rfc = h->Post("/auth/register-empresa", body);
  EXPECT_EQ(dup_rfc.status, 409);
  EXPECT_EQ(Code(dup_rfc), "RFC_EXISTS");
  body["rfc"] = "OTHER";
  body["email"] = "sol@sol.test";
  auto dup_email = h->Post("/auth/register-empresa", body);
  EXPECT_EQ(Code(dup_email), "EMAIL_EXISTS");
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "Empresa")")[0].Int(0), 1) << "the failed tenant was rolled back";
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "Usuario")")[0].Int(0), 1);

  body["tipoIndustria"] = "MINERIA";
  auto bad = h->Post("/auth/register-empresa", body);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Str(bad.json, "message").find("tipoIndustria"), std::string::npos);
  auto contact = h->Post("/auth/register-empresa", json::object{{"nombreEmpresa", "X"}, {"direccion", "Calle 1"},
                                                                {"nombre", "A"}, {"email", "x@x.test"},
                                                                {"password", "password123"}});
  EXPECT_EQ(contact.status, 400) << "register-empresa takes exactly api.md's fields";
}

TEST_P(AuthRoutesTest, SetupEmpresaValidation) {
  auto u = h->CreateUser(std::nullopt, "ADMIN", "solo@x.test");
  for (const auto& body : {json::object{}, json::object{{"nombreEmpresa", ""}},
                           json::object{{"nombreEmpresa", "A"}, {"emailContacto", "nope"}},
                           json::object{{"nombreEmpresa", "A"}, {"tipoIndustria", 3}}}) {
    SCOPED_TRACE(json::serialize(body));
    EXPECT_EQ(h->Post("/auth/setup-empresa", body, u.token).status, 400);
  }
  EXPECT_EQ(h->Post("/auth/setup-empresa", json::object{{"nombreEmpresa", "A"}}).status, 401);
  auto t = h->CreateTenant("Acme");
  auto again = h->Post("/auth/setup-empresa", json::object{{"nombreEmpresa", "B"}}, t.admin.token);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Code(again), "EMPRESA_ALREADY_CONFIGURED");
}

TEST_P(AuthRoutesTest, LogoutRevokesTheRefreshTokenFromTheCookie) {
  auto t = h->CreateTenant("Acme");
  auto login = Login(t.admin.email, "password123");
  std::string token = Str(login.json, "token"), rt = Str(login.json, "refreshToken");
  auto out = h->Request("POST", "/auth/logout", {}, token, {{"Cookie", "rt=" + rt}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(MeStatus(token), 401);
  EXPECT_EQ(MeStatus(t.admin.token), 200) << "other sessions are untouched";
  auto revoked = h->Sql(R"(SELECT "is_revoked" FROM "refresh_tokens" WHERE "token" = $1)", {store::Param(rt)});
  EXPECT_TRUE(revoked[0].Bool(0));
  EXPECT_EQ(Refresh(rt).status, 401);
}

IAM_API_BACKENDS(AuthRoutesTest);

}  // namespace
}  // namespace iam::api
