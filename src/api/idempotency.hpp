// The `Idempotency-Key` request header of keyed writes (POST /movimientos…): validation and the
// request fingerprint stored with the key. Pure functions; safe from any thread. The storage side
// is store/idempotency_repository.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "http/types.hpp"

namespace iam::api {

inline constexpr std::size_t kMaxIdempotencyKeyChars = 200;

// The key, nullopt when the header is absent. 400 VALIDATION_ERROR naming Idempotency-Key when it
// is repeated, empty, longer than kMaxIdempotencyKeyChars or has a character outside
// [A-Za-z0-9_-:.].
Result<std::optional<std::string>> IdempotencyKeyOf(const http::RequestContext& ctx);

// SHA-256 (hex) of method, path and body: a repeat must match it to get the stored answer.
std::string RequestFingerprint(std::string_view method, std::string_view path, std::string_view body);

}  // namespace iam::api
