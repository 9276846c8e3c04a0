// SQLite implementation of Database: the embedded default (DATABASE_URL=sqlite:PATH).
// A pool of connections to one file in WAL mode (many readers, one writer) with a busy timeout and
// foreign keys on; Begin() is BEGIN IMMEDIATE so writers serialize up front instead of failing on
// upgrade. `$N` placeholders are rewritten to SQLite's `?N`. sqlite::memory: gives a private
// in-memory database with a single connection (tests).
#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"

namespace iam::store {

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const DatabaseOptions& options);

// Rewrites `$1`, `$2`… outside quotes and comments into `?1`, `?2`… (exposed for tests).
std::string RewritePlaceholdersForSqlite(std::string_view sql);

}  // namespace iam::store
