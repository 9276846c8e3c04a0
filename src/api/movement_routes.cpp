// Routes of api.md "Inventory movements — /movimientos". Handlers only parse, authorize, call the
// store inside one transaction per write, and render; the rules are in domain/movement_rules and
// the SQL in store/movement_repository. Every route: ADMIN, SUPERADMIN, EMPLEADO of a tenant
// (PROVEEDOR → 403: movements carry prices, which PROVEEDOR may not see).
#include <boost/json/parse.hpp>

#include <atomic>

#include "api/endpoint.hpp"
#include "api/idempotency.hpp"
#include "api/movement_json.hpp"
#include "api/request_params.hpp"
#include "api/routes.hpp"
#include "domain/time_format.hpp"
#include "http/json_writer.hpp"
#include "http/blocking.hpp"
#include "store/idempotency_repository.hpp"
#include "store/movement_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using domain::Id;

constexpr std::int64_t kDayMs = 86'400'000;
// Expired idempotency keys are purged once every this many keyed writes (cheap: indexed delete).
constexpr std::uint64_t kPurgeEvery = 1024;


// The stored answer to a repeated key, or 409 when the key came with another request.
Result<Reply> Replay(const store::StoredAnswer& stored, const std::string& fingerprint) {
  if (stored.request_hash != fingerprint)
    return Fail(Error::Conflict("Idempotency-Key ya usada con otra petición", "IDEMPOTENCY_KEY_REUSED"));
  if (stored.status == 0)
    return Fail(Error::Conflict("Idempotency-Key en uso por otra petición", "IDEMPOTENCY_KEY_IN_PROGRESS"));
  boost::system::error_code ec;
  auto body = boost::json::parse(stored.body, ec);
  if (ec) return Fail(Error::Internal());
  return Reply{static_cast<http::beast_http::status>(stored.status), std::move(body), {{"Idempotent-Replayed", "true"}}};
}

awaitable<void> MaybePurgeKeys(ApiContext& api) {
  static std::atomic<std::uint64_t> keyed_writes{0};
  if (++keyed_writes % kPurgeEvery != 0) co_return;
  auto purged = co_await http::RunBlocking(api.blocking, [&] {
    return store::WithConnection(api.db, [](store::Connection& c) {
      return store::PurgeIdempotencyKeys(c, NowMs() - store::kIdempotencyTtlMs);
    });
  });
  (void)purged;  // best effort: a failed purge is retried kPurgeEvery writes later
}

awaitable<Result<Reply>> CreateMovement(ApiContext& api, http::RequestContext& ctx, const Principal& who,
                                        bool by_barcode) {
  auto key = IdempotencyKeyOf(ctx);
  if (!key) co_return Fail(key.error());
  auto req = ParseCreateMovement(ctx.request.body(), by_barcode, NowMs());
  if (!req) co_return Fail(req.error());
  const Id tenant = TenantOf(who);
  req->movement.empresa_id = tenant;
  const std::string fingerprint = *key ? RequestFingerprint("POST", ctx.path, ctx.request.body()) : std::string();

  // One transaction: the key claim, the stock change, the movement and the stored answer commit
  // together or not at all. Only successful answers are stored; a refused request leaves no key.
  // Run once more if PostgreSQL aborts it as a deadlock victim (aggregate rows, daily_flow_aggregates.hpp):
  // the body only writes through `c` and re-resolves the barcode, so a second run is safe.
  auto reply = co_await http::RunBlocking(api.blocking, [&] {
    return store::InTransactionWithRetry(api.db, [&](store::Connection& c) -> Result<Reply> {
      if (*key) {
        auto claim = store::ClaimIdempotencyKey(c, tenant, **key, fingerprint, req->movement.now_ms);
        if (!claim) return Fail(claim.error());
        if (!claim->claimed) return Replay(*claim->existing, fingerprint);
      }
      if (req->codigo_barras) {
        auto id = store::FindProductIdByBarcode(c, tenant, *req->codigo_barras);
        if (!id) return Fail(id.error());
        req->movement.producto_id = *id;
      }
      auto change = store::RecordMovement(c, req->movement);
      if (!change) return Fail(change.error());
      Reply created = Created(MovementChangeJson(*change));
      if (*key) {
        auto saved = store::CompleteIdempotencyKey(c, tenant, **key, static_cast<int>(created.status),
                                                   http::WriteJson(created.body));
        if (!saved) return Fail(saved.error());
      }
      return created;
    });
  });
  if (*key) co_await MaybePurgeKeys(api);
  co_return reply;
}

awaitable<Result<Reply>> ListMovements(ApiContext& api, http::RequestContext& ctx, const Principal& who,
                                       std::string estado, bool by_product) {
  auto page = PageParams(ctx);
  if (!page) co_return Fail(page.error());
  std::optional<Id> producto;
  if (by_product) {
    auto id = PathId(ctx);
    if (!id) co_return Fail(id.error());
    producto = *id;
  }
  const Id tenant = TenantOf(who);
  const bool with_stats = estado == "ACTIVO";
  auto filter = ParseMovementFilter(ctx, tenant, std::move(estado), producto);
  if (!filter) co_return Fail(filter.error());
  const std::int64_t day_start = NowMs() / kDayMs * kDayMs;
  auto list = co_await http::RunBlocking(api.blocking, [&] {
    return store::WithConnection(api.db, [&](store::Connection& c) -> Result<store::MovementPage> {
      if (producto) {
        auto exists = store::ProductExists(c, tenant, *producto);
        if (!exists) return Fail(exists.error());
        if (!*exists) return Fail(Error::NotFound("Producto no encontrado", "PRODUCTO_NOT_FOUND"));
      }
      return store::ListMovements(c, *filter, page->limit, page->offset(), day_start);
    });
  });
  if (!list) co_return Fail(list.error());
  co_return Ok(MovementListJson(*list, *page, with_stats));
}

awaitable<Result<Reply>> GetMovement(ApiContext& api, http::RequestContext& ctx, const Principal& who,
                                     std::string estado) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto m = co_await http::RunBlocking(api.blocking, [&] {
    return store::WithConnection(api.db, [&](store::Connection& c) { return store::FindMovement(c, TenantOf(who), *id, estado); });
  });
  if (!m) co_return Fail(m.error());
  co_return Ok(MovementJson(*m));
}

awaitable<Result<Reply>> PatchMovement(ApiContext& api, http::RequestContext& ctx, const Principal& who) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto patch = ParseMovementPatch(ctx.request.body());
  if (!patch) co_return Fail(patch.error());
  auto m = co_await http::RunBlocking(api.blocking, [&] {
    return store::WithConnection(api.db, [&](store::Connection& c) {
      return store::UpdateMovementText(c, TenantOf(who), *id, patch->motivo, patch->descripcion);
    });
  });
  if (!m) co_return Fail(m.error());
  co_return Ok(MovementJson(*m));
}

// DELETE (soft, reversing the stock effect) or restore (re-applying it), in one transaction.
awaitable<Result<Reply>> SwitchMovement(ApiContext& api, http::RequestContext& ctx, const Principal& who, bool restore) {
  auto id = PathId(ctx);
  if (!id) co_return Fail(id.error());
  auto change = co_await http::RunBlocking(api.blocking, [&] {
    return store::InTransactionWithRetry(api.db, [&](store::Connection& c) {
      return restore ? store::RestoreMovement(c, TenantOf(who), *id, NowMs())
                     : store::DeleteMovement(c, TenantOf(who), *id, NowMs());
    });
  });
  if (!change) co_return Fail(change.error());
  co_return Ok(MovementChangeJson(*change));
}

}  // namespace

void RegisterMovementRoutes(http::Router& router, ApiContext& api) {
  const Access movers{kMovers};
  auto route = [&](auto method, std::string_view pattern, AuthedBody body) {
    (router.*method)(pattern, Authed(api, movers, std::move(body)));
  };
  using R = http::Router;
  route(&R::Post, "/movimientos", [&api](auto& ctx, const auto& who) { return CreateMovement(api, ctx, who, false); });
  route(&R::Post, "/movimientos/codigo-barras",
        [&api](auto& ctx, const auto& who) { return CreateMovement(api, ctx, who, true); });
  route(&R::Get, "/movimientos",
        [&api](auto& ctx, const auto& who) { return ListMovements(api, ctx, who, "ACTIVO", false); });
  route(&R::Get, "/movimientos/producto/:id",
        [&api](auto& ctx, const auto& who) { return ListMovements(api, ctx, who, "ACTIVO", true); });
  route(&R::Get, "/movimientos/eliminados",
        [&api](auto& ctx, const auto& who) { return ListMovements(api, ctx, who, "ELIMINADO", false); });
  route(&R::Get, "/movimientos/eliminados/:id",
        [&api](auto& ctx, const auto& who) { return GetMovement(api, ctx, who, "ELIMINADO"); });
  route(&R::Get, "/movimientos/:id", [&api](auto& ctx, const auto& who) { return GetMovement(api, ctx, who, "ACTIVO"); });
  route(&R::Patch, "/movimientos/:id", [&api](auto& ctx, const auto& who) { return PatchMovement(api, ctx, who); });
  route(&R::Delete, "/movimientos/:id",
        [&api](auto& ctx, const auto& who) { return SwitchMovement(api, ctx, who, false); });
  route(&R::Patch, "/movimientos/:id/restaurar",
        [&api](auto& ctx, const auto& who) { return SwitchMovement(api, ctx, who, true); });
}

}  // namespace iam::api
