#include "app/migrate_command.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace iam::app {

// Creates the parent folder of a SQLite file (./data/ by default) so a fresh checkout just works.
void EnsureSqliteDirectory(const std::string& url) {
  if (!url.starts_with("sqlite:") || url == "sqlite::memory:") return;
  std::filesystem::path file(url.substr(7));
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
}

int RunMigrate(const Config& config) {
  EnsureSqliteDirectory(config.database_url);
  auto db = store::OpenDatabase({.url = config.database_url, .pool_size = 1});
  if (!db) {
    fmt::print(stderr, "migrate: {}\n", db.error().message);
    return 1;
  }
  auto report = store::Migrate(**db);
  if (!report) {
    fmt::print(stderr, "migrate: failed: {}\n", report.error().message);
    return 1;
  }
  if (report->applied.empty()) {
    fmt::print("migrate: database is up to date ({} migrations)\n", store::KnownMigrations().size());
    return 0;
  }
  fmt::print("migrate: {} mode, applied {} migration(s):\n", store::ToString(report->mode), report->applied.size());
  for (const auto& id : report->applied) fmt::print("  {}\n", id);
  return 0;
}

}  // namespace iam::app
