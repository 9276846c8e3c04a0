#include "store/empresa_repository.hpp"

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

const std::string kColumns =
    R"("id", "nombre", "rfc", "emailContacto", "direccion", "fechaCreacion", "updatedAt", "TipoIndustria")";

const std::string kSelectOne = "SELECT " + kColumns + R"( FROM "Empresa" WHERE "id" = $1)";

constexpr const char* kInsert = R"(
INSERT INTO "Empresa" ("nombre", "rfc", "direccion", "emailContacto", "TipoIndustria", "fechaCreacion", "updatedAt")
VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING "id")";

constexpr const char* kCount = R"(SELECT COUNT(*) FROM "Empresa")";
const std::string kPage = "SELECT " + kColumns + R"( FROM "Empresa" ORDER BY "id" LIMIT $1 OFFSET $2)";

// Nullable columns take a "present" flag and a value, so null can clear them.
constexpr const char* kUpdate = R"(
UPDATE "Empresa" SET
  "nombre" = COALESCE($2, "nombre"),
  "TipoIndustria" = COALESCE($3, "TipoIndustria"),
  "rfc" = CASE WHEN $4 THEN $5 ELSE "rfc" END,
  "direccion" = CASE WHEN $6 THEN $7 ELSE "direccion" END,
  "emailContacto" = CASE WHEN $8 THEN $9 ELSE "emailContacto" END,
  "updatedAt" = $10
WHERE "id" = $1)";

constexpr const char* kDependents = R"(
SELECT (SELECT COUNT(*) FROM "Usuario" WHERE "empresaId" = $1),
       (SELECT COUNT(*) FROM "Producto" WHERE "empresaId" = $1),
       (SELECT COUNT(*) FROM "Proveedor" WHERE "empresaId" = $1),
       (SELECT COUNT(*) FROM "MovimientoInventario" WHERE "empresaId" = $1))";

constexpr const char* kDelete = R"(DELETE FROM "Empresa" WHERE "id" = $1)";

domain::Empresa ReadEmpresa(const ResultSet::Row& r) {
  domain::Empresa e;
  e.id = r.Int(0);
  e.nombre = r.Text(1);
  e.rfc = r.OptText(2);
  e.email_contacto = r.OptText(3);
  e.direccion = r.OptText(4);
  e.fecha_creacion_ms = r.OptTimeMs(5).value_or(0);
  e.updated_at_ms = r.OptTimeMs(6).value_or(0);
  e.tipo_industria = r.Text(7, "GENERICA");
  return e;
}

Param Opt(const std::optional<std::string>& v) { return v ? Param(*v) : Param(nullptr); }

Error MapDuplicate(Error e) {
  if (e.code == "DUPLICATE") return Error::Conflict("El RFC ya está registrado", "RFC_EXISTS");
  return e;
}

}  // namespace

Result<std::optional<domain::Empresa>> FindEmpresa(Connection& conn, domain::Id id) {
  auto rows = conn.Query(kSelectOne, {Param(id)});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<domain::Empresa>();
  return std::optional<domain::Empresa>(ReadEmpresa((*rows)[0]));
}

Result<domain::Empresa> InsertEmpresa(Connection& conn, const NewEmpresa& e) {
  std::int64_t now = NowMs();
  auto rows = conn.Query(kInsert, {Param(e.nombre), Opt(e.rfc), Opt(e.direccion), Opt(e.email_contacto),
                                   Param(e.tipo_industria), Param(FormatIsoMs(now))});
  if (!rows) return Fail(MapDuplicate(rows.error()));
  domain::Empresa out;
  out.id = (*rows)[0].Int(0);
  out.nombre = e.nombre;
  out.rfc = e.rfc;
  out.direccion = e.direccion;
  out.email_contacto = e.email_contacto;
  out.tipo_industria = e.tipo_industria;
  out.fecha_creacion_ms = out.updated_at_ms = now;
  return out;
}

Result<EmpresaPage> ListEmpresas(Connection& conn, std::int64_t limit, std::int64_t offset) {
  auto count = conn.Query(kCount, {});
  if (!count) return Fail(count.error());
  auto rows = conn.Query(kPage, {Param(limit), Param(offset)});
  if (!rows) return Fail(rows.error());
  EmpresaPage page;
  page.total = (*count)[0].Int(0);
  for (std::size_t i = 0; i < rows->size(); ++i) page.items.push_back(ReadEmpresa((*rows)[i]));
  return page;
}

Result<std::optional<domain::Empresa>> UpdateEmpresa(Connection& conn, domain::Id id, const EmpresaChanges& c) {
  auto flag = [](const auto& field) { return Param(field.has_value()); };
  auto value = [](const auto& field) { return field && *field ? Param(**field) : Param(nullptr); };
  auto r = conn.Query(kUpdate, {Param(id), Opt(c.nombre), Opt(c.tipo_industria), flag(c.rfc), value(c.rfc),
                                flag(c.direccion), value(c.direccion), flag(c.email_contacto),
                                value(c.email_contacto), Param(FormatIsoMs(NowMs()))});
  if (!r) return Fail(MapDuplicate(r.error()));
  if (r->affected_rows() == 0) return std::optional<domain::Empresa>();
  return FindEmpresa(conn, id);
}

Result<EmpresaDependents> CountEmpresaDependents(Connection& conn, domain::Id id) {
  auto rows = conn.Query(kDependents, {Param(id)});
  if (!rows) return Fail(rows.error());
  auto r = (*rows)[0];
  return EmpresaDependents{r.Int(0), r.Int(1), r.Int(2), r.Int(3)};
}

Result<bool> DeleteEmpresa(Connection& conn, domain::Id id) {
  auto r = conn.Query(kDelete, {Param(id)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

Result<std::vector<domain::Id>> ListEmpresaIds(Connection& conn) {
  auto rs = conn.Query(R"(SELECT "id" FROM "Empresa")");
  if (!rs) return Fail(rs.error());
  std::vector<domain::Id> ids;
  ids.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) ids.push_back((*rs)[i].Int(0));
  return ids;
}

}  // namespace iam::store
