// Empresa (tenant) rows: lookup, insert, pages, partial update and delete-when-empty. Functions take
// a Connection so callers compose them in one InTransaction; all block. "Not found" is an empty
// optional or false, never an Error; a duplicate rfc is kConflict with code RFC_EXISTS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct NewEmpresa {
  std::string nombre;
  std::optional<std::string> rfc, direccion, email_contacto;
  std::string tipo_industria = "GENERICA";
};

// Absent fields are unchanged; for the nullable ones an inner nullopt clears the column.
struct EmpresaChanges {
  std::optional<std::string> nombre, tipo_industria;
  std::optional<std::optional<std::string>> rfc, direccion, email_contacto;
};

struct EmpresaPage {
  std::vector<domain::Empresa> items;
  std::int64_t total = 0;
};

// What still refers to a tenant (a tenant is deleted only when all are zero).
struct EmpresaDependents {
  std::int64_t usuarios = 0, productos = 0, proveedores = 0, movimientos = 0;
  bool Any() const { return usuarios + productos + proveedores + movimientos > 0; }
};

Result<std::optional<domain::Empresa>> FindEmpresa(Connection& conn, domain::Id id);
Result<domain::Empresa> InsertEmpresa(Connection& conn, const NewEmpresa& empresa);
Result<EmpresaPage> ListEmpresas(Connection& conn, std::int64_t limit, std::int64_t offset);
// The updated row; nullopt when no such tenant.
Result<std::optional<domain::Empresa>> UpdateEmpresa(Connection& conn, domain::Id id, const EmpresaChanges& changes);
Result<EmpresaDependents> CountEmpresaDependents(Connection& conn, domain::Id id);
// false when no such tenant. REQUIRES: no dependents (else the foreign keys refuse it).
Result<bool> DeleteEmpresa(Connection& conn, domain::Id id);
// The id of every tenant (for invalidating every tenant's cache at once).
Result<std::vector<domain::Id>> ListEmpresaIds(Connection& conn);

}  // namespace iam::store
