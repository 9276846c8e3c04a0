// The few reads of the KPI routes that flow_repository.hpp does not cover: one product's window
// sums from the per-product daily aggregates, the date of its latest ACTIVO movement (one probe of
// the ("productoId", "fecha") index) and the names/creation days of a tenant's products.
// Tenant-scoped; absent rows read as zeros / nullopt / empty, never kNotFound. Blocking; any Connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "domain/kpi_flows.hpp"
#include "domain/kpi_window.hpp"
#include "store/database.hpp"

namespace iam::store {

// Σ of one product's daily aggregate rows with dia in [first, last], per type (O(days) index rows).
Result<domain::ProductFlows> ReadProductWindowFlows(Connection& conn, domain::Id empresa, domain::Id producto,
                                                    domain::EpochDay first, domain::EpochDay last);

// MAX("fecha") of the product's ACTIVO movements as epoch ms, any date; nullopt when it has none.
Result<std::optional<std::int64_t>> ReadLastMovementMs(Connection& conn, domain::Id empresa, domain::Id producto);

struct ProductLabel {
  domain::Id id = 0;
  std::string nombre;
  domain::EpochDay creado_en = 0;  // UTC day of creadoEn
};

// Every product of the tenant, any estado, ordered by id.
Result<std::vector<ProductLabel>> ReadProductLabels(Connection& conn, domain::Id empresa);

}  // namespace iam::store
