#include "store/change_notifications.hpp"

#include <fmt/format.h>

#include <string>

namespace iam::store {
namespace {

// Each tenant-owned table and the column holding its tenant. The column name is handed to the
// trigger function as its argument; it only selects which branch reads the row (PL/pgSQL plans a
// statement when it first runs it, per table, so the branch for the other column is never planned
// against a row type that lacks it).
struct NotifiedTable {
  const char* table;
  const char* tenant_column;  // "id" (Empresa), "empresaId", or "auth" (no tenant: token checks only)
};

constexpr NotifiedTable kNotifiedTables[] = {
    {"Empresa", "id"},
    {"Usuario", "empresaId"},  // nullable: a user without a tenant (SUPERADMIN) notifies nothing
    {"Proveedor", "empresaId"},
    {"Producto", "empresaId"},
    {"MovimientoInventario", "empresaId"},
    {"BlacklistedToken", "auth"},
    {"iam_user_revocations", "auth"},
};

// `o` / `n`: the tenant of the OLD / NEW row (NULL when there is no such row or it has no tenant).
// pg_notify with the same channel and payload twice in one transaction is folded by the server into
// one notification, delivered at commit.
constexpr const char* kFunction = R"SQL(
CREATE OR REPLACE FUNCTION "iam_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  o bigint;
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('{0}', '{1}');
    RETURN NULL;
  END IF;
  IF TG_ARGV[0] = 'auth' OR TG_TABLE_NAME = 'Usuario' THEN
    PERFORM pg_notify('{0}', '{2}');
  END IF;
  IF TG_ARGV[0] = 'auth' THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[0] = 'id' THEN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN o := OLD."id"; END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN n := NEW."id"; END IF;
  ELSE
    IF TG_OP IN ('UPDATE', 'DELETE') THEN o := OLD."empresaId"; END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN n := NEW."empresaId"; END IF;
  END IF;
  IF n IS NOT NULL THEN
    PERFORM pg_notify('{0}', n::text);
  END IF;
  IF o IS NOT NULL AND o IS DISTINCT FROM n THEN
    PERFORM pg_notify('{0}', o::text);
  END IF;
  RETURN NULL;
END $fn$;
)SQL";

constexpr const char* kTriggers = R"SQL(
DROP TRIGGER IF EXISTS "iam_notify_change" ON "{0}";
CREATE TRIGGER "iam_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "{0}"
  FOR EACH ROW EXECUTE FUNCTION "iam_notify_change"('{1}');
DROP TRIGGER IF EXISTS "iam_notify_change_truncate" ON "{0}";
CREATE TRIGGER "iam_notify_change_truncate" AFTER TRUNCATE ON "{0}"
  FOR EACH STATEMENT EXECUTE FUNCTION "iam_notify_change"();
)SQL";

std::string PostgresScript() {
  std::string script = fmt::format(kFunction, kChangeChannel, kChangeResyncPayload, kChangeAuthPayload);
  for (const NotifiedTable& t : kNotifiedTables) script += fmt::format(kTriggers, t.table, t.tenant_column);
  return script;
}

}  // namespace

Result<void> InstallChangeNotifications(Connection& conn) {
  if (conn.dialect() != Dialect::kPostgres) return {};
  return conn.ExecScript(PostgresScript());
}

}  // namespace iam::store
