// The per-product demand analyses of predictive-kpis (domain::AnalyzeDemand), kept in the table
// "iam_product_demand" so that a computation of predictive-kpis reads O(products) rows instead of
// one row per product-day of sales (docs/storage.md, "Demand analyses").
//
// Exactness: a trigger on iam_product_daily_flows bumps a product's `version` in the same
// transaction as any change to its SALIDA aggregates, whoever writes the ledger (the aggregates are
// themselves trigger-kept). A kept analysis is used only when it was computed from that version,
// for today, and with the product's current creadoEn day; otherwise it is recomputed from the
// aggregates and written back. The write-back is conditional on the version it was computed from,
// so a concurrent writer's bump is never lost: at worst an analysis is recomputed once more.
// Blocking; any Connection.
#pragma once

#include <span>
#include <unordered_map>
#include <vector>

#include "domain/error.hpp"
#include "domain/predictive_kpis.hpp"
#include "store/database.hpp"

namespace iam::store {

// Creates the table, its index and the version trigger (idempotent). Existing products get their
// rows lazily. REQUIRES: inside a transaction.
Result<void> InstallDemandAnalyses(Connection& conn);

struct DemandAnalysesStats {
  std::size_t kept = 0;        // analyses read as current
  std::size_t recomputed = 0;  // analyses computed from the aggregates
  bool saved = false;          // the recomputed ones were written back
};

// The analyses of the tenant's ACTIVO `products` for `today` (others are returned with an empty
// analysis and ignored by the domain), in the order of `products`; `creado_en` maps a product id to
// its creadoEn day (a missing id counts as today). Recomputes what is not current and writes it
// back; a failed write-back (lock wait, read-only replica, busy SQLite) is not an error: the
// result is the same, only the next call recomputes again.
Result<std::vector<domain::AnalyzedProduct>> LoadDemandAnalyses(
    Connection& conn, domain::Id empresa, std::span<const domain::ProductSnapshot> products,
    const std::unordered_map<domain::Id, domain::EpochDay>& creado_en, domain::EpochDay today,
    DemandAnalysesStats* stats = nullptr);

}  // namespace iam::store
