// store::InTransactionWithRetry: one more attempt, on a fresh transaction, after a retryable
// failure (kConflict "RETRY", what PostgreSQL's 40P01/40001 map to); none after any other failure.
#include <gtest/gtest.h>

#include "store/database.hpp"
#include "support/temp_database.hpp"

namespace iam::store {
namespace {

class TransactionRetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = test::TempDatabase::Create("sqlite");
    db_ = temp_->Open();
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(WithConnection(*db_, [](Connection& c) {
                  return c.ExecScript(R"(CREATE TABLE "t" ("attempt" INTEGER NOT NULL))");
                }).has_value());
  }
  std::int64_t Rows() {
    auto n = WithConnection(*db_, [](Connection& c) { return c.Query(R"(SELECT COUNT(*) FROM "t")", {}); });
    EXPECT_TRUE(n.has_value());
    return n ? (*n)[0].Int(0) : -1;
  }
  // Inserts a row, then fails with `errors[attempt]` while there is one.
  Result<int> Attempt(Connection& c, int& attempts, const std::vector<Error>& errors) {
    int attempt = attempts++;
    if (auto r = c.Query(R"(INSERT INTO "t" ("attempt") VALUES ($1))", {Param(std::int64_t{attempt})}); !r) {
      return Fail(r.error());
    }
    if (static_cast<std::size_t>(attempt) < errors.size()) return Fail(errors[static_cast<std::size_t>(attempt)]);
    return attempt;
  }

  std::unique_ptr<test::TempDatabase> temp_;
  std::unique_ptr<Database> db_;
};

const Error kRetry = Error::Conflict("concurrent update conflict, try again", "RETRY");

TEST_F(TransactionRetryTest, RetriesOnceAfterARetryableFailureAndKeepsOnlyTheSecondAttempt) {
  int attempts = 0;
  auto r = InTransactionWithRetry(*db_, [&](Connection& c) { return Attempt(c, attempts, {kRetry}); });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Rows(), 1) << "the failed attempt was rolled back";
}

TEST_F(TransactionRetryTest, GivesUpAfterTheSecondRetryableFailure) {
  int attempts = 0;
  auto r = InTransactionWithRetry(*db_, [&](Connection& c) { return Attempt(c, attempts, {kRetry, kRetry, kRetry}); });
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(IsRetryable(r.error()));
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Rows(), 0);
}

TEST_F(TransactionRetryTest, DoesNotRetryOtherFailures) {
  int attempts = 0;
  auto r = InTransactionWithRetry(
      *db_, [&](Connection& c) { return Attempt(c, attempts, {Error::Conflict("Stock insuficiente", "STOCK_INSUFICIENTE")}); });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "STOCK_INSUFICIENTE");
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(Rows(), 0);
  EXPECT_FALSE(IsRetryable(Error::Conflict("duplicado", "DUPLICATE")));
}

}  // namespace
}  // namespace iam::store
