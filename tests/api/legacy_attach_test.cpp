// Legacy attach end to end: a PostgreSQL database created by the old Prisma backend (fixture),
// with a bcrypt user and legacy rows, is migrated by IAM; the legacy user logs in with their old
// password and sees their products and movements, legacy nulls included.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/harness/api_harness.hpp"
#include "support/test_env.hpp"

namespace iam::test {
namespace {

// bcrypt (cost 10) of "secret123", made with Python's crypt module (see password_hasher_test).
constexpr const char* kLegacyHash = "$2b$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS";

void LoadPrismaFixture(store::Database& db) {
  std::ifstream in(std::string(IAM_SOURCE_DIR) + "/tests/store/fixtures/prisma_legacy_postgres.sql");
  std::stringstream sql;
  sql << in.rdbuf();
  auto lease = db.Acquire();
  ASSERT_TRUE(lease.has_value());
  auto loaded = (*lease)->ExecScript(sql.str());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  auto set = (*lease)->Query(R"(UPDATE "Usuario" SET "password" = $1 WHERE "email" = 'ana@legacy.mx')",
                             {store::Param(std::string(kLegacyHash))});
  ASSERT_TRUE(set.has_value()) << set.error().message;
}

TEST(LegacyAttachTest, LegacyUserLogsInWithOldPasswordAndSeesTheirData) {
  IAM_REQUIRE_POSTGRES(url);
  ApiHarness h("postgres", url, LoadPrismaFixture);

  auto wrong = h.Post("/auth/login", {{"email", "ana@legacy.mx"}, {"password", "nope-nope"}});
  EXPECT_EQ(wrong.status, 401);
  auto login = h.Post("/auth/login", {{"email", "ana@legacy.mx"}, {"password", "secret123"}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string token(login.json.at("token").as_string());
  EXPECT_EQ(login.json.at("user").at("empresaId").as_int64(), 1);
  EXPECT_EQ(login.json.at("user").at("rol").as_string(), "ADMIN");

  auto productos = h.Get("/productos", token);
  ASSERT_EQ(productos.status, 200) << productos.body;
  ASSERT_EQ(productos.json.at("total").as_int64(), 1);
  const auto& p = productos.json.at("productos").at(0);
  EXPECT_EQ(p.at("nombre").as_string(), "Tornillo");
  EXPECT_EQ(p.at("stock").as_int64(), 7) << "legacy stock is read as stored, even when it disagrees with the ledger";
  EXPECT_EQ(p.at("precioCompra").to_number<double>(), 0.0);
  EXPECT_TRUE(p.at("etiquetas").as_array().empty()) << "NULL etiquetas read as []";

  auto movimientos = h.Get("/movimientos", token);
  ASSERT_EQ(movimientos.status, 200) << movimientos.body;
  ASSERT_EQ(movimientos.json.at("total").as_int64(), 1);
  const auto& m = movimientos.json.at("movimientos").at(0);
  EXPECT_EQ(m.at("cantidad").as_int64(), 10);
  EXPECT_TRUE(m.at("precioUnitario").is_null());
  EXPECT_TRUE(m.at("costoUnitario").is_null());
  EXPECT_EQ(m.at("fecha").as_string(), "2025-01-02T10:00:00.123Z");

  // The login upgraded the stored hash to argon2id; the old password still works.
  auto stored = h.Sql(R"(SELECT "password" FROM "Usuario" WHERE "email" = 'ana@legacy.mx')");
  EXPECT_TRUE(stored[0].Text(0).starts_with("$argon2id$"));
  EXPECT_EQ(h.Post("/auth/login", {{"email", "ana@legacy.mx"}, {"password", "secret123"}}).status, 200);
}

}  // namespace
}  // namespace iam::test
