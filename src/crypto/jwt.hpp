// JWT HS256 (RFC 7519) for access tokens: sign our own, verify ours and the old backend's (same
// secret, same claims). Only HS256 is accepted: `alg: none` and every other algorithm are refused
// before any signature work. Verification is constant-time in the signature. Stateless; safe from
// any thread. Revocation is not checked here (see api/auth_guard).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"

namespace iam::crypto {

struct JwtClaims {
  std::string sub;                       // user id as a string (a numeric `sub` is accepted too)
  std::string email;
  std::string rol;
  std::optional<std::int64_t> empresa_id;  // JSON null when the user has no tenant yet
  std::string jti;                       // may be empty in a legacy token
  std::int64_t iat = 0;                  // seconds
  std::int64_t exp = 0;                  // seconds
  // Milliseconds of issue, our private claim `iat_ms`: lets "revoke every session before T" be
  // exact within a second. Legacy tokens lack it; then iat * 1000 is used.
  std::int64_t issued_ms = 0;
  std::string iss, aud;                  // empty when absent
};

struct JwtSettings {
  std::string secret;
  std::string issuer;    // when set: signed into tokens and required on verify
  std::string audience;  // idem
};

// Compact serialization of `claims` signed with HS256.
std::string SignJwt(const JwtClaims& claims, const JwtSettings& settings);

// Verifies signature, algorithm, `exp` (and `nbf` when present) against now_s, and iss/aud when
// configured. kUnauthenticated with code TOKEN_INVALID or TOKEN_EXPIRED on failure; the message
// never echoes the token.
Result<JwtClaims> VerifyJwt(std::string_view token, const JwtSettings& settings, std::int64_t now_s);

// A random 128-bit identifier, hex (jti values, refresh tokens use 256 bits: RandomToken(32)).
std::string RandomToken(std::size_t bytes = 16);

}  // namespace iam::crypto
