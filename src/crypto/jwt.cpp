#include "crypto/jwt.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace iam::crypto {
namespace {

constexpr int kB64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium initialisation failed");
}

std::string B64Url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kB64Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    kB64Variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> FromB64Url(std::string_view text) {
  // Only the base64url alphabet: libsodium 1.0.18 decodes some bytes outside it (0xDF, 0xAD, …) as
  // '_', which let a token be presented in other spellings (found by fuzz/jwt.cpp).
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '-' && c != '_') return std::nullopt;
  }
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, kB64Variant) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

// libsodium's HMAC-SHA256 (RFC 2104; keys longer than the block are hashed, as JWT libraries do).
// Not OpenSSL's: its one-shot HMAC keeps per-thread state that outlives the threads of a server
// stopped before exit (the HTTP fuzz target's leak check at exit found it), and this is the
// per-request path of every authenticated call.
std::string HmacSha256(std::string_view key, std::string_view data) {
  EnsureSodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&st, sizeof st);
  return mac;
}

Error Invalid() { return {ErrorKind::kUnauthenticated, "TOKEN_INVALID", "Token inválido"}; }

std::optional<std::int64_t> IntClaim(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->as_uint64());
  // A double is accepted only when it converts exactly enough: outside int64's range the cast is
  // undefined behaviour (found by fuzz/jwt.cpp: "iat_ms": 1.7e32).
  if (v->is_double()) {
    double d = v->as_double();
    if (std::isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::string StringClaim(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return (v != nullptr && v->is_string()) ? std::string(v->as_string()) : std::string();
}

Result<JwtClaims> ParseClaims(const boost::json::object& o) {
  JwtClaims c;
  if (auto* sub = o.if_contains("sub"); sub != nullptr && sub->is_string()) c.sub = std::string(sub->as_string());
  else if (auto n = IntClaim(o, "sub")) c.sub = std::to_string(*n);
  auto exp = IntClaim(o, "exp");
  if (c.sub.empty() || !exp) return Fail(Invalid());
  c.exp = *exp;
  c.iat = IntClaim(o, "iat").value_or(0);
  // iat * 1000 must not overflow (undefined behaviour): an iat beyond year 292 million is no token.
  constexpr std::int64_t kMaxIat = INT64_MAX / 1000;
  if (c.iat > kMaxIat || c.iat < -kMaxIat) return Fail(Invalid());
  c.issued_ms = IntClaim(o, "iat_ms").value_or(c.iat * 1000);
  c.email = StringClaim(o, "email");
  c.rol = StringClaim(o, "rol");
  c.jti = StringClaim(o, "jti");
  c.iss = StringClaim(o, "iss");
  c.aud = StringClaim(o, "aud");
  if (auto* e = o.if_contains("empresaId"); e != nullptr && !e->is_null()) {
    auto id = IntClaim(o, "empresaId");
    if (!id) return Fail(Invalid());
    c.empresa_id = *id;
  }
  return c;
}

}  // namespace

std::string RandomToken(std::size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

std::string SignJwt(const JwtClaims& c, const JwtSettings& settings) {
  EnsureSodium();
  boost::json::object payload;
  payload["sub"] = c.sub;
  payload["email"] = c.email;
  payload["rol"] = c.rol;
  payload["empresaId"] = c.empresa_id ? boost::json::value(*c.empresa_id) : boost::json::value(nullptr);
  payload["jti"] = c.jti;
  payload["iat"] = c.iat;
  payload["iat_ms"] = c.issued_ms;
  payload["exp"] = c.exp;
  if (!settings.issuer.empty()) payload["iss"] = settings.issuer;
  if (!settings.audience.empty()) payload["aud"] = settings.audience;
  std::string signing_input = B64Url(R"({"alg":"HS256","typ":"JWT"})") + "." + B64Url(boost::json::serialize(payload));
  return signing_input + "." + B64Url(HmacSha256(settings.secret, signing_input));
}

Result<JwtClaims> VerifyJwt(std::string_view token, const JwtSettings& settings, std::int64_t now_s) {
  EnsureSodium();
  if (token.size() > 8192) return Fail(Invalid());
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) return Fail(Invalid());
  auto header_text = FromB64Url(token.substr(0, d1));
  auto payload_text = FromB64Url(token.substr(d1 + 1, d2 - d1 - 1));
  auto signature = FromB64Url(token.substr(d2 + 1));
  if (!header_text || !payload_text || !signature) return Fail(Invalid());

  boost::system::error_code ec;
  auto header = boost::json::parse(*header_text, ec);
  if (ec || !header.is_object()) return Fail(Invalid());
  auto* alg = header.as_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") return Fail(Invalid());

  std::string expected = HmacSha256(settings.secret, token.substr(0, d2));
  if (signature->size() != expected.size() || sodium_memcmp(signature->data(), expected.data(), expected.size()) != 0)
    return Fail(Invalid());

  auto payload = boost::json::parse(*payload_text, ec);
  if (ec || !payload.is_object()) return Fail(Invalid());
  auto claims = ParseClaims(payload.as_object());
  if (!claims) return claims;
  if (claims->exp <= now_s) return Fail(Error{ErrorKind::kUnauthenticated, "TOKEN_EXPIRED", "Token expirado"});
  if (auto nbf = IntClaim(payload.as_object(), "nbf"); nbf && *nbf > now_s) return Fail(Invalid());
  if (!settings.issuer.empty() && claims->iss != settings.issuer) return Fail(Invalid());
  if (!settings.audience.empty() && claims->aud != settings.audience) return Fail(Invalid());
  return claims;
}

}  // namespace iam::crypto
