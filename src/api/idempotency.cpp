#include "api/idempotency.hpp"

#include <sodium.h>

#include <string>

namespace iam::api {
namespace {

bool KeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == ':' || c == '.';
}

}  // namespace

Result<std::optional<std::string>> IdempotencyKeyOf(const http::RequestContext& ctx) {
  auto range = ctx.request.equal_range("Idempotency-Key");
  if (range.first == range.second) return std::optional<std::string>();
  auto bad = [] {
    return Fail(Error::InvalidArgument("Idempotency-Key: debe tener de 1 a 200 caracteres de [A-Za-z0-9_-:.]"));
  };
  if (std::next(range.first) != range.second) return bad();
  std::string key(range.first->value());
  if (key.empty() || key.size() > kMaxIdempotencyKeyChars) return bad();
  for (char c : key)
    if (!KeyChar(c)) return bad();
  return std::optional<std::string>(std::move(key));
}

std::string RequestFingerprint(std::string_view method, std::string_view path, std::string_view body) {
  // Length-prefixed fields, so ("a", "bc") and ("ab", "c") cannot collide.
  std::string input;
  for (std::string_view part : {method, path, body}) {
    input += std::to_string(part.size());
    input += ':';
    input += part;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  const unsigned int len = crypto_hash_sha256_BYTES;
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

}  // namespace iam::api
