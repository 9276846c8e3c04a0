// /empresas routes (api.md "Users and tenants"): every user reads its own tenant (/empresas/mia),
// ADMIN edits it; listing, reading, editing and deleting any tenant by id is SUPERADMIN only.
// DELETE removes a tenant only when nothing refers to it any more (else 409 EMPRESA_NOT_EMPTY).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/account_json.hpp"
#include "api/detail/store_call.hpp"
#include "api/endpoint.hpp"
#include "api/json_body.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "domain/enums.hpp"
#include "store/empresa_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using http::RequestContext;

const std::vector<std::string_view> kSuperAdmin = {"SUPERADMIN"};

Error EmpresaNotFound() { return Error::NotFound("Empresa no encontrada", "EMPRESA_NOT_FOUND"); }

// A nullable text field of a PATCH: absent → unchanged, null or "" → cleared.
std::optional<std::optional<std::string>> Nullable(const Patch<std::string>& p, bool upper = false) {
  if (!p.present) return std::nullopt;
  if (p.is_null || p.value.empty()) return std::optional<std::string>();
  std::string v = p.value;
  if (upper)
    for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::optional<std::string>(std::move(v));
}

Result<store::EmpresaChanges> ReadChanges(const RequestContext& ctx) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) return Fail(body.error());
  store::EmpresaChanges c;
  c.nombre = body->String("nombre", {.min_chars = 1});
  c.tipo_industria = body->Enum("tipoIndustria", domain::kTiposIndustria);
  c.rfc = Nullable(body->NullableString("rfc", {.max_chars = 20}), /*upper=*/true);
  c.direccion = Nullable(body->NullableString("direccion"));
  c.email_contacto = Nullable(body->NullableString("emailContacto", {.email = true}));
  if (auto done = body->Finish(); !done) return Fail(done.error());
  return c;
}

awaitable<Result<Reply>> Get(ApiContext& api, domain::Id id) {
  auto e = co_await detail::WithConnection(api, [&](store::Connection& c) { return store::FindEmpresa(c, id); });
  if (!e) co_return Fail(e.error());
  if (!*e) co_return Fail(EmpresaNotFound());
  co_return Ok(EmpresaJson(**e));
}

awaitable<Result<Reply>> Update(ApiContext& api, const RequestContext& ctx, domain::Id id) {
  auto changes = ReadChanges(ctx);
  if (!changes) co_return Fail(changes.error());
  auto e = co_await detail::InTransaction(
      api, [&](store::Connection& c) { return store::UpdateEmpresa(c, id, *changes); });
  if (!e) co_return Fail(e.error());
  if (!*e) co_return Fail(EmpresaNotFound());
  co_return Ok(EmpresaJson(**e));
}

awaitable<Result<Reply>> List(ApiContext& api, const RequestContext& ctx) {
  auto page = PageParams(ctx);
  if (!page) co_return Fail(page.error());
  auto rows = co_await detail::WithConnection(
      api, [&](store::Connection& c) { return store::ListEmpresas(c, page->limit, page->offset()); });
  if (!rows) co_return Fail(rows.error());
  boost::json::array items;
  for (const auto& e : rows->items) items.push_back(EmpresaJson(e));
  co_return Ok(boost::json::object{{"empresas", std::move(items)},
                                   {"total", rows->total},
                                   {"page", page->page},
                                   {"limit", page->limit},
                                   {"totalPages", page->total_pages(rows->total)}});
}

awaitable<Result<Reply>> Delete(ApiContext& api, domain::Id id) {
  auto deleted = co_await detail::InTransaction(api, [&](store::Connection& c) -> Result<void> {
    auto deps = store::CountEmpresaDependents(c, id);
    if (!deps) return Fail(deps.error());
    if (deps->Any())
      return Fail(Error::Conflict("La empresa aún tiene usuarios, productos, proveedores o movimientos",
                                  "EMPRESA_NOT_EMPTY"));
    auto gone = store::DeleteEmpresa(c, id);
    if (!gone) return Fail(gone.error());
    if (!*gone) return Fail(EmpresaNotFound());
    return {};
  });
  if (!deleted) co_return Fail(deleted.error());
  co_return Ok(boost::json::object{{"message", "Empresa eliminada"}});
}

// Runs `fn(id)` with the path id, or answers its 400.
template <typename Fn>
awaitable<Result<Reply>> WithPathId(const RequestContext& ctx, Fn fn) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  co_return co_await fn(*id);
}

}  // namespace

void RegisterEmpresaRoutes(http::Router& router, ApiContext& api) {
  const Access any_role{.roles = {}, .tenant_required = true};
  const Access admins{.roles = kAdmins, .tenant_required = true};
  const Access superadmin{.roles = kSuperAdmin, .tenant_required = false};
  router.Get("/empresas/mia", AuthedCached(api, any_role, cache::Category::kEmpresa, [&api](RequestContext&, const Principal& me) {
               return Get(api, TenantOf(me));
             }));
  router.Patch("/empresas/mia", Authed(api, admins, [&api](RequestContext& ctx, const Principal& me) {
                 return Update(api, ctx, TenantOf(me));
               }));
  router.Get("/empresas", Authed(api, superadmin, [&api](RequestContext& ctx, const Principal&) { return List(api, ctx); }));
  router.Get("/empresas/:id", Authed(api, superadmin, [&api](RequestContext& ctx, const Principal&) {
               return WithPathId(ctx, [&api](domain::Id id) { return Get(api, id); });
             }));
  // A SUPERADMIN may change another tenant: that tenant's cache is invalidated too (the wrapper
  // only invalidates the caller's own).
  router.Patch("/empresas/:id", Authed(api, superadmin,
                                       [&api](RequestContext& ctx, const Principal&) -> awaitable<Result<Reply>> {
                                         auto reply = co_await WithPathId(
                                             ctx, [&api, &ctx](domain::Id id) { return Update(api, ctx, id); });
                                         if (auto id = PathId(ctx)) co_await api.cache.Invalidate(*id);
                                         co_return reply;
                                       }));
  router.Delete("/empresas/:id", Authed(api, superadmin,
                                        [&api](RequestContext& ctx, const Principal&) -> awaitable<Result<Reply>> {
                                          auto reply = co_await WithPathId(
                                              ctx, [&api](domain::Id id) { return Delete(api, id); });
                                          if (auto id = PathId(ctx)) co_await api.cache.Invalidate(*id);
                                          co_return reply;
                                        }));
}

}  // namespace iam::api
