// Idempotency keys ("iam_idempotency_keys"): the first successful answer to a write sent with an
// `Idempotency-Key`, per tenant. Claim the key inside the write's own transaction and complete it
// there too, so a key is never stored without its effect or the effect without its key. Functions
// take a Connection (REQUIRES: inside Begin() for Claim/Complete). Blocking.
// A key that is not there is not an error: Claim simply claims it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

// Keys are kept at least this long (api.md: ≥ 24 h); older ones may be purged or reused.
inline constexpr std::int64_t kIdempotencyTtlMs = 48LL * 3600 * 1000;

struct StoredAnswer {
  std::string request_hash;
  int status = 0;  // 0: claimed by a transaction that has not completed (never visible once committed)
  std::string body;
};

struct KeyClaim {
  bool claimed = false;                 // true: this transaction owns the key and must Complete it
  std::optional<StoredAnswer> existing;  // when not claimed: the answer stored under the key
};

// Claims (tenant, key) for a request whose hash is `request_hash`, or returns the answer already
// stored. An expired key (created before now − kIdempotencyTtlMs) is claimed afresh. On PostgreSQL
// a concurrent claim of the same key waits here until the other transaction ends.
Result<KeyClaim> ClaimIdempotencyKey(Connection& conn, domain::Id empresa_id, const std::string& key,
                                     const std::string& request_hash, std::int64_t now_ms);

// Stores the answer of a claimed key.
Result<void> CompleteIdempotencyKey(Connection& conn, domain::Id empresa_id, const std::string& key, int status,
                                    const std::string& body);

// Deletes keys created before `before_ms`; returns how many.
Result<std::int64_t> PurgeIdempotencyKeys(Connection& conn, std::int64_t before_ms);

}  // namespace iam::store
