#include "store/product_repository.hpp"

#include "store/like_pattern.hpp"

#include "domain/time_format.hpp"
#include "store/detail/text_list_codec.hpp"

namespace iam::store {
namespace {

// Every statement returns the columns in this order (see ReadProduct).
#define IAM_PRODUCT_COLUMNS                                                                                 \
  R"("id", "nombre", "descripcion", "stock", "stockMinimo", "precioCompra", "precioVenta", "empresaId", )" \
  R"("proveedorId", "creadoEn", "actualizadoEn", "codigoBarras", "rfid", "sku", "ubicacion", )"             \
  R"("temperaturaOptima", "humedadOptima", "color", "talla", "tipoProducto", "unidad", "estado", )"         \
  R"("etiquetas", "version")"

constexpr const char* kInsertProduct =
    R"(INSERT INTO "Producto" ("nombre", "descripcion", "stock", "stockMinimo", "precioCompra", "precioVenta",
         "empresaId", "proveedorId", "creadoEn", "actualizadoEn", "codigoBarras", "rfid", "sku", "ubicacion",
         "temperaturaOptima", "humedadOptima", "color", "talla", "tipoProducto", "unidad", "estado", "etiquetas",
         "version")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 'ACTIVO',
         $20, 1)
       RETURNING )" IAM_PRODUCT_COLUMNS;

// fecha = createdAt; costoUnitario = precioUnitario = the product's precioCompra.
constexpr const char* kInsertInitialMovement =
    R"(INSERT INTO "MovimientoInventario" ("cantidad", "productoId", "proveedorId", "fecha", "motivo", "tipo",
         "createdAt", "empresaId", "estado", "precioUnitario", "precioTotal", "tipoPrecio", "costoUnitario")
       VALUES ($1, $2, $3, $4, 'Stock inicial', 'ENTRADA', $4, $5, 'ACTIVO', $6, $7, 'COMPRA', $6))";

constexpr const char* kSelectProductById =
    R"(SELECT )" IAM_PRODUCT_COLUMNS R"( FROM "Producto" WHERE "id" = $1 AND "empresaId" = $2)";
constexpr const char* kSelectProductByBarcode =
    R"(SELECT )" IAM_PRODUCT_COLUMNS R"( FROM "Producto" WHERE "codigoBarras" = $1 AND "empresaId" = $2)";

// List: kListHead/kCountHead + kListWhere + filters (each `$?` is numbered when added) + kListOrder
// + kListOffset.
constexpr const char* kListHead = R"(SELECT )" IAM_PRODUCT_COLUMNS R"( FROM "Producto")";
constexpr const char* kCountHead = R"(SELECT COUNT(*) FROM "Producto")";
constexpr const char* kListWhere = R"( WHERE "empresaId" = $1 AND "estado" = $2)";
constexpr const char* kSearchFilter =
    R"( AND (lower("nombre") LIKE lower($?) ESCAPE '\' OR lower("descripcion") LIKE lower($?) ESCAPE '\'))";
constexpr const char* kPgEtiquetaFilter = R"( AND $? = ANY("etiquetas"))";
constexpr const char* kSqliteEtiquetaFilter =
    R"( AND EXISTS (SELECT 1 FROM json_each("Producto"."etiquetas") WHERE json_each.value = $?))";
constexpr const char* kTipoFilter = R"( AND "tipoProducto" = $?)";
constexpr const char* kProveedorFilter = R"( AND "proveedorId" = $?)";
constexpr const char* kSkuFilter = R"( AND "sku" = $?)";
constexpr const char* kBarcodeFilter = R"( AND "codigoBarras" = $?)";
constexpr const char* kAgotadosFilter = R"( AND "stock" <= 0)";
constexpr const char* kListOrder = R"( ORDER BY "stock" DESC, "nombre" ASC, "id" ASC LIMIT $?)";
constexpr const char* kListOffset = R"( OFFSET $?)";

constexpr const char* kUpdateProduct =
    R"(UPDATE "Producto" SET "nombre" = $3, "descripcion" = $4, "stockMinimo" = $5, "precioCompra" = $6,
         "precioVenta" = $7, "proveedorId" = $8, "actualizadoEn" = $9, "codigoBarras" = $10, "rfid" = $11,
         "sku" = $12, "ubicacion" = $13, "temperaturaOptima" = $14, "humedadOptima" = $15, "color" = $16,
         "talla" = $17, "tipoProducto" = $18, "unidad" = $19, "etiquetas" = $20, "version" = "version" + 1
       WHERE "id" = $1 AND "empresaId" = $2 AND "version" = $21
       RETURNING )" IAM_PRODUCT_COLUMNS;

constexpr const char* kChangeProductEstado =
    R"(UPDATE "Producto" SET "estado" = $3, "version" = "version" + 1, "actualizadoEn" = $6
       WHERE "id" = $1 AND "empresaId" = $2 AND "estado" IN ($4, $5)
       RETURNING )" IAM_PRODUCT_COLUMNS;

#undef IAM_PRODUCT_COLUMNS

domain::Producto ReadProduct(const ResultSet::Row& r, Dialect dialect) {
  domain::Producto p;
  p.id = r.Int(0);
  p.nombre = r.Text(1);
  p.descripcion = r.OptText(2);
  p.stock = r.Int(3);
  p.stock_minimo = r.Int(4);
  p.precio_compra = r.Double(5);
  p.precio_venta = r.Double(6);
  p.empresa_id = r.Int(7);
  p.proveedor_id = r.OptInt(8);
  p.creado_en_ms = r.OptTimeMs(9).value_or(0);
  p.actualizado_en_ms = r.OptTimeMs(10).value_or(0);
  p.codigo_barras = r.OptText(11);
  p.rfid = r.OptText(12);
  p.sku = r.OptText(13);
  p.ubicacion = r.OptText(14);
  p.temperatura_optima = r.OptDouble(15);
  p.humedad_optima = r.OptDouble(16);
  p.color = r.OptText(17);
  p.talla = r.OptText(18);
  p.tipo_producto = r.Text(19);
  p.unidad = r.Text(20);
  p.estado = r.Text(21);
  if (auto tags = r.OptText(22)) p.etiquetas = detail::DecodeTextList(dialect, *tags);
  p.version = r.Int(23);
  return p;
}

template <typename T>
Param Opt(const std::optional<T>& v) {
  return v ? Param(*v) : Param(nullptr);
}

Error NotFound() { return Error::NotFound("Producto no encontrado", "PRODUCTO_NOT_FOUND"); }

// Names the unique index that refused the row (PostgreSQL names the index, SQLite the column).
Error MapDuplicate(Error e) {
  if (e.code != "DUPLICATE") return e;
  if (e.message.find("codigoBarras") != std::string::npos)
    return Error::Conflict("El código de barras ya está registrado", "DUPLICATE_CODIGO_BARRAS");
  if (e.message.find("rfid") != std::string::npos)
    return Error::Conflict("El RFID ya está registrado", "DUPLICATE_RFID");
  if (e.message.find("sku") != std::string::npos) return Error::Conflict("El SKU ya está registrado", "DUPLICATE_SKU");
  return Error::Conflict("Producto duplicado", "DUPLICATE");
}

Result<domain::Producto> FirstOrNotFound(Connection& conn, Result<ResultSet> rows) {
  if (!rows) return Fail(MapDuplicate(rows.error()));
  if (rows->empty()) return Fail(NotFound());
  return ReadProduct((*rows)[0], conn.dialect());
}

// Appends filter fragments, numbering their `$?` placeholders after the parameters already bound.
class QueryBuilder {
 public:
  explicit QueryBuilder(std::vector<Param> params) : params_(std::move(params)) {}
  void Add(std::string_view fragment) { sql_ += fragment; }
  void Add(std::string_view fragment, Param p) {
    params_.push_back(std::move(p));
    std::string n = "$" + std::to_string(params_.size());
    for (std::size_t at = fragment.find("$?"); !fragment.empty(); at = fragment.find("$?")) {
      sql_ += fragment.substr(0, at);
      if (at == std::string_view::npos) break;
      sql_ += n;
      fragment.remove_prefix(at + 2);
    }
  }
  const std::string& sql() const { return sql_; }
  const std::vector<Param>& params() const { return params_; }

 private:
  std::string sql_;
  std::vector<Param> params_;
};


QueryBuilder ListWhere(Dialect dialect, domain::Id empresa_id, const ProductFilter& f) {
  QueryBuilder q({Param(empresa_id), Param(f.estado)});
  q.Add(kListWhere);
  if (f.search) q.Add(kSearchFilter, ContainsPattern(*f.search));
  if (f.etiqueta) q.Add(dialect == Dialect::kPostgres ? kPgEtiquetaFilter : kSqliteEtiquetaFilter, *f.etiqueta);
  if (f.tipo_producto) q.Add(kTipoFilter, *f.tipo_producto);
  if (f.proveedor_id) q.Add(kProveedorFilter, *f.proveedor_id);
  if (f.sku) q.Add(kSkuFilter, *f.sku);
  if (f.codigo_barras) q.Add(kBarcodeFilter, *f.codigo_barras);
  if (f.agotados) q.Add(kAgotadosFilter);
  return q;
}

}  // namespace

Result<domain::Producto> InsertProduct(Connection& conn, const domain::Producto& p) {
  std::string now = FormatIsoMs(NowMs());
  std::vector<Param> params = {
      p.nombre,         Opt(p.descripcion), p.stock,     p.stock_minimo,     p.precio_compra,
      p.precio_venta,   p.empresa_id,       Opt(p.proveedor_id), now,       Opt(p.codigo_barras),
      Opt(p.rfid),      Opt(p.sku),         Opt(p.ubicacion), Opt(p.temperatura_optima), Opt(p.humedad_optima),
      Opt(p.color),     Opt(p.talla),       p.tipo_producto, p.unidad,
      detail::EncodeTextList(conn.dialect(), p.etiquetas)};
  return FirstOrNotFound(conn, conn.Query(kInsertProduct, params));
}

Result<void> InsertInitialStockMovement(Connection& conn, const domain::Producto& p) {
  std::string at = FormatIsoMs(p.creado_en_ms);
  double total = p.precio_compra * static_cast<double>(p.stock);
  auto r = conn.Query(kInsertInitialMovement,
                      {Param(p.stock), Param(p.id), Opt(p.proveedor_id), Param(at), Param(p.empresa_id),
                       Param(p.precio_compra), Param(total)});
  if (!r) return Fail(r.error());
  return {};
}

Result<domain::Producto> FindProduct(Connection& conn, domain::Id empresa_id, domain::Id id) {
  return FirstOrNotFound(conn, conn.Query(kSelectProductById, {Param(id), Param(empresa_id)}));
}

Result<domain::Producto> FindProductByBarcode(Connection& conn, domain::Id empresa_id, const std::string& codigo) {
  return FirstOrNotFound(conn, conn.Query(kSelectProductByBarcode, {Param(codigo), Param(empresa_id)}));
}

Result<ProductPage> ListProducts(Connection& conn, domain::Id empresa_id, const ProductFilter& filter) {
  QueryBuilder where = ListWhere(conn.dialect(), empresa_id, filter);
  auto count = conn.Query(kCountHead + where.sql(), where.params());
  if (!count) return Fail(count.error());
  QueryBuilder list = where;
  list.Add(kListOrder, filter.limit);
  list.Add(kListOffset, filter.offset);
  auto rows = conn.Query(kListHead + list.sql(), list.params());
  if (!rows) return Fail(rows.error());
  ProductPage page;
  page.total = (*count)[0].Int(0);
  for (std::size_t i = 0; i < rows->size(); ++i) page.items.push_back(ReadProduct((*rows)[i], conn.dialect()));
  return page;
}

Result<domain::Producto> UpdateProduct(Connection& conn, const domain::Producto& p, std::int64_t expected_version) {
  std::vector<Param> params = {
      p.id,           p.empresa_id,       p.nombre,           Opt(p.descripcion),        p.stock_minimo,
      p.precio_compra, p.precio_venta,    Opt(p.proveedor_id), FormatIsoMs(NowMs()),     Opt(p.codigo_barras),
      Opt(p.rfid),    Opt(p.sku),         Opt(p.ubicacion),   Opt(p.temperatura_optima), Opt(p.humedad_optima),
      Opt(p.color),   Opt(p.talla),       p.tipo_producto,    p.unidad,
      detail::EncodeTextList(conn.dialect(), p.etiquetas),    expected_version};
  auto updated = FirstOrNotFound(conn, conn.Query(kUpdateProduct, params));
  if (updated || updated.error().kind != ErrorKind::kNotFound) return updated;
  auto exists = FindProduct(conn, p.empresa_id, p.id);
  if (!exists) return exists;
  return Fail(Error::Conflict("El producto fue modificado por otra operación (versión " +
                                  std::to_string(exists->version) + ")",
                              "VERSION_CONFLICT"));
}

Result<domain::Producto> ChangeProductEstado(Connection& conn, domain::Id empresa_id, domain::Id id,
                                             const domain::EstadoTransition& t) {
  auto rows = conn.Query(kChangeProductEstado,
                         {Param(id), Param(empresa_id), Param(std::string(t.to)), Param(std::string(t.from_a)),
                          Param(std::string(t.from_b)), Param(FormatIsoMs(NowMs()))});
  if (!rows) return Fail(rows.error());
  if (!rows->empty()) return ReadProduct((*rows)[0], conn.dialect());
  auto current = FindProduct(conn, empresa_id, id);
  if (!current || current->estado == t.to) return current;
  return Fail(Error::Conflict("La operación no es válida para un producto en estado " + current->estado,
                              "ESTADO_INVALIDO"));
}

}  // namespace iam::store
