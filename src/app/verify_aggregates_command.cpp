#include "app/verify_aggregates_command.hpp"

#include <fmt/format.h>

#include "store/aggregate_check.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace iam::app {

int RunVerifyAggregates(const Config& config, const VerifyAggregatesOptions& options) {
  auto db = store::OpenDatabase({.url = config.database_url, .pool_size = 1});
  if (!db) {
    fmt::print(stderr, "verify-aggregates: {}\n", db.error().message);
    return 1;
  }
  auto pending = store::PendingMigrations(**db);
  if (!pending || *pending > 0) {
    fmt::print(stderr, "verify-aggregates: the database is not migrated: run `iam migrate` first\n");
    return 1;
  }
  auto report = store::VerifyAggregates(**db, options.empresa);
  if (!report) {
    fmt::print(stderr, "verify-aggregates: {}\n", report.error().message);
    return 1;
  }
  std::string scope = options.empresa ? fmt::format("empresa {}", *options.empresa) : "all tenants";
  if (report->clean()) {
    fmt::print("verify-aggregates: {}: {} aggregate rows match the ledger\n", scope, report->rows_checked);
    return 0;
  }
  fmt::print("verify-aggregates: {}: {} of {} aggregate rows differ from the ledger:\n{}", scope,
             report->diffs.size(), report->rows_checked, store::FormatAggregateReport(*report));
  if (!options.repair) {
    fmt::print("run `iam verify-aggregates --repair` to rebuild them from the ledger\n");
    return 1;
  }
  if (auto r = store::RepairAggregates(**db, options.empresa); !r) {
    fmt::print(stderr, "verify-aggregates: repair failed: {}\n", r.error().message);
    return 1;
  }
  auto after = store::VerifyAggregates(**db, options.empresa);
  if (!after || !after->clean()) {
    fmt::print(stderr, "verify-aggregates: still differing after the repair\n");
    return 1;
  }
  fmt::print("verify-aggregates: repaired; {} aggregate rows now match the ledger\n", after->rows_checked);
  return 0;
}

}  // namespace iam::app
