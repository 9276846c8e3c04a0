// Suppliers ("Proveedor") of one tenant. Every function takes the tenant and touches only its
// rows: another tenant's id is kNotFound ("PROVEEDOR_NOT_FOUND"), exactly like a missing one.
// Functions take a Connection so callers compose them in a transaction (InTransaction); blocking.
// A duplicate nombre/email within the tenant is kConflict DUPLICATE_NOMBRE / DUPLICATE_EMAIL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entities.hpp"
#include "domain/estado_transition.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct SupplierPage {
  std::vector<domain::Proveedor> items;
  std::int64_t total = 0;
};

// A partial change: absent members stay as they are; an engaged-but-empty email/telefono clears it.
struct SupplierChanges {
  std::optional<std::string> nombre;
  std::optional<std::optional<std::string>> email, telefono;
};

Result<domain::Proveedor> InsertSupplier(Connection& conn, const domain::Proveedor& p);
// Any estado, ELIMINADO included.
Result<domain::Proveedor> FindSupplier(Connection& conn, domain::Id empresa_id, domain::Id id);
// kInvalidArgument INVALID_PROVEEDOR ("proveedorId: …") unless `id` is an ACTIVO supplier of the tenant.
Result<void> RequireActiveSupplier(Connection& conn, domain::Id empresa_id, domain::Id id);
// `estado` empty: ACTIVO and INACTIVO. Ordered by nombre, then id.
Result<SupplierPage> ListSuppliers(Connection& conn, domain::Id empresa_id, std::string_view estado,
                                   std::int64_t limit, std::int64_t offset);
Result<domain::Proveedor> UpdateSupplier(Connection& conn, domain::Id empresa_id, domain::Id id,
                                         const SupplierChanges& changes);
// Applies `t` (see estado_transition.hpp): a refused source state is kConflict ESTADO_INVALIDO; the
// target state itself returns the row unchanged.
Result<domain::Proveedor> ChangeSupplierEstado(Connection& conn, domain::Id empresa_id, domain::Id id,
                                               const domain::EstadoTransition& t);

}  // namespace iam::store
