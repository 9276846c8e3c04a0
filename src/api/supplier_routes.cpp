// /proveedores (api.md "Suppliers"): thin handlers over store/supplier_repository. Reads: every
// role of the tenant; writes: ADMIN, SUPERADMIN. PUT is a partial update (absent fields unchanged,
// null clears email/telefono), as the old backend's PartialType DTO behaved.
#include <boost/json/array.hpp>

#include "api/endpoint.hpp"
#include "cache/category.hpp"
#include "api/json_body.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "api/supplier_json.hpp"
#include "domain/enums.hpp"
#include "http/blocking.hpp"
#include "store/supplier_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using domain::Proveedor;

constexpr StringRule kNombre = {.required = true, .max_chars = 200};
constexpr StringRule kEmail = {.max_chars = 200, .email = true};
constexpr StringRule kTelefono = {.max_chars = 50};

std::optional<std::string> NonBlank(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

Result<Proveedor> ParseNewSupplier(std::string_view text) {
  auto b = JsonBody::Parse(text);
  if (!b) return Fail(b.error());
  Proveedor p;
  p.nombre = b->String("nombre", kNombre).value_or("");
  p.email = b->String("email", kEmail);
  p.telefono = NonBlank(b->String("telefono", kTelefono));
  if (auto done = b->Finish(); !done) return Fail(done.error());
  return p;
}

std::optional<std::optional<std::string>> Change(const Patch<std::string>& p) {
  if (!p.present) return std::nullopt;
  return p.is_null || p.value.empty() ? std::optional<std::string>() : std::optional<std::string>(p.value);
}

Result<store::SupplierChanges> ParseSupplierChanges(std::string_view text) {
  auto b = JsonBody::Parse(text);
  if (!b) return Fail(b.error());
  store::SupplierChanges c;
  StringRule nombre = kNombre;
  nombre.required = b->Has("nombre");  // may be omitted, not null
  c.nombre = b->String("nombre", nombre);
  c.email = Change(b->NullableString("email", kEmail));
  c.telefono = Change(b->NullableString("telefono", kTelefono));
  if (auto done = b->Finish(); !done) return Fail(done.error());
  return c;
}

// Runs `fn(Connection&) -> Result<Proveedor>` in a transaction and renders the supplier.
template <typename Fn>
awaitable<Result<Reply>> OneSupplier(ApiContext& api, Fn fn, bool created = false) {
  auto p = co_await http::RunBlocking(api.blocking, [&] { return store::InTransaction(api.db, fn); });
  if (!p) co_return Fail(p.error());
  co_return created ? Created(SupplierJson(*p)) : Ok(SupplierJson(*p));
}

awaitable<Result<Reply>> Create(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto p = ParseNewSupplier(ctx.request.body());
  if (!p) co_return Fail(p.error());
  p->empresa_id = TenantOf(who);
  co_return co_await OneSupplier(api, [&](store::Connection& c) { return store::InsertSupplier(c, *p); }, true);
}

awaitable<Result<Reply>> List(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto paging = PageParams(ctx);
  if (!paging) co_return Fail(paging.error());
  auto estado = QueryEnum(ctx, "estado", domain::kEstadosProveedor);
  if (!estado) co_return Fail(estado.error());
  auto page = co_await http::RunBlocking(api.blocking, [&]() -> Result<store::SupplierPage> {
    auto lease = api.db.Acquire();
    if (!lease) return Fail(lease.error());
    return store::ListSuppliers(**lease, TenantOf(who), estado->value_or(""), paging->limit, paging->offset());
  });
  if (!page) co_return Fail(page.error());
  boost::json::array items;
  for (const auto& p : page->items) items.emplace_back(SupplierJson(p));
  co_return Ok({{"proveedores", std::move(items)},
                {"total", page->total},
                {"page", paging->page},
                {"limit", paging->limit},
                {"totalPages", paging->total_pages(page->total)}});
}

awaitable<Result<Reply>> Get(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  co_return co_await OneSupplier(api, [&](store::Connection& c) { return store::FindSupplier(c, TenantOf(who), *id); });
}

awaitable<Result<Reply>> Update(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto changes = ParseSupplierChanges(ctx.request.body());
  if (!changes) co_return Fail(changes.error());
  co_return co_await OneSupplier(
      api, [&](store::Connection& c) { return store::UpdateSupplier(c, TenantOf(who), *id, *changes); });
}

template <const domain::EstadoTransition& kTransition>
awaitable<Result<Reply>> ChangeEstado(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  co_return co_await OneSupplier(
      api, [&](store::Connection& c) { return store::ChangeSupplierEstado(c, TenantOf(who), *id, kTransition); });
}

}  // namespace

void RegisterSupplierRoutes(http::Router& router, ApiContext& api) {
  const Access read{};  // every role of the tenant
  const Access write{kAdmins};
  router.Post("/proveedores", Bind(api, write, Create));
  router.Get("/proveedores", BindCached(api, read, cache::Category::kProveedores, List));
  router.Get("/proveedores/:id", BindCached(api, read, cache::Category::kProveedores, Get));
  router.Put("/proveedores/:id", Bind(api, write, Update));
  router.Patch("/proveedores/:id/desactivar", Bind(api, write, ChangeEstado<domain::kDesactivar>));
  router.Patch("/proveedores/:id/reactivar", Bind(api, write, ChangeEstado<domain::kReactivar>));
  router.Delete("/proveedores/:id/soft", Bind(api, write, ChangeEstado<domain::kEliminar>));
  router.Patch("/proveedores/:id/restaurar", Bind(api, write, ChangeEstado<domain::kRestaurar>));
}

}  // namespace iam::api
