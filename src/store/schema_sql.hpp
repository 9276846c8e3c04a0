// The DDL of each migration, per dialect, as named constants. PostgreSQL text mirrors what Prisma
// created in users' databases (same type, table, column, constraint and index names); every
// statement is guarded (IF NOT EXISTS / duplicate_object) so it is a no-op where the object exists.
#pragma once

namespace iam::store::sql {

extern const char* const kPostgresLegacySchema;
extern const char* const kSqliteLegacySchema;

}  // namespace iam::store::sql
