#include "store/user_repository.hpp"

#include "store/like_pattern.hpp"

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

const std::string kColumns =
    R"(u."id", u."empresaId", u."nombre", u."email", u."password", u."rol", u."activo", u."setupCompletado", u."createdAt")";

const std::string kSelectById = "SELECT " + kColumns + R"( FROM "Usuario" u WHERE u."id" = $1)";

// Emails are unique as stored, but legacy rows may carry capitals: an exact match wins.
const std::string kSelectByEmail = "SELECT " + kColumns + R"( FROM "Usuario" u
WHERE u."email" = $1 OR lower(u."email") = $1
ORDER BY CASE WHEN u."email" = $1 THEN 0 ELSE 1 END, u."id" LIMIT 1)";

const std::string kSelectInTenant = "SELECT " + kColumns + R"( FROM "Usuario" u
WHERE u."id" = $1 AND (CAST($2 AS BIGINT) IS NULL OR u."empresaId" = $2))";

constexpr const char* kInsert = R"(
INSERT INTO "Usuario" ("empresaId", "nombre", "email", "password", "rol", "setupCompletado", "activo")
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "id", "createdAt")";

// Optional filters as "parameter is null or matches", so one statement serves every combination.
// lower() folds ASCII only on SQLite (Unicode on PostgreSQL).
const std::string kFilter = R"(
FROM "Usuario" u
WHERE (CAST($1 AS BIGINT) IS NULL OR u."empresaId" = $1)
  AND (CAST($2 AS TEXT) IS NULL OR lower(u."nombre") LIKE lower($2) ESCAPE '\'
                                OR lower(u."email") LIKE lower($2) ESCAPE '\')
  AND (CAST($3 AS TEXT) IS NULL OR CAST(u."rol" AS TEXT) = $3)
  AND (CAST($4 AS BOOLEAN) IS NULL OR u."activo" = $4))";

const std::string kCount = "SELECT COUNT(*)" + kFilter;
const std::string kPage = "SELECT " + kColumns + kFilter + R"(
ORDER BY u."id" LIMIT $5 OFFSET $6)";

constexpr const char* kUpdate = R"(
UPDATE "Usuario" SET "nombre" = COALESCE($2, "nombre"), "rol" = COALESCE($3, "rol"),
                     "activo" = COALESCE($4, "activo")
WHERE "id" = $1 AND (CAST($5 AS BIGINT) IS NULL OR "empresaId" = $5))";

constexpr const char* kSetPassword = R"(UPDATE "Usuario" SET "password" = $2 WHERE "id" = $1)";

constexpr const char* kAttach = R"(
UPDATE "Usuario" SET "empresaId" = $2, "setupCompletado" = $3,
                     "rol" = CASE WHEN "rol" = 'SUPERADMIN' THEN "rol" ELSE 'ADMIN' END
WHERE "id" = $1 AND "empresaId" IS NULL)";

domain::Usuario ReadUser(const ResultSet::Row& r) {
  domain::Usuario u;
  u.id = r.Int(0);
  u.empresa_id = r.OptInt(1);
  u.nombre = r.Text(2);
  u.email = r.Text(3);
  u.password_hash = r.OptText(4);
  u.rol = r.Text(5);
  u.activo = r.Bool(6);
  u.setup_completado = r.Bool(7);
  u.created_at_ms = r.OptTimeMs(8).value_or(0);
  return u;
}

Result<std::optional<domain::Usuario>> One(Result<ResultSet> rows) {
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<domain::Usuario>();
  return std::optional<domain::Usuario>(ReadUser((*rows)[0]));
}

template <typename T>
Param Opt(const std::optional<T>& v) {
  return v ? Param(*v) : Param(nullptr);
}

}  // namespace


Result<std::optional<domain::Usuario>> FindUserById(Connection& conn, domain::Id id) {
  return One(conn.Query(kSelectById, {Param(id)}));
}

Result<std::optional<domain::Usuario>> FindUserByEmail(Connection& conn, const std::string& email) {
  return One(conn.Query(kSelectByEmail, {Param(email)}));
}

Result<std::optional<domain::Usuario>> FindUserInTenant(Connection& conn, domain::Id id,
                                                        std::optional<domain::Id> empresa_id) {
  return One(conn.Query(kSelectInTenant, {Param(id), Opt(empresa_id)}));
}

Result<domain::Usuario> InsertUser(Connection& conn, const NewUser& user) {
  auto rows = conn.Query(kInsert, {Opt(user.empresa_id), Param(user.nombre), Param(user.email),
                                   Param(user.password_hash), Param(user.rol), Param(user.setup_completado),
                                   Param(true)});
  if (!rows) {
    if (rows.error().code == "DUPLICATE") return Fail(Error::Conflict("El email ya está registrado", "EMAIL_EXISTS"));
    return Fail(rows.error());
  }
  domain::Usuario u;
  u.id = (*rows)[0].Int(0);
  u.created_at_ms = (*rows)[0].OptTimeMs(1).value_or(NowMs());
  u.empresa_id = user.empresa_id;
  u.nombre = user.nombre;
  u.email = user.email;
  u.password_hash = user.password_hash;
  u.rol = user.rol;
  u.activo = true;
  u.setup_completado = user.setup_completado;
  return u;
}

Result<UserPage> ListUsers(Connection& conn, const UserFilter& f) {
  std::optional<std::string> pattern;
  if (f.search) pattern = ContainsPattern(*f.search);
  std::vector<Param> params = {Opt(f.empresa_id), Opt(pattern), Opt(f.rol), Opt(f.activo)};
  auto count = conn.Query(kCount, std::span<const Param>(params));
  if (!count) return Fail(count.error());
  params.push_back(Param(f.limit));
  params.push_back(Param(f.offset));
  auto rows = conn.Query(kPage, std::span<const Param>(params));
  if (!rows) return Fail(rows.error());
  UserPage page;
  page.total = (*count)[0].Int(0);
  for (std::size_t i = 0; i < rows->size(); ++i) page.items.push_back(ReadUser((*rows)[i]));
  return page;
}

Result<bool> UpdateUser(Connection& conn, domain::Id id, std::optional<domain::Id> empresa_id,
                        const UserChanges& c) {
  auto r = conn.Query(kUpdate, {Param(id), Opt(c.nombre), Opt(c.rol), Opt(c.activo), Opt(empresa_id)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

Result<void> SetPasswordHash(Connection& conn, domain::Id id, const std::string& hash) {
  auto r = conn.Query(kSetPassword, {Param(id), Param(hash)});
  if (!r) return Fail(r.error());
  return {};
}

Result<bool> AttachUserToEmpresa(Connection& conn, domain::Id user_id, domain::Id empresa_id) {
  auto r = conn.Query(kAttach, {Param(user_id), Param(empresa_id), Param(true)});
  if (!r) return Fail(r.error());
  return r->affected_rows() > 0;
}

}  // namespace iam::store
