// `iam migrate`: applies pending migrations (idempotent) and prints what it did. Exit code 0 on
// success, 1 when the database cannot be opened or a migration fails (nothing half-applied).
#pragma once

#include "app/config.hpp"

namespace iam::app {

int RunMigrate(const Config& config);

// Creates the folder of a sqlite:PATH database when missing (no-op for other URLs).
void EnsureSqliteDirectory(const std::string& url);

}  // namespace iam::app
