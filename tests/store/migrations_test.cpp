#include "store/migrations.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/backend_test.hpp"
#include "support/temp_database.hpp"
#include "support/test_env.hpp"

namespace iam::store {
namespace {

const std::vector<std::string> kLegacyTables = {"Empresa",   "Usuario",        "Proveedor",       "Producto",
                                                "MovimientoInventario", "refresh_tokens", "BlacklistedToken"};

// table.column -> "type|nullable|default" as the database reports it.
std::map<std::string, std::string> ColumnSnapshot(Database& db) {
  auto lease = db.Acquire();
  EXPECT_TRUE(lease.has_value());
  std::map<std::string, std::string> out;
  if (db.dialect() == Dialect::kPostgres) {
    auto rows = (*lease)->Query(
        "SELECT table_name, column_name, udt_name, is_nullable, coalesce(column_default, ''), "
        "coalesce(datetime_precision::text, '') FROM information_schema.columns WHERE table_schema = 'public'",
        {});
    EXPECT_TRUE(rows.has_value());
    for (std::size_t i = 0; i < rows->size(); ++i) {
      auto r = (*rows)[i];
      out[r.Text(0) + "." + r.Text(1)] = r.Text(2) + "|" + r.Text(3) + "|" + r.Text(4) + "|" + r.Text(5);
    }
  } else {
    for (const auto& t : kLegacyTables) {
      auto rows = (*lease)->Query("SELECT name, type, \"notnull\", coalesce(dflt_value, '') FROM pragma_table_info($1)",
                                  {Param(t)});
      EXPECT_TRUE(rows.has_value());
      for (std::size_t i = 0; i < rows->size(); ++i) {
        auto r = (*rows)[i];
        out[t + "." + r.Text(0)] = r.Text(1) + "|" + r.Text(2) + "|" + r.Text(3);
      }
    }
  }
  return out;
}

std::set<std::string> IndexNames(Database& db) {
  auto lease = db.Acquire();
  auto rows = (*lease)->Query(db.dialect() == Dialect::kPostgres
                                  ? "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                                  : "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
                              {});
  EXPECT_TRUE(rows.has_value());
  std::set<std::string> out;
  for (std::size_t i = 0; i < rows->size(); ++i) out.insert((*rows)[i].Text(0));
  return out;
}

class MigrationsTest : public test::BackendTest {};

TEST_P(MigrationsTest, FreshDatabaseGetsEveryLegacyNameAndSecondRunIsANoOp) {
  auto pending = PendingMigrations(*db_);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, static_cast<int>(KnownMigrations().size()));

  auto first = Migrate(*db_);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->mode, MigrationMode::kFresh);
  EXPECT_EQ(first->applied, KnownMigrations());

  auto columns = ColumnSnapshot(*db_);
  for (const char* col : {"Empresa.TipoIndustria", "Usuario.setupCompletado", "Producto.etiquetas",
                          "Producto.ubicacionId", "MovimientoInventario.costoUnitario", "refresh_tokens.is_revoked",
                          "BlacklistedToken.expiresAt"}) {
    EXPECT_TRUE(columns.count(col)) << col;
  }
  auto indexes = IndexNames(*db_);
  for (const char* idx : {"Producto_sku_key", "Usuario_email_key", "Proveedor_empresaId_nombre_key",
                          "MovimientoInventario_empresaId_fecha_idx", "refresh_tokens_jti_key"}) {
    EXPECT_TRUE(indexes.count(idx)) << idx;
  }

  auto second = Migrate(*db_);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->mode, MigrationMode::kUpToDate);
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(ColumnSnapshot(*db_), columns);
  EXPECT_EQ(*PendingMigrations(*db_), 0);
}

TEST_P(MigrationsTest, FreshSchemaEnforcesEnumsAndGlobalUniqueSku) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto lease = db_->Acquire();
  auto ok = (*lease)->Query(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, $2) RETURNING "id")",
                            {Param(std::string("E")), Param(std::string("2026-01-01T00:00:00.000Z"))});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  auto bad_enum = (*lease)->Query(
      R"(INSERT INTO "Usuario" ("nombre", "email", "rol") VALUES ('x', 'x@y.z', $1))", {Param(std::string("ROOT"))});
  EXPECT_FALSE(bad_enum.has_value());
  const char* insert_product =
      R"(INSERT INTO "Producto" ("nombre", "precioCompra", "precioVenta", "empresaId", "actualizadoEn", "sku")
         VALUES ('p', 1, 2, 1, '2026-01-01T00:00:00.000Z', $1))";
  ASSERT_TRUE((*lease)->Query(insert_product, {Param(std::string("SKU-1"))}).has_value());
  auto dup = (*lease)->Query(insert_product, {Param(std::string("SKU-1"))});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(dup.error().code, "DUPLICATE");
}

IAM_BACKENDS(MigrationsTest);

// Attach mode: a database that the old Prisma backend created (fixture), with data in it.
TEST(MigrationsAttachTest, LegacyPostgresOnlyGainsAdditionsAndKeepsEveryColumnAndRow) {
  IAM_REQUIRE_POSTGRES(url);
  auto temp = test::TempDatabase::Create("postgres", url);
  auto db = temp->Open();
  ASSERT_NE(db, nullptr);
  std::ifstream in(std::string(IAM_SOURCE_DIR) + "/tests/store/fixtures/prisma_legacy_postgres.sql");
  std::stringstream fixture;
  fixture << in.rdbuf();
  {
    auto lease = db->Acquire();
    auto r = (*lease)->ExecScript(fixture.str());
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  auto before = ColumnSnapshot(*db);
  auto indexes_before = IndexNames(*db);

  auto report = Migrate(*db);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->mode, MigrationMode::kAttach);

  auto after = ColumnSnapshot(*db);
  for (const auto& [column, shape] : before) {
    ASSERT_TRUE(after.count(column)) << column << " disappeared";
    EXPECT_EQ(after[column], shape) << column << " changed";
  }
  for (const auto& [column, shape] : after) {
    if (before.count(column)) continue;
    bool ours = column.starts_with("iam_") || column == "MovimientoInventario.costoUnitario";
    EXPECT_TRUE(ours) << "unexpected new column " << column;
    if (column == "MovimientoInventario.costoUnitario") {
      EXPECT_EQ(shape, "float8|YES||");
    }
  }
  auto indexes_after = IndexNames(*db);
  for (const auto& idx : indexes_before) EXPECT_TRUE(indexes_after.count(idx)) << idx;

  auto lease = db->Acquire();
  auto rows = (*lease)->Query(
      R"(SELECT p."stock", p."precioCompra", p."etiquetas", m."precioUnitario", m."costoUnitario", m."fecha",
                u."password"
         FROM "Producto" p JOIN "MovimientoInventario" m ON m."productoId" = p."id"
         JOIN "Usuario" u ON u."empresaId" = p."empresaId")",
      {});
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  auto r = (*rows)[0];
  EXPECT_EQ(r.Int(0), 7);
  EXPECT_EQ(r.Double(1), 0.0);
  EXPECT_TRUE(r.IsNull(2));
  EXPECT_TRUE(r.IsNull(3));
  EXPECT_TRUE(r.IsNull(4));
  EXPECT_EQ(r.OptTimeMs(5), 1735812000123);  // 2025-01-02T10:00:00.123Z
  EXPECT_TRUE(r.Text(6).starts_with("$2b$10$"));

  auto again = Migrate(*db);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->mode, MigrationMode::kUpToDate);
  EXPECT_EQ(ColumnSnapshot(*db), after);
}

}  // namespace
}  // namespace iam::store
