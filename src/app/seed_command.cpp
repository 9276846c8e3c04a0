#include "app/seed_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "app/progress_bar.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/demo_data.hpp"
#include "domain/time_format.hpp"
#include "store/demo_data_writer.hpp"

namespace iam::app {
namespace {

struct SeedTotals {
  int tenants = 0;
  std::int64_t products = 0;
  std::int64_t movements = 0;
};

// The generator encodes tenant and product indices in fixed-width barcodes (5 and 6 digits).
std::string CheckOptions(const SeedOptions& o) {
  if (o.tenants < 1 || o.tenants > 100'000) return "--tenants must be 1..100000";
  if (o.products < 1 || o.products > 1'000'000) return "--products must be 1..1000000";
  if (o.movements < 0) return "--movements must be >= 0";
  if (o.history_days < 1 || o.history_days > 3650) return "--days must be 1..3650";
  return "";
}

// Every product gets its "Stock inicial" entry, so a tenant has at least `products` movements.
std::int64_t MovementsPerTenant(const SeedOptions& o) { return std::max<std::int64_t>(o.movements, o.products); }

std::string ErrorLine(const domain::DemoTenant& tenant, const Error& e) {
  std::string line = fmt::format("seed: writing tenant {} failed: {}", tenant.index + 1, e.message);
  if (e.kind == ErrorKind::kConflict) line += " (demo data already present? use --if-empty)";
  return line;
}

void PrintSummary(const SeedTotals& totals, double seconds) {
  auto rate = static_cast<std::int64_t>(seconds > 0 ? static_cast<double>(totals.movements) / seconds : 0);
  fmt::print("seed: {} tenant(s), {} products, {} movements in {:.1f} s ({} movements/s)\n", totals.tenants,
             WithThousands(totals.products), WithThousands(totals.movements), seconds, WithThousands(rate));
  fmt::print("Demo login: {} / {}\n", domain::DemoAdminEmail(0), kDemoPassword);
  fmt::print("Demo login: {} / {}\n", domain::DemoEmployeeEmail(0), kDemoPassword);
  if (totals.tenants == 2) {
    fmt::print("Tenant 2: {} / {} (same password)\n", domain::DemoAdminEmail(1), domain::DemoEmployeeEmail(1));
  } else if (totals.tenants > 2) {
    fmt::print("Tenants 2..{}: admin@tenantK.demo.iam / empleado@tenantK.demo.iam (same password)\n", totals.tenants);
  }
}

// Generates and writes tenant by tenant, so memory holds one tenant at a time.
int WriteAll(store::Database& db, const SeedOptions& options, const std::string& hash, SeedTotals& totals,
             ProgressBar& bar) {
  domain::DemoOptions demo{options.products, options.movements, options.history_days, options.seed, NowMs()};
  for (int t = 0; t < options.tenants; ++t) {
    auto started = bar.ElapsedSeconds();
    domain::DemoTenant tenant = domain::GenerateDemoTenant(demo, t);
    std::int64_t before = totals.movements;
    auto written = store::WriteDemoTenant(db, tenant, hash, [&](std::int64_t n) { bar.Update(t, before + n); });
    if (!written) {
      bar.Finish();
      fmt::print(stderr, "{}\n", ErrorLine(tenant, written.error()));
      return 1;
    }
    totals.tenants++;
    totals.products += written->products;
    totals.movements += written->movements;
    bar.Update(t + 1, totals.movements);
    if (!bar.interactive()) {
      bar.Println(fmt::format("seed: tenant {}/{} \"{}\" ({}): {} products, {} movements in {:.1f} s", t + 1,
                              options.tenants, tenant.company.nombre, tenant.company.tipo_industria, written->products,
                              written->movements, bar.ElapsedSeconds() - started));
    }
  }
  return 0;
}

}  // namespace

int RunSeed(store::Database& db, const SeedOptions& options) {
  if (std::string bad = CheckOptions(options); !bad.empty()) {
    fmt::print(stderr, "seed: {}\n", bad);
    return 2;
  }
  if (options.if_empty) {
    auto any = store::HasAnyTenant(db);
    if (!any) {
      fmt::print(stderr, "seed: {}\n", any.error().message);
      return 1;
    }
    if (*any) {
      fmt::print("seed: database already has data; skipped\n");
      return 0;
    }
  }
  std::string hash;
  try {
    hash = crypto::HashPassword(kDemoPassword);  // once: hashing is slow by design
  } catch (const std::exception& e) {
    fmt::print(stderr, "seed: {}\n", e.what());
    return 1;
  }
  std::fflush(stdout);
  ProgressBar bar(stdout, isatty(fileno(stdout)) == 1, options.tenants, options.tenants * MovementsPerTenant(options));
  SeedTotals totals;
  int rc = WriteAll(db, options, hash, totals, bar);
  bar.Finish();
  if (rc != 0) return rc;
  PrintSummary(totals, bar.ElapsedSeconds());
  return 0;
}

}  // namespace iam::app
