// /productos (api.md "Products"): thin handlers over store/product_repository. Reads: every role of
// the tenant (PROVEEDOR without prices); writes: ADMIN, SUPERADMIN. Multi-step writes run in one
// transaction on the blocking pool.
#include <boost/json/array.hpp>

#include "api/endpoint.hpp"
#include "cache/category.hpp"
#include "api/product_body.hpp"
#include "api/product_json.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "domain/enums.hpp"
#include "http/blocking.hpp"
#include "store/product_repository.hpp"
#include "store/supplier_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using domain::Producto;

// Supplier check, insert and the "Stock inicial" movement: all or nothing.
Result<Producto> CreateInTransaction(store::Database& db, const Producto& draft) {
  return store::InTransaction(db, [&](store::Connection& c) -> Result<Producto> {
    if (draft.proveedor_id) {
      if (auto ok = store::RequireActiveSupplier(c, draft.empresa_id, *draft.proveedor_id); !ok) return Fail(ok.error());
    }
    auto p = store::InsertProduct(c, draft);
    if (!p || p->stock <= 0) return p;
    if (auto m = store::InsertInitialStockMovement(c, *p); !m) return Fail(m.error());
    return p;
  });
}

// The version check is the UPDATE's own WHERE, so a concurrent writer cannot slip in between.
Result<Producto> PatchInTransaction(store::Database& db, domain::Id empresa_id, domain::Id id,
                                    const ProductPatch& patch) {
  return store::InTransaction(db, [&](store::Connection& c) -> Result<Producto> {
    auto current = store::FindProduct(c, empresa_id, id);
    if (!current) return current;
    // An unchanged supplier is not re-checked: re-sending a whole form must not fail because the
    // supplier was deactivated since.
    if (patch.proveedor_id.HasValue() && patch.proveedor_id.value != current->proveedor_id) {
      if (auto ok = store::RequireActiveSupplier(c, empresa_id, patch.proveedor_id.value); !ok) return Fail(ok.error());
    }
    Producto next = *current;
    ApplyPatch(patch, next);
    return store::UpdateProduct(c, next, patch.version.value_or(current->version));
  });
}

// Stores the parsed value in `out`, or keeps the first error in `first`.
template <typename T, typename U>
void Read(Result<T> parsed, U& out, std::optional<Error>& first) {
  if (parsed) out = std::move(*parsed);
  else if (!first) first = parsed.error();
}

Result<store::ProductFilter> ParseFilter(const http::RequestContext& ctx, const Page& page) {
  store::ProductFilter f{.limit = page.limit, .offset = page.offset()};
  std::optional<Error> error;
  std::optional<std::string> estado;
  std::optional<bool> agotados;
  Read(QueryEnum(ctx, "estado", domain::kEstadosProducto), estado, error);
  Read(QueryText(ctx, "search"), f.search, error);
  Read(QueryText(ctx, "etiqueta", 50), f.etiqueta, error);
  Read(QueryEnum(ctx, "tipoProducto", domain::kTiposProducto), f.tipo_producto, error);
  Read(QueryBool(ctx, "agotados"), agotados, error);
  Read(QueryInt(ctx, "proveedorId", 1, 2147483647), f.proveedor_id, error);
  Read(QueryText(ctx, "sku", 100), f.sku, error);
  Read(QueryText(ctx, "codigoBarras", 100), f.codigo_barras, error);
  if (error) return Fail(*error);
  f.estado = estado.value_or("ACTIVO");
  f.agotados = agotados.value_or(false);
  return f;
}

Reply RenderProduct(const Producto& p, const Principal& who) { return Ok(ProductJson(p, PricesFor(who.rol))); }

awaitable<Result<Reply>> Create(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto draft = ParseNewProduct(ctx.request.body());
  if (!draft) co_return Fail(draft.error());
  draft->empresa_id = TenantOf(who);
  auto p = co_await http::RunBlocking(api.blocking, [&] { return CreateInTransaction(api.db, *draft); });
  if (!p) co_return Fail(p.error());
  co_return Created(ProductJson(*p, PricesFor(who.rol)));
}

awaitable<Result<Reply>> List(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto paging = PageParams(ctx);
  if (!paging) co_return Fail(paging.error());
  auto filter = ParseFilter(ctx, *paging);
  if (!filter) co_return Fail(filter.error());
  auto page = co_await http::RunBlocking(api.blocking, [&]() -> Result<store::ProductPage> {
    auto lease = api.db.Acquire();
    if (!lease) return Fail(lease.error());
    return store::ListProducts(**lease, TenantOf(who), *filter);
  });
  if (!page) co_return Fail(page.error());
  boost::json::array items;
  for (const auto& p : page->items) items.emplace_back(ProductJson(p, PricesFor(who.rol)));
  co_return Ok({{"productos", std::move(items)},
                {"total", page->total},
                {"page", paging->page},
                {"limit", paging->limit},
                {"totalPages", paging->total_pages(page->total)}});
}

// Runs `fn(Connection&) -> Result<Producto>` on a leased connection and renders the product.
template <typename Fn>
awaitable<Result<Reply>> OneProduct(ApiContext& api, const Principal& who, Fn fn) {
  auto p = co_await http::RunBlocking(api.blocking, [&]() -> Result<Producto> {
    auto lease = api.db.Acquire();
    if (!lease) return Fail(lease.error());
    return fn(**lease);
  });
  if (!p) co_return Fail(p.error());
  co_return RenderProduct(*p, who);
}

awaitable<Result<Reply>> Get(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  co_return co_await OneProduct(api, who, [&](store::Connection& c) { return store::FindProduct(c, TenantOf(who), *id); });
}

awaitable<Result<Reply>> GetByBarcode(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  std::string codigo(ctx.Param("codigoBarras"));
  if (codigo.empty() || !IsValidUtf8(codigo) || Utf8Length(codigo) > 200 || codigo.find('\0') != std::string::npos)
    co_return Fail(Error::InvalidArgument("codigoBarras: debe tener entre 1 y 200 caracteres"));
  co_return co_await OneProduct(
      api, who, [&](store::Connection& c) { return store::FindProductByBarcode(c, TenantOf(who), codigo); });
}

awaitable<Result<Reply>> Update(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto patch = ParseProductPatch(ctx.request.body());
  if (!patch) co_return Fail(patch.error());
  auto p = co_await http::RunBlocking(api.blocking,
                                      [&] { return PatchInTransaction(api.db, TenantOf(who), *id, *patch); });
  if (!p) co_return Fail(p.error());
  co_return RenderProduct(*p, who);
}

template <const domain::EstadoTransition& kTransition>
awaitable<Result<Reply>> ChangeEstado(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto p = co_await http::RunBlocking(api.blocking, [&] {
    return store::InTransaction(api.db, [&](store::Connection& c) {
      return store::ChangeProductEstado(c, TenantOf(who), *id, kTransition);
    });
  });
  if (!p) co_return Fail(p.error());
  co_return RenderProduct(*p, who);
}

}  // namespace

void RegisterProductRoutes(http::Router& router, ApiContext& api) {
  const Access read{};  // every role of the tenant
  const Access write{kAdmins};
  router.Post("/productos", Bind(api, write, Create));
  router.Get("/productos", BindCached(api, read, cache::Category::kProductos, List));
  router.Get("/productos/buscar/:codigoBarras", BindCached(api, read, cache::Category::kProductos, GetByBarcode));
  router.Get("/productos/:id", BindCached(api, read, cache::Category::kProductos, Get));
  router.Patch("/productos/:id", Bind(api, write, Update));
  router.Patch("/productos/:id/desactivar", Bind(api, write, ChangeEstado<domain::kDesactivar>));
  router.Patch("/productos/:id/reactivar", Bind(api, write, ChangeEstado<domain::kReactivar>));
  router.Delete("/productos/:id", Bind(api, write, ChangeEstado<domain::kEliminar>));
  router.Patch("/productos/:id/restaurar", Bind(api, write, ChangeEstado<domain::kRestaurar>));
}

}  // namespace iam::api
