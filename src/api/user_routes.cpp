// /users routes (api.md "Users and tenants"): ADMIN manages the users of its tenant, SUPERADMIN
// those of every tenant. Another tenant's user is a 404. A role change or a deactivation ends
// every session of that user in the same transaction.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/account_json.hpp"
#include "api/detail/store_call.hpp"
#include "api/endpoint.hpp"
#include "api/json_body.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/enums.hpp"
#include "domain/time_format.hpp"
#include "store/session_repository.hpp"
#include "store/user_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using http::RequestContext;

Error UserNotFound() { return Error::NotFound("Usuario no encontrado", "USER_NOT_FOUND"); }
Error Forbidden(std::string message) { return {ErrorKind::kPermissionDenied, "FORBIDDEN", std::move(message)}; }

// The tenants a caller manages: nullopt = all (SUPERADMIN), else its own.
Result<std::optional<domain::Id>> Scope(const Principal& me) {
  if (me.IsSuperAdmin()) return std::optional<domain::Id>();
  if (!me.empresa_id)
    return Fail(Error{ErrorKind::kPermissionDenied, "EMPRESA_REQUIRED", "Debe configurar una empresa antes de continuar"});
  return std::optional<domain::Id>(*me.empresa_id);
}

awaitable<Result<Reply>> List(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto scope = Scope(me);
  if (!scope) co_return Fail(scope.error());
  auto page = PageParams(ctx);
  if (!page) co_return Fail(page.error());
  auto search = QueryText(ctx, "search");
  if (!search) co_return Fail(search.error());
  auto rol = QueryEnum(ctx, "rol", domain::kRoles);
  if (!rol) co_return Fail(rol.error());
  auto activo = QueryBool(ctx, "activo");
  if (!activo) co_return Fail(activo.error());
  store::UserFilter filter{*scope, *search, *rol, *activo, page->limit, page->offset()};
  auto users = co_await detail::WithConnection(api, [&](store::Connection& c) { return store::ListUsers(c, filter); });
  if (!users) co_return Fail(users.error());
  boost::json::array items;
  for (const auto& u : users->items) items.push_back(UserJson(u));
  co_return Ok(boost::json::object{{"usuarios", std::move(items)},
                                   {"total", users->total},
                                   {"page", page->page},
                                   {"limit", page->limit},
                                   {"totalPages", page->total_pages(users->total)}});
}

awaitable<Result<Reply>> Create(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  store::NewUser user;
  user.nombre = body->String("nombre", {.required = true}).value_or("");
  user.email = body->String("email", {.required = true, .email = true}).value_or("");
  auto password = body->String("password", {.required = true, .min_chars = 8, .max_chars = 128, .trim = false});
  user.rol = body->Enum("rol", domain::kRoles, /*required=*/true).value_or("");
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  if (user.rol == "SUPERADMIN" && !me.IsSuperAdmin()) co_return Fail(Forbidden("Solo un SUPERADMIN puede crear otro"));
  user.empresa_id = TenantOf(me);
  user.setup_completado = true;

  user.password_hash = co_await http::RunBlocking(api.blocking, [&] { return crypto::HashPassword(*password); });
  auto created = co_await detail::InTransaction(api, [&](store::Connection& c) -> Result<domain::Usuario> {
    auto existing = store::FindUserByEmail(c, user.email);
    if (!existing) return Fail(existing.error());
    if (*existing) return Fail(Error::Conflict("El email ya está registrado", "EMAIL_EXISTS"));
    return store::InsertUser(c, user);
  });
  if (!created) co_return Fail(created.error());
  co_return Created(UserJson(*created));
}

// Who may change `target`: only a SUPERADMIN touches a SUPERADMIN or grants that role.
Result<void> MayManage(const Principal& me, const domain::Usuario& target, const store::UserChanges& changes) {
  if (me.IsSuperAdmin()) return {};
  if (target.rol == "SUPERADMIN") return Fail(Forbidden("No puede modificar a un SUPERADMIN"));
  if (changes.rol == "SUPERADMIN") return Fail(Forbidden("Solo un SUPERADMIN puede otorgar ese rol"));
  return {};
}

// Loads the target in the caller's scope, applies `changes` and, when the user loses its role or
// its access, revokes its sessions. Runs inside a transaction.
Result<domain::Usuario> ApplyChanges(store::Connection& c, const Principal& me, std::optional<domain::Id> scope,
                                     domain::Id id, const store::UserChanges& changes) {
  auto target = store::FindUserInTenant(c, id, scope);
  if (!target) return Fail(target.error());
  if (!*target) return Fail(UserNotFound());
  if (auto ok = MayManage(me, **target, changes); !ok) return Fail(ok.error());
  auto updated = store::UpdateUser(c, id, scope, changes);
  if (!updated) return Fail(updated.error());
  if (!*updated) return Fail(UserNotFound());
  bool role_changed = changes.rol && *changes.rol != (*target)->rol;
  bool deactivated = changes.activo == false && (*target)->activo;
  if (role_changed || deactivated) {
    if (auto r = store::RevokeAllSessions(c, id, NowMs() + 1, ""); !r) return Fail(r.error());
  }
  auto after = store::FindUserById(c, id);
  if (!after) return Fail(after.error());
  if (!*after) return Fail(UserNotFound());
  return **after;
}

awaitable<Result<Reply>> Update(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto scope = Scope(me);
  if (!scope) co_return Fail(scope.error());
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  store::UserChanges changes;
  changes.nombre = body->String("nombre", {.min_chars = 1});
  changes.rol = body->Enum("rol", domain::kRoles);
  changes.activo = body->Bool("activo");
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  if (*id == me.user_id && (changes.activo == false || (changes.rol && *changes.rol != me.rol)))
    co_return Fail(Error::InvalidArgument("No puede desactivarse ni cambiar su propio rol", "CANNOT_MODIFY_SELF"));

  auto user = co_await detail::InTransaction(
      api, [&](store::Connection& c) { return ApplyChanges(c, me, *scope, *id, changes); });
  if (!user) co_return Fail(user.error());
  co_return Ok(UserJson(*user));
}

awaitable<Result<Reply>> Deactivate(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto scope = Scope(me);
  if (!scope) co_return Fail(scope.error());
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  if (*id == me.user_id) co_return Fail(Error::InvalidArgument("No puede eliminarse a sí mismo", "CANNOT_DELETE_SELF"));
  store::UserChanges changes;
  changes.activo = false;
  auto user = co_await detail::InTransaction(
      api, [&](store::Connection& c) { return ApplyChanges(c, me, *scope, *id, changes); });
  if (!user) co_return Fail(user.error());
  co_return Ok(boost::json::object{{"message", "Usuario desactivado"}, {"user", UserJson(*user)}});
}

}  // namespace

void RegisterUserRoutes(http::Router& router, ApiContext& api) {
  // SUPERADMIN may have no tenant and still manage every one, so the tenant check is Scope()'s.
  const Access admins_any_tenant{.roles = kAdmins, .tenant_required = false};
  const Access admins{.roles = kAdmins, .tenant_required = true};
  router.Get("/users", Authed(api, admins_any_tenant,
                              [&api](RequestContext& ctx, const Principal& me) { return List(api, ctx, me); }));
  router.Post("/users",
              Authed(api, admins, [&api](RequestContext& ctx, const Principal& me) { return Create(api, ctx, me); }));
  router.Patch("/users/:id", Authed(api, admins_any_tenant,
                                    [&api](RequestContext& ctx, const Principal& me) { return Update(api, ctx, me); }));
  router.Delete("/users/:id", Authed(api, admins_any_tenant, [&api](RequestContext& ctx, const Principal& me) {
                  return Deactivate(api, ctx, me);
                }));
}

}  // namespace iam::api
