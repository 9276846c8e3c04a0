#include "app/seed_command.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/password_hasher.hpp"
#include "store/migrations.hpp"
#include "support/temp_database.hpp"

namespace iam::app {
namespace {

class SeedCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = test::TempDatabase::Create("sqlite");
    db_ = temp_->Open();
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(store::Migrate(*db_).has_value());
  }
  void TearDown() override {
    db_.reset();
    temp_.reset();
  }
  std::int64_t Scalar(const std::string& sql) {
    auto lease = db_->Acquire();
    auto rs = (*lease)->Query(sql, {});
    EXPECT_TRUE(rs.has_value());
    return (*rs)[0].Int(0);
  }

  std::unique_ptr<test::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(SeedCommandTest, SeedsTenantsWithWorkingDemoLogins) {
  SeedOptions options{.tenants = 2, .products = 12, .movements = 600, .history_days = 30, .seed = 3};
  ASSERT_EQ(RunSeed(*db_, options), 0);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Empresa")"), 2);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Producto")"), 24);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "MovimientoInventario")"), 1200);

  auto lease = db_->Acquire();
  auto rs = (*lease)->Query(R"(SELECT "email", "password", "rol" FROM "Usuario" ORDER BY "id")", {});
  ASSERT_TRUE(rs.has_value());
  ASSERT_EQ(rs->size(), 4u);
  EXPECT_EQ((*rs)[0].Text(0), "admin@demo.iam");
  EXPECT_EQ((*rs)[1].Text(0), "empleado@demo.iam");
  EXPECT_EQ((*rs)[2].Text(0), "admin@tenant2.demo.iam");
  EXPECT_EQ((*rs)[3].Text(0), "empleado@tenant2.demo.iam");
  EXPECT_TRUE(crypto::VerifyPassword(kDemoPassword, (*rs)[0].Text(1)));
  EXPECT_EQ((*rs)[0].Text(1), (*rs)[3].Text(1)) << "one hash for every demo user";
}

TEST_F(SeedCommandTest, IfEmptySkipsAPopulatedDatabase) {
  SeedOptions options{.tenants = 1, .products = 3, .movements = 10, .history_days = 7, .seed = 1, .if_empty = true};
  ASSERT_EQ(RunSeed(*db_, options), 0);
  ASSERT_EQ(RunSeed(*db_, options), 0);  // skipped
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Empresa")"), 1);
  options.if_empty = false;
  EXPECT_EQ(RunSeed(*db_, options), 1);  // same demo logins again: conflict, nothing written
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Empresa")"), 1);
}

TEST_F(SeedCommandTest, RejectsOptionsOutOfRange) {
  EXPECT_EQ(RunSeed(*db_, SeedOptions{.tenants = 0}), 2);
  EXPECT_EQ(RunSeed(*db_, SeedOptions{.products = 0}), 2);
  EXPECT_EQ(RunSeed(*db_, SeedOptions{.movements = -1}), 2);
  EXPECT_EQ(RunSeed(*db_, SeedOptions{.history_days = 0}), 2);
  EXPECT_EQ(Scalar(R"(SELECT COUNT(*) FROM "Empresa")"), 0);
}

}  // namespace
}  // namespace iam::app
