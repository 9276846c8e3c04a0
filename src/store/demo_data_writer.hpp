// Writes one generated demo tenant (domain/demo_data.hpp) through the Database interface: the
// company, its users, suppliers, products and movements, in ONE transaction (a failure leaves no
// partial tenant), with batched multi-row INSERTs whose SQL text repeats so prepared statements are
// reused. Blocking; call from one thread per tenant. Unique clashes (a demo already seeded) → kConflict.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "domain/demo_data.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct DemoWriteResult {
  std::int64_t empresa_id = 0;
  std::int64_t users = 0;
  std::int64_t suppliers = 0;
  std::int64_t products = 0;
  std::int64_t movements = 0;
};

// Called after each batch of movements with the number written so far for this tenant (the rows
// become visible only when the tenant's transaction commits).
using DemoProgressFn = std::function<void(std::int64_t movements_written)>;

// `password_hash` is stored for every user (hash once: hashing is slow by design).
Result<DemoWriteResult> WriteDemoTenant(Database& db, const domain::DemoTenant& tenant, std::string_view password_hash,
                                        const DemoProgressFn& progress = {});

// True when at least one "Empresa" row exists (`iam seed --if-empty`).
Result<bool> HasAnyTenant(Database& db);

}  // namespace iam::store
