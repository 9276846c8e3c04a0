#include "store/demo_data_writer.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/time_format.hpp"
#include "store/detail/batch_insert.hpp"
#include "store/detail/text_list_codec.hpp"

namespace iam::store {
namespace {

using detail::BatchInsert;
using detail::InsertTemplate;
using domain::DemoMovement;
using domain::DemoProduct;
using domain::DemoTenant;

// Rows per statement. SQLite allows 32766 bound parameters and PostgreSQL 65535: 500 movements
// bind 5001, 200 products 3001. 2000-row batches measured the same on both (server-bound).
constexpr std::size_t kMovementBatch = 500;
constexpr std::size_t kProductBatch = 200;
constexpr std::size_t kSmallBatch = 64;

constexpr InsertTemplate kInsertEmpresa = {
    R"(INSERT INTO "Empresa" ("nombre", "rfc", "emailContacto", "direccion", "fechaCreacion", "updatedAt", )"
    R"("TipoIndustria") VALUES )",
    R"((?0, ?1, ?2, ?3, ?4{::timestamp(3)}, ?4{::timestamp(3)}, ?5{::"TipoIndustria"}))", R"( RETURNING "id")", 0, 6};

// $1 empresaId, $2 password hash, $3 true, $4 createdAt.
constexpr InsertTemplate kInsertUsuarios = {
    R"(INSERT INTO "Usuario" ("empresaId", "nombre", "email", "password", "rol", "activo", "setupCompletado", )"
    R"("createdAt") VALUES )",
    R"(($1, ?0, ?1, $2, ?2{::"Rol"}, $3, $3, $4{::timestamp(3)}))", "", 4, 3};

// $1 empresaId. Rows come back with their name: RETURNING order is not guaranteed on SQLite.
constexpr InsertTemplate kInsertProveedores = {
    R"(INSERT INTO "Proveedor" ("empresaId", "nombre", "email", "telefono", "estado") VALUES )",
    R"(($1, ?0, ?1, ?2, 'ACTIVO'{::"EstadoProveedor"}))", R"( RETURNING "id", "nombre")", 1, 3};

// $1 empresaId. Rows come back with their (unique) sku.
constexpr InsertTemplate kInsertProductos = {
    R"(INSERT INTO "Producto" ("empresaId", "nombre", "descripcion", "stock", "stockMinimo", "precioCompra", )"
    R"("precioVenta", "proveedorId", "creadoEn", "actualizadoEn", "codigoBarras", "sku", "ubicacion", )"
    R"("tipoProducto", "unidad", "estado", "etiquetas") VALUES )",
    R"(($1, ?0, ?1, ?2, ?3, ?4, ?5, ?6, ?7{::timestamp(3)}, ?8{::timestamp(3)}, ?9, ?10, ?11, )"
    R"(?12{::"TipoProducto"}, ?13{::"UnidadMedida"}, 'ACTIVO'{::"EstadoProducto"}, ?14{::text[]}))",
    R"( RETURNING "id", "sku")", 1, 15};

// $1 empresaId. createdAt = fecha: the demo history reads as if recorded as it happened.
constexpr InsertTemplate kInsertMovimientos = {
    R"(INSERT INTO "MovimientoInventario" ("empresaId", "productoId", "proveedorId", "tipo", "cantidad", "fecha", )"
    R"("createdAt", "motivo", "estado", "precioUnitario", "precioTotal", "tipoPrecio", "costoUnitario") VALUES )",
    R"(($1, ?0, ?1, ?2{::"TipoMovimiento"}, ?3, ?4{::timestamp(3)}, ?4{::timestamp(3)}, ?5, )"
    R"('ACTIVO'{::"EstadoMovimiento"}, ?6, ?7, ?8{::"TipoPrecioMovimiento"}, ?9))",
    "", 1, 10};

constexpr const char* kSelectAnyTenant = R"(SELECT 1 FROM "Empresa" LIMIT 1)";
constexpr const char* kSqliteCacheSize = "PRAGMA cache_size";
constexpr const char* kSqliteLargeCache = "PRAGMA cache_size = -65536";  // KiB when negative

Param OptId(const std::vector<std::int64_t>& ids, int index) {
  return index < 0 ? Param(nullptr) : Param(ids[static_cast<std::size_t>(index)]);
}

// Inserts `count` rows in batches: `fill(i, params)` appends row i's parameters after `shared`;
// `sink` sees each statement's RETURNING rows; `after(done)` runs after each statement.
template <typename Fill, typename Sink, typename After>
Result<void> InsertRows(Connection& conn, const InsertTemplate& t, std::size_t max_batch, std::size_t count,
                        const std::vector<Param>& shared, Fill fill, Sink sink, After after) {
  BatchInsert insert(t, conn.dialect());
  std::vector<Param> params;
  for (std::size_t done = 0; done < count;) {
    std::size_t rows = detail::NextBatchSize(count - done, max_batch);
    params.assign(shared.begin(), shared.end());
    for (std::size_t i = done; i < done + rows; ++i) fill(i, params);
    auto rs = insert.Run(conn, rows, params);
    if (!rs) return Fail(rs.error());
    if (auto s = sink(*rs); !s) return s;
    done += rows;
    after(done);
  }
  return {};
}

constexpr auto kNoSink = [](const ResultSet&) -> Result<void> { return {}; };
constexpr auto kNoAfter = [](std::size_t) {};

Result<std::int64_t> InsertEmpresa(Connection& conn, const domain::DemoCompany& c) {
  std::string created = FormatIsoMs(c.fecha_creacion_ms);
  std::vector<Param> params = {c.nombre, c.rfc, c.email_contacto, c.direccion, created, c.tipo_industria};
  auto rs = BatchInsert(kInsertEmpresa, conn.dialect()).Run(conn, 1, params);
  if (!rs) return Fail(rs.error());
  if (rs->empty()) return Fail(Error::Internal());
  return (*rs)[0].Int(0);
}

Result<void> InsertUsuarios(Connection& conn, const DemoTenant& t, std::int64_t empresa_id, std::string_view hash) {
  std::vector<Param> shared = {empresa_id, std::string(hash), true, FormatIsoMs(t.company.fecha_creacion_ms)};
  auto fill = [&](std::size_t i, std::vector<Param>& p) {
    p.insert(p.end(), {t.users[i].nombre, t.users[i].email, t.users[i].rol});
  };
  return InsertRows(conn, kInsertUsuarios, kSmallBatch, t.users.size(), shared, fill, kNoSink, kNoAfter);
}

// Stores each returned id (column 0) at the index its key (column 1) names.
Result<void> CollectIds(const ResultSet& rs, const std::unordered_map<std::string, std::size_t>& index_by_key,
                        std::vector<std::int64_t>& ids) {
  for (std::size_t r = 0; r < rs.size(); ++r) {
    auto it = index_by_key.find(rs[r].Text(1));
    if (it == index_by_key.end()) return Fail(Error::Internal());
    ids[it->second] = rs[r].Int(0);
  }
  return {};
}

Result<std::vector<std::int64_t>> InsertProveedores(Connection& conn, const DemoTenant& t, std::int64_t empresa_id) {
  std::unordered_map<std::string, std::size_t> index_by_name;
  for (std::size_t i = 0; i < t.suppliers.size(); ++i) index_by_name.emplace(t.suppliers[i].nombre, i);
  std::vector<std::int64_t> ids(t.suppliers.size(), 0);
  auto fill = [&](std::size_t i, std::vector<Param>& p) {
    p.insert(p.end(), {t.suppliers[i].nombre, t.suppliers[i].email, t.suppliers[i].telefono});
  };
  auto sink = [&](const ResultSet& rs) { return CollectIds(rs, index_by_name, ids); };
  auto r =
      InsertRows(conn, kInsertProveedores, kSmallBatch, t.suppliers.size(), {Param(empresa_id)}, fill, sink, kNoAfter);
  if (!r) return Fail(r.error());
  return ids;
}

void AppendProduct(const DemoProduct& p, const std::vector<std::int64_t>& supplier_ids, Dialect dialect,
                   std::vector<Param>& out) {
  out.insert(out.end(),
             {p.nombre, p.descripcion, std::int64_t{p.stock}, std::int64_t{p.stock_minimo}, p.precio_compra,
              p.precio_venta, OptId(supplier_ids, p.supplier_index), FormatIsoMs(p.creado_en_ms),
              FormatIsoMs(p.actualizado_en_ms), p.codigo_barras, p.sku, p.ubicacion, p.tipo_producto, p.unidad,
              detail::EncodeTextList(dialect, p.etiquetas)});
}

Result<std::vector<std::int64_t>> InsertProductos(Connection& conn, const DemoTenant& t, std::int64_t empresa_id,
                                                  const std::vector<std::int64_t>& supplier_ids) {
  std::unordered_map<std::string, std::size_t> index_by_sku;
  for (std::size_t i = 0; i < t.products.size(); ++i) index_by_sku.emplace(t.products[i].sku, i);
  std::vector<std::int64_t> ids(t.products.size(), 0);
  auto fill = [&](std::size_t i, std::vector<Param>& p) {
    AppendProduct(t.products[i], supplier_ids, conn.dialect(), p);
  };
  auto sink = [&](const ResultSet& rs) { return CollectIds(rs, index_by_sku, ids); };
  auto r =
      InsertRows(conn, kInsertProductos, kProductBatch, t.products.size(), {Param(empresa_id)}, fill, sink, kNoAfter);
  if (!r) return Fail(r.error());
  return ids;
}

void AppendMovement(const DemoMovement& m, const std::vector<std::int64_t>& product_ids,
                    const std::vector<std::int64_t>& supplier_ids, std::vector<Param>& out) {
  out.insert(out.end(), {product_ids[static_cast<std::size_t>(m.product_index)], OptId(supplier_ids, m.supplier_index),
                         std::string(domain::TipoMovimiento(m.tipo)), std::int64_t{m.cantidad}, FormatIsoMs(m.fecha_ms),
                         std::string(m.motivo), m.precio_unitario, m.precio_total,
                         std::string(domain::TipoPrecio(m.tipo)), m.costo_unitario});
}

Result<void> InsertMovimientos(Connection& conn, const DemoTenant& t, std::int64_t empresa_id,
                               const std::vector<std::int64_t>& product_ids,
                               const std::vector<std::int64_t>& supplier_ids, const DemoProgressFn& progress) {
  auto fill = [&](std::size_t i, std::vector<Param>& p) {
    AppendMovement(t.movements[i], product_ids, supplier_ids, p);
  };
  auto after = [&](std::size_t done) {
    if (progress) progress(static_cast<std::int64_t>(done));
  };
  return InsertRows(conn, kInsertMovimientos, kMovementBatch, t.movements.size(), {Param(empresa_id)}, fill, kNoSink,
                    after);
}

Result<DemoWriteResult> WriteTenant(Connection& conn, const DemoTenant& t, std::string_view hash,
                                    const DemoProgressFn& progress) {
  auto empresa_id = InsertEmpresa(conn, t.company);
  if (!empresa_id) return Fail(empresa_id.error());
  if (auto u = InsertUsuarios(conn, t, *empresa_id, hash); !u) return Fail(u.error());
  auto supplier_ids = InsertProveedores(conn, t, *empresa_id);
  if (!supplier_ids) return Fail(supplier_ids.error());
  auto product_ids = InsertProductos(conn, t, *empresa_id, *supplier_ids);
  if (!product_ids) return Fail(product_ids.error());
  if (auto m = InsertMovimientos(conn, t, *empresa_id, *product_ids, *supplier_ids, progress); !m)
    return Fail(m.error());
  return DemoWriteResult{*empresa_id, static_cast<std::int64_t>(t.users.size()),
                         static_cast<std::int64_t>(t.suppliers.size()), static_cast<std::int64_t>(t.products.size()),
                         static_cast<std::int64_t>(t.movements.size())};
}

Result<DemoWriteResult> WriteInTransaction(Connection& conn, const DemoTenant& t, std::string_view hash,
                                           const DemoProgressFn& progress) {
  if (auto b = conn.Begin(); !b) return Fail(b.error());
  auto result = WriteTenant(conn, t, hash, progress);
  if (!result) {
    (void)conn.Rollback();
    return result;
  }
  if (auto c = conn.Commit(); !c) return Fail(c.error());
  return result;
}

// SQLite's default 2 MiB page cache makes a big tenant spill dirty index pages to the WAL over and
// over (1M movements: 53k/s and 10 s of system time; with 64 MiB: ~98k/s). Returns the previous
// setting so the pooled connection gets its normal footprint back; nullopt on PostgreSQL.
std::optional<std::int64_t> EnlargeSqliteCache(Connection& conn) {
  if (conn.dialect() != Dialect::kSqlite) return std::nullopt;
  auto old = conn.Query(kSqliteCacheSize, {});
  if (!old || old->empty() || !conn.ExecScript(kSqliteLargeCache)) return std::nullopt;
  return (*old)[0].Int(0);
}

}  // namespace

Result<DemoWriteResult> WriteDemoTenant(Database& db, const DemoTenant& tenant, std::string_view password_hash,
                                        const DemoProgressFn& progress) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  Connection& conn = **lease;
  std::optional<std::int64_t> sqlite_cache = EnlargeSqliteCache(conn);
  auto result = WriteInTransaction(conn, tenant, password_hash, progress);
  if (sqlite_cache) (void)conn.ExecScript("PRAGMA cache_size = " + std::to_string(*sqlite_cache));
  return result;
}

Result<bool> HasAnyTenant(Database& db) {
  auto lease = db.Acquire();
  if (!lease) return Fail(lease.error());
  auto rs = (*lease)->Query(kSelectAnyTenant, {});
  if (!rs) return Fail(rs.error());
  return !rs->empty();
}

}  // namespace iam::store
