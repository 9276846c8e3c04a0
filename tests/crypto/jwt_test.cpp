// VerifyJwt on numeric claims outside int64: refused or ignored, never converted with undefined
// behaviour (fuzz/jwt.cpp found "iat_ms": 1.7e32; fuzz/regressions/jwt/ keeps that input).
#include "crypto/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstring>
#include <string>

namespace iam::crypto {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const JwtSettings kSettings{.secret = "jwt-test-secret-0123456789abcdef", .issuer = {}, .audience = {}};

std::string B64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// A correctly signed HS256 token whose payload is `payload_json` verbatim.
std::string Signed(const std::string& payload_json) {
  std::string input = B64(R"({"alg":"HS256","typ":"JWT"})") + "." + B64(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSettings.secret.data(), static_cast<int>(kSettings.secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + B64(std::string_view(reinterpret_cast<char*>(mac), len));
}

TEST(JwtTest, ASignedTokenRoundTrips) {
  JwtClaims c{.sub = "7", .email = "a@b.test", .rol = "ADMIN", .empresa_id = 3, .jti = "j", .iat = kNow - 10,
              .exp = kNow + 60, .issued_ms = (kNow - 10) * 1000 + 5, .iss = {}, .aud = {}};
  auto v = VerifyJwt(SignJwt(c, kSettings), kSettings, kNow);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->issued_ms, c.issued_ms);
  EXPECT_EQ(v->empresa_id, 3);
}

TEST(JwtTest, NumbersBeyondInt64AreRefusedOrIgnoredNeverConverted) {
  struct Case {
    const char* name;
    std::string payload;
    const char* code;  // nullptr: accepted
  };
  const Case kCases[] = {
      {"exp 1e300", R"({"sub":"1","exp":1e300})", "TOKEN_INVALID"},
      {"exp -1e300", R"({"sub":"1","exp":-1e300})", "TOKEN_INVALID"},
      {"exp 2^63 as a double", R"({"sub":"1","exp":9223372036854775808.0})", "TOKEN_INVALID"},
      {"empresaId 1e300", R"({"sub":"1","exp":1800000000,"empresaId":1e300})", "TOKEN_INVALID"},
      {"iat beyond iat*1000", R"({"sub":"1","exp":1800000000,"iat":9223372036854776})", "TOKEN_INVALID"},
      {"iat far negative", R"({"sub":"1","exp":1800000000,"iat":-9223372036854775807})", "TOKEN_INVALID"},
      {"iat_ms 1.7e32 is ignored", R"({"sub":"1","exp":1800000000,"iat":1699990000,"iat_ms":1.7e32})", nullptr},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto v = VerifyJwt(Signed(c.payload), kSettings, kNow);
    if (c.code == nullptr) {
      ASSERT_TRUE(v) << v.error().message;
      EXPECT_EQ(v->issued_ms, 1699990000LL * 1000) << "an unusable iat_ms falls back to iat";
    } else {
      ASSERT_FALSE(v);
      EXPECT_EQ(v.error().code, c.code);
    }
  }
}

// libsodium 1.0.18 decodes bytes outside the base64url alphabet (0xDF, 0xAD, …) as '_': a genuine
// token with such a byte in place of a '_' of its signature used to verify (fuzz/jwt.cpp; the input
// is in fuzz/regressions/jwt/). Only the exact spelling is accepted now.
TEST(JwtTest, OnlyTheBase64UrlAlphabetIsAccepted) {
  std::string token;
  for (int i = 0; token.empty(); ++i) {  // a token whose signature has a '_' (about one in two)
    JwtClaims c{.sub = "7", .email = {}, .rol = "ADMIN", .empresa_id = {}, .jti = std::to_string(i), .iat = kNow,
                .exp = kNow + 60, .issued_ms = kNow * 1000, .iss = {}, .aud = {}};
    std::string t = SignJwt(c, kSettings);
    if (t.find('_', t.rfind('.')) != std::string::npos) token = t;
  }
  ASSERT_TRUE(VerifyJwt(token, kSettings, kNow));
  auto underscore = token.find('_', token.rfind('.'));
  for (unsigned char stand_in : {0xDF, 0xAD, 0xB0, 0x7F, 0x20, 0x2B, 0x2F, 0x3D}) {  // also ' ', '+', '/', '='
    SCOPED_TRACE(static_cast<int>(stand_in));
    std::string other = token;
    other[underscore] = static_cast<char>(stand_in);
    auto v = VerifyJwt(other, kSettings, kNow);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, "TOKEN_INVALID");
  }
}

}  // namespace
}  // namespace iam::crypto
