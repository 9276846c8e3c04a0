// Schema migrations for both dialects (../shared/spec/schema.md). Migrate() brings a database up
// to date and is idempotent: each migration runs once, in its own transaction, and is recorded in
// `iam_schema_migrations`. On an empty database it creates the legacy names exactly (fresh mode);
// on a database that already holds the legacy tables it only adds (attach mode): it never drops,
// renames or retypes an existing table or column.
#pragma once

#include <string>
#include <vector>

#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

enum class MigrationMode { kFresh, kAttach, kUpToDate };

struct MigrationReport {
  MigrationMode mode = MigrationMode::kUpToDate;
  std::vector<std::string> applied;  // ids of the migrations run now, in order
};

Result<MigrationReport> Migrate(Database& db);

// How many known migrations this database has not applied yet (0 = up to date).
Result<int> PendingMigrations(Database& db);

// Ids of every migration this build knows, in order.
std::vector<std::string> KnownMigrations();

const char* ToString(MigrationMode mode);

}  // namespace iam::store
