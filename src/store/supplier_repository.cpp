#include "store/supplier_repository.hpp"

namespace iam::store {
namespace {

// Every statement returns the columns in this order (see ReadSupplier).
#define IAM_SUPPLIER_COLUMNS R"("id", "nombre", "email", "telefono", "empresaId", "estado")"

constexpr const char* kInsertSupplier =
    R"(INSERT INTO "Proveedor" ("nombre", "email", "telefono", "empresaId", "estado") VALUES ($1, $2, $3, $4, $5)
       RETURNING )" IAM_SUPPLIER_COLUMNS;

constexpr const char* kSelectSupplier =
    R"(SELECT )" IAM_SUPPLIER_COLUMNS R"( FROM "Proveedor" WHERE "id" = $1 AND "empresaId" = $2)";

constexpr const char* kSelectActiveSupplier =
    R"(SELECT 1 FROM "Proveedor" WHERE "id" = $1 AND "empresaId" = $2 AND "estado" = 'ACTIVO')";

// $2, $3: the estados listed (the same twice for one).
constexpr const char* kCountSuppliers =
    R"(SELECT COUNT(*) FROM "Proveedor" WHERE "empresaId" = $1 AND "estado" IN ($2, $3))";
constexpr const char* kListSuppliers =
    R"(SELECT )" IAM_SUPPLIER_COLUMNS R"( FROM "Proveedor" WHERE "empresaId" = $1 AND "estado" IN ($2, $3)
       ORDER BY "nombre" ASC, "id" ASC LIMIT $4 OFFSET $5)";

constexpr const char* kUpdateSupplier =
    R"(UPDATE "Proveedor" SET "nombre" = $3, "email" = $4, "telefono" = $5 WHERE "id" = $1 AND "empresaId" = $2
       RETURNING )" IAM_SUPPLIER_COLUMNS;

constexpr const char* kChangeSupplierEstado =
    R"(UPDATE "Proveedor" SET "estado" = $3 WHERE "id" = $1 AND "empresaId" = $2 AND "estado" IN ($4, $5)
       RETURNING )" IAM_SUPPLIER_COLUMNS;

#undef IAM_SUPPLIER_COLUMNS

domain::Proveedor ReadSupplier(const ResultSet::Row& r) {
  return domain::Proveedor{r.Int(0), r.Text(1), r.OptText(2), r.OptText(3), r.Int(4), r.Text(5)};
}

Param Opt(const std::optional<std::string>& v) { return v ? Param(*v) : Param(nullptr); }

Error NotFound() { return Error::NotFound("Proveedor no encontrado", "PROVEEDOR_NOT_FOUND"); }

// Names the unique index that refused the row (PostgreSQL names the index, SQLite the columns).
Error MapDuplicate(Error e) {
  if (e.code != "DUPLICATE") return e;
  if (e.message.find("nombre") != std::string::npos)
    return Error::Conflict("Ya existe un proveedor con ese nombre", "DUPLICATE_NOMBRE");
  if (e.message.find("email") != std::string::npos)
    return Error::Conflict("Ya existe un proveedor con ese email", "DUPLICATE_EMAIL");
  return Error::Conflict("Proveedor duplicado", "DUPLICATE");
}

Result<domain::Proveedor> FirstOrNotFound(Result<ResultSet> rows) {
  if (!rows) return Fail(MapDuplicate(rows.error()));
  if (rows->empty()) return Fail(NotFound());
  return ReadSupplier((*rows)[0]);
}

}  // namespace

Result<domain::Proveedor> InsertSupplier(Connection& conn, const domain::Proveedor& p) {
  return FirstOrNotFound(
      conn.Query(kInsertSupplier, {Param(p.nombre), Opt(p.email), Opt(p.telefono), Param(p.empresa_id), Param(p.estado)}));
}

Result<domain::Proveedor> FindSupplier(Connection& conn, domain::Id empresa_id, domain::Id id) {
  return FirstOrNotFound(conn.Query(kSelectSupplier, {Param(id), Param(empresa_id)}));
}

Result<void> RequireActiveSupplier(Connection& conn, domain::Id empresa_id, domain::Id id) {
  auto rows = conn.Query(kSelectActiveSupplier, {Param(id), Param(empresa_id)});
  if (!rows) return Fail(rows.error());
  if (rows->empty())
    return Fail(Error::InvalidArgument("proveedorId: no es un proveedor activo de la empresa", "INVALID_PROVEEDOR"));
  return {};
}

Result<SupplierPage> ListSuppliers(Connection& conn, domain::Id empresa_id, std::string_view estado,
                                   std::int64_t limit, std::int64_t offset) {
  Param a = estado.empty() ? Param(std::string("ACTIVO")) : Param(std::string(estado));
  Param b = estado.empty() ? Param(std::string("INACTIVO")) : a;
  auto count = conn.Query(kCountSuppliers, {Param(empresa_id), a, b});
  if (!count) return Fail(count.error());
  auto rows = conn.Query(kListSuppliers, {Param(empresa_id), a, b, Param(limit), Param(offset)});
  if (!rows) return Fail(rows.error());
  SupplierPage page;
  page.total = (*count)[0].Int(0);
  for (std::size_t i = 0; i < rows->size(); ++i) page.items.push_back(ReadSupplier((*rows)[i]));
  return page;
}

Result<domain::Proveedor> UpdateSupplier(Connection& conn, domain::Id empresa_id, domain::Id id,
                                         const SupplierChanges& changes) {
  auto current = FindSupplier(conn, empresa_id, id);
  if (!current) return current;
  domain::Proveedor next = *current;
  if (changes.nombre) next.nombre = *changes.nombre;
  if (changes.email) next.email = *changes.email;
  if (changes.telefono) next.telefono = *changes.telefono;
  return FirstOrNotFound(conn.Query(
      kUpdateSupplier, {Param(id), Param(empresa_id), Param(next.nombre), Opt(next.email), Opt(next.telefono)}));
}

Result<domain::Proveedor> ChangeSupplierEstado(Connection& conn, domain::Id empresa_id, domain::Id id,
                                               const domain::EstadoTransition& t) {
  auto rows = conn.Query(kChangeSupplierEstado, {Param(id), Param(empresa_id), Param(std::string(t.to)),
                                                 Param(std::string(t.from_a)), Param(std::string(t.from_b))});
  if (!rows) return Fail(rows.error());
  if (!rows->empty()) return ReadSupplier((*rows)[0]);
  auto current = FindSupplier(conn, empresa_id, id);
  if (!current || current->estado == t.to) return current;
  return Fail(Error::Conflict("La operación no es válida para un proveedor en estado " + current->estado,
                              "ESTADO_INVALIDO"));
}

}  // namespace iam::store
