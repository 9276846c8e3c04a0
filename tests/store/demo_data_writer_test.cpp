#include "store/demo_data_writer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain/time_format.hpp"
#include "store/detail/batch_insert.hpp"
#include "store/migrations.hpp"
#include "support/backend_test.hpp"
#include "support/temp_database.hpp"
#include "support/test_env.hpp"

namespace iam::store {
namespace {

constexpr const char* kFakeHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
constexpr std::int64_t kNow = 1'764'201'600'000;  // 2025-11-27T00:00:00Z

// Products whose stored stock differs from what their ACTIVO movements explain.
constexpr const char* kStockMismatches = R"(
SELECT COUNT(*) FROM "Producto" p
LEFT JOIN (SELECT "productoId",
                  SUM(CASE WHEN "tipo" = 'ENTRADA' THEN "cantidad" ELSE -"cantidad" END) AS "neto"
           FROM "MovimientoInventario" WHERE "estado" = 'ACTIVO' GROUP BY "productoId") m
  ON m."productoId" = p."id"
WHERE p."stock" <> COALESCE(m."neto", 0))";

domain::DemoOptions SmallOptions() {
  // 700 movements exercise a full batch of 500 and the 64/8/1 remainders.
  return domain::DemoOptions{.products = 15, .movements = 700, .history_days = 60, .seed = 5, .now_ms = kNow};
}

class DemoDataWriterTest : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto migrated = Migrate(*db_);
    ASSERT_TRUE(migrated.has_value()) << migrated.error().message;
  }

  std::int64_t Scalar(const std::string& sql, std::initializer_list<Param> params = {}) {
    auto lease = db_->Acquire();
    EXPECT_TRUE(lease.has_value());
    auto rs = (*lease)->Query(sql, params);
    EXPECT_TRUE(rs.has_value()) << rs.error().message;
    return rs->empty() ? -1 : (*rs)[0].Int(0);
  }
  std::int64_t Count(const std::string& table) { return Scalar("SELECT COUNT(*) FROM \"" + table + "\""); }

};

TEST_P(DemoDataWriterTest, WritesTwoTenantsConsistently) {
  auto empty = HasAnyTenant(*db_);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_FALSE(*empty);

  std::int64_t suppliers = 0, movements = 0, last_progress = 0;
  for (int index = 0; index < 2; ++index) {
    domain::DemoTenant tenant = domain::GenerateDemoTenant(SmallOptions(), index);
    auto written = WriteDemoTenant(*db_, tenant, kFakeHash, [&](std::int64_t n) { last_progress = n; });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    EXPECT_GT(written->empresa_id, 0);
    EXPECT_EQ(written->movements, static_cast<std::int64_t>(tenant.movements.size()));
    EXPECT_EQ(last_progress, written->movements);
    suppliers += written->suppliers;
    movements += written->movements;
  }

  auto any = HasAnyTenant(*db_);
  ASSERT_TRUE(any.has_value());
  EXPECT_TRUE(*any);
  EXPECT_EQ(Count("Empresa"), 2);
  EXPECT_EQ(Count("Usuario"), 4);
  EXPECT_EQ(Count("Proveedor"), suppliers);
  EXPECT_EQ(Count("Producto"), 30);
  EXPECT_EQ(Count("MovimientoInventario"), movements);
  EXPECT_EQ(Scalar(kStockMismatches), 0);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "MovimientoInventario" WHERE "costoUnitario" IS NULL)"), 0);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Usuario" WHERE "password" = $1 AND "activo" AND "setupCompletado")",
                   {Param(std::string(kFakeHash))}),
            4);
  // Every movement belongs to its product's tenant.
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "MovimientoInventario" m JOIN "Producto" p ON p."id" = m."productoId"
                      WHERE m."empresaId" <> p."empresaId")"),
            0);
}

TEST_P(DemoDataWriterTest, StoresValuesAsGenerated) {
  domain::DemoTenant tenant = domain::GenerateDemoTenant(SmallOptions(), 0);
  tenant.products[4].etiquetas = {"a,b", "c\"d", "e\\f", "{ñ}", ""};  // quoting of array/JSON text
  ASSERT_TRUE(WriteDemoTenant(*db_, tenant, kFakeHash).has_value());
  const domain::DemoProduct& p = tenant.products[3];
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto rs = (*lease)->Query(R"(SELECT "nombre", "precioCompra", "precioVenta", "stock", "creadoEn", "actualizadoEn",
                                      "tipoProducto", "etiquetas", "codigoBarras", "version", "estado"
                               FROM "Producto" WHERE "sku" = $1)",
                            {Param(p.sku)});
  ASSERT_TRUE(rs.has_value()) << rs.error().message;
  ASSERT_EQ(rs->size(), 1u);
  auto row = (*rs)[0];
  EXPECT_EQ(row.Text(0), p.nombre);
  EXPECT_DOUBLE_EQ(row.Double(1), p.precio_compra);
  EXPECT_DOUBLE_EQ(row.Double(2), p.precio_venta);
  EXPECT_EQ(row.Int(3), p.stock);
  EXPECT_EQ(row.OptTimeMs(4), p.creado_en_ms);
  EXPECT_EQ(row.OptTimeMs(5), p.actualizado_en_ms);
  EXPECT_EQ(row.Text(6), p.tipo_producto);
  std::string tags = row.Text(7);
  EXPECT_NE(tags.find(p.etiquetas.front()), std::string::npos) << tags;
  EXPECT_EQ(tags.front(), GetParam() == "postgres" ? '{' : '[') << tags;
  EXPECT_EQ(row.Text(8), p.codigo_barras);
  EXPECT_EQ(row.Int(9), 1);
  EXPECT_EQ(row.Text(10), "ACTIVO");

  bool pg = GetParam() == "postgres";
  for (std::size_t i = 0; i < tenant.products[4].etiquetas.size(); ++i) {
    auto tag =
        (*lease)->Query(pg ? R"(SELECT "etiquetas"[$1::int + 1] FROM "Producto" WHERE "sku" = $2)"
                           : R"(SELECT json_extract("etiquetas", '$[' || $1 || ']') FROM "Producto" WHERE "sku" = $2)",
                        {Param(static_cast<std::int64_t>(i)), Param(tenant.products[4].sku)});
    ASSERT_TRUE(tag.has_value()) << tag.error().message;
    EXPECT_EQ((*tag)[0].Text(0), tenant.products[4].etiquetas[i]);
  }

  auto first = (*lease)->Query(R"(SELECT "fecha", "tipo", "motivo", "tipoPrecio", "precioUnitario", "createdAt"
                                  FROM "MovimientoInventario" ORDER BY "fecha", "id" LIMIT 1)",
                               {});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  const domain::DemoMovement& m = tenant.movements.front();
  EXPECT_EQ((*first)[0].OptTimeMs(0), m.fecha_ms);
  EXPECT_EQ((*first)[0].Text(1), "ENTRADA");
  EXPECT_EQ((*first)[0].Text(2), "Stock inicial");
  EXPECT_EQ((*first)[0].Text(3), "COMPRA");
  EXPECT_EQ((*first)[0].OptTimeMs(5), m.fecha_ms);
}

TEST_P(DemoDataWriterTest, SecondWriteOfATenantConflictsAndLeavesNothingBehind) {
  domain::DemoTenant tenant = domain::GenerateDemoTenant(SmallOptions(), 0);
  ASSERT_TRUE(WriteDemoTenant(*db_, tenant, kFakeHash).has_value());
  std::int64_t movements = Count("MovimientoInventario");
  tenant.company.rfc = "OTRO000001AAA";  // the company row goes in; the users' emails clash
  auto again = WriteDemoTenant(*db_, tenant, kFakeHash);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(Count("Empresa"), 1);
  EXPECT_EQ(Count("MovimientoInventario"), movements);
}

IAM_BACKENDS(DemoDataWriterTest);

TEST(BatchInsertTest, ExpandsRowTemplatesPerDialect) {
  detail::InsertTemplate t{"INSERT INTO x (a, b, c) VALUES ", "($1, ?0, ?1{::timestamp(3)})", " RETURNING id", 1, 2};
  EXPECT_EQ(detail::BuildInsertSql(t, Dialect::kPostgres, 2),
            "INSERT INTO x (a, b, c) VALUES ($1, $2, $3::timestamp(3)), ($1, $4, $5::timestamp(3)) RETURNING id");
  EXPECT_EQ(detail::BuildInsertSql(t, Dialect::kSqlite, 1), "INSERT INTO x (a, b, c) VALUES ($1, $2, $3) RETURNING id");
}

TEST(BatchInsertTest, BatchSizesComeFromAFixedSet) {
  struct Case {
    std::size_t remaining, max_batch, expected;
  };
  const Case kCases[] = {{1000, 500, 500}, {500, 500, 500}, {499, 500, 64}, {63, 500, 8},
                         {7, 500, 1},      {5, 4, 4},       {64, 64, 64},   {70, 200, 64}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.remaining << " of " << c.max_batch);
    EXPECT_EQ(detail::NextBatchSize(c.remaining, c.max_batch), c.expected);
  }
}

}  // namespace
}  // namespace iam::store
