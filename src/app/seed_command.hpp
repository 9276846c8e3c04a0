// `iam seed`: writes deterministic demo data (domain/demo_data.hpp) into a migrated database, one
// tenant per transaction, showing progress, then prints a summary and the demo logins. Every demo
// user's password is kDemoPassword. Blocking; returns the process exit code (0 ok, also when
// skipped by if_empty; 1 when a write fails; 2 for options out of range).
#pragma once

#include <cstdint>

#include "store/database.hpp"

namespace iam::app {

inline constexpr const char* kDemoPassword = "demo12345";

struct SeedOptions {
  int tenants = 1;
  int products = 50;
  int movements = 5000;  // per tenant
  int history_days = 180;
  std::uint64_t seed = 42;
  bool if_empty = false;
};

int RunSeed(store::Database& db, const SeedOptions& options);

}  // namespace iam::app
