#include "store/idempotency_repository.hpp"

namespace iam::store {
namespace {

// Inserts the key, or takes over an expired one; returns no row when a live key already exists.
constexpr const char* kClaimKey = R"(
INSERT INTO "iam_idempotency_keys" ("empresa_id", "idem_key", "request_hash", "status", "response_body", "created_at_ms")
VALUES ($1, $2, $3, 0, '', $4)
ON CONFLICT ("empresa_id", "idem_key") DO UPDATE
  SET "request_hash" = excluded."request_hash", "status" = 0, "response_body" = '',
      "created_at_ms" = excluded."created_at_ms"
  WHERE "iam_idempotency_keys"."created_at_ms" < $5
RETURNING "status")";

constexpr const char* kSelectAnswer = R"(
SELECT "request_hash", "status", "response_body" FROM "iam_idempotency_keys"
WHERE "empresa_id" = $1 AND "idem_key" = $2)";

constexpr const char* kCompleteKey = R"(
UPDATE "iam_idempotency_keys" SET "status" = $3, "response_body" = $4
WHERE "empresa_id" = $1 AND "idem_key" = $2)";

constexpr const char* kPurgeKeys = R"(DELETE FROM "iam_idempotency_keys" WHERE "created_at_ms" < $1)";

}  // namespace

Result<KeyClaim> ClaimIdempotencyKey(Connection& conn, domain::Id empresa_id, const std::string& key,
                                     const std::string& request_hash, std::int64_t now_ms) {
  auto claimed = conn.Query(kClaimKey, {Param(empresa_id), Param(key), Param(request_hash), Param(now_ms),
                                        Param(now_ms - kIdempotencyTtlMs)});
  if (!claimed) return Fail(claimed.error());
  if (!claimed->empty()) return KeyClaim{true, std::nullopt};
  auto rows = conn.Query(kSelectAnswer, {Param(empresa_id), Param(key)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::Internal());  // a live key that vanished: only a purge bug could do it
  auto r = (*rows)[0];
  return KeyClaim{false, StoredAnswer{r.Text(0), static_cast<int>(r.Int(1)), r.Text(2)}};
}

Result<void> CompleteIdempotencyKey(Connection& conn, domain::Id empresa_id, const std::string& key, int status,
                                    const std::string& body) {
  auto r = conn.Query(kCompleteKey, {Param(empresa_id), Param(key), Param(std::int64_t{status}), Param(body)});
  if (!r) return Fail(r.error());
  if (r->affected_rows() != 1) return Fail(Error::Internal());  // REQUIRES: claimed in this transaction
  return {};
}

Result<std::int64_t> PurgeIdempotencyKeys(Connection& conn, std::int64_t before_ms) {
  auto r = conn.Query(kPurgeKeys, {Param(before_ms)});
  if (!r) return Fail(r.error());
  return r->affected_rows();
}

}  // namespace iam::store
