// Reads for the KPI routes: daily aggregate rows (daily_flow_aggregates.hpp) shaped as the inputs
// of domain/kpi_flows.hpp, and product snapshots. Tenant-scoped; an unknown tenant or a window
// without movements reads as an empty list, never as kNotFound. Blocking; any Connection.
#pragma once

#include <cstdint>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "domain/kpi_flows.hpp"
#include "domain/kpi_window.hpp"
#include "store/database.hpp"

namespace iam::store {

// One row per product and UTC day with ACTIVO movements in [first, last], ordered by producto_id
// then dia; both types of a product-day merged into one DailyFlows. Reads at most one index row
// per product-day with activity (predictive-kpis series, product-kpis).
Result<std::vector<domain::DailyFlows>> ReadDailyFlows(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                                       domain::EpochDay last);

// The same window for tenant-wide KPIs in O(days × kTenantShards + legacy product-days) index rows:
// one row per day (producto_id 0, the tenant table's shards summed) with the counts, quantities and known totals/costs of the whole tenant and
// cantidad_sin_* = 0, plus one row per product-day that has quantities without a price or cost
// (legacy movements), carrying only those cantidad_sin_* parts. Summed with domain::SumByProduct
// and valued with the snapshots, it gives exactly what ReadDailyFlows would.
Result<std::vector<domain::DailyFlows>> ReadTenantDailyFlows(Connection& conn, domain::Id empresa,
                                                             domain::EpochDay first, domain::EpochDay last);

// SALIDA units of one product on one UTC day (ACTIVO movements), as kept in the daily aggregates.
struct ProductDayUnits {
  domain::Id producto_id = 0;
  domain::EpochDay dia = 0;
  std::int64_t unidades = 0;
};

// The nonzero SALIDA units per product-day in [first, last], in no particular order: the demand
// series of predictive-kpis. Reads one covering-index entry per product-day with SALIDA activity.
Result<std::vector<ProductDayUnits>> ReadDemandUnits(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                                     domain::EpochDay last);

// SALIDA units of the whole tenant (every product, any estado) on the days [first, last], from the
// tenant aggregates: O(days × kTenantShards) index rows.
Result<std::int64_t> ReadTenantSalidaUnits(Connection& conn, domain::Id empresa, domain::EpochDay first,
                                           domain::EpochDay last);

// Every product of the tenant, any estado, ordered by id.
Result<std::vector<domain::ProductSnapshot>> ReadProductSnapshots(Connection& conn, domain::Id empresa);

}  // namespace iam::store
