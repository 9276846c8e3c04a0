// Change notifications (docs/storage.md, "Change notifications"): PostgreSQL triggers that announce
// every committed change to a tenant's data on the channel `iam_changes`, whoever writes it (IAM,
// the old backend, a person with psql). The payload is the tenant ("Empresa"."id") as decimal text,
// or "*" after a TRUNCATE (everything may have changed). NOTIFY is delivered at commit only (a
// rolled-back transaction announces nothing) and PostgreSQL folds identical notifications of one
// transaction, so a bulk write to one tenant sends one. store::ChangeListener consumes them.
// SQLite has no such mechanism: there installation is a no-op.
#pragma once

#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

// The channel the triggers notify and ChangeListener listens on.
inline constexpr const char* kChangeChannel = "iam_changes";
// The payload meaning "any tenant's data may have changed" (TRUNCATE).
inline constexpr const char* kChangeResyncPayload = "*";
// The payload meaning "who may authenticate may have changed": any write to "Usuario",
// "BlacklistedToken" (logout) or "iam_user_revocations", the rows a token check reads.
inline constexpr const char* kChangeAuthPayload = "auth";

// PostgreSQL: creates (or replaces) the function "iam_notify_change"() and, on "Empresa" (its own
// "id"), "Usuario" (its "empresaId" when not null), "Proveedor", "Producto" and
// "MovimientoInventario" (their "empresaId"), the row trigger "iam_notify_change" (AFTER INSERT OR
// UPDATE OR DELETE; an UPDATE that moves a row to another tenant notifies both) and the statement
// trigger "iam_notify_change_truncate" (AFTER TRUNCATE, payload "*"); "Usuario" also notifies "auth",
// as do "BlacklistedToken" and "iam_user_revocations" (only that). Idempotent (CREATE OR
// REPLACE FUNCTION, DROP TRIGGER IF EXISTS + CREATE TRIGGER). SQLite: does nothing.
// REQUIRES: inside a transaction (a migration).
Result<void> InstallChangeNotifications(Connection& conn);

}  // namespace iam::store
