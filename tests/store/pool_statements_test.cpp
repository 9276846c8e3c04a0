// PoolStats::statements: every statement a pool's connections execute is counted once, queries and
// transaction control alike, on both backends; one rejected while preparing never ran and is not.
#include <gtest/gtest.h>

#include "store/database.hpp"
#include "support/backend_test.hpp"

namespace iam::store {
namespace {

class PoolStatementsTest : public test::BackendTest {};

TEST_P(PoolStatementsTest, CountsEveryStatementSentByAnyConnection) {
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  const std::uint64_t before = db_->Stats().statements;

  ASSERT_TRUE((*lease)->Query("SELECT 1", {}).has_value());
  ASSERT_TRUE((*lease)->Begin().has_value());
  ASSERT_TRUE((*lease)->Query("SELECT $1", {Param(std::int64_t{2})}).has_value());
  ASSERT_TRUE((*lease)->Commit().has_value());
  ASSERT_TRUE((*lease)->Begin().has_value());
  ASSERT_TRUE((*lease)->Rollback().has_value());
  EXPECT_EQ(db_->Stats().statements - before, 6u);

  // A second connection adds to the same counter.
  auto other = db_->Acquire();
  ASSERT_TRUE(other.has_value());
  const std::uint64_t mid = db_->Stats().statements;
  ASSERT_TRUE((*other)->Query("SELECT 3", {}).has_value());
  EXPECT_EQ(db_->Stats().statements - mid, 1u);
}

TEST_P(PoolStatementsTest, AStatementRejectedWhilePreparingIsNotCounted) {
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.has_value());
  const std::uint64_t before = db_->Stats().statements;
  EXPECT_FALSE((*lease)->Query(R"(SELECT * FROM "no_such_table")", {}).has_value());
  const std::uint64_t after_failure = db_->Stats().statements;
  EXPECT_EQ(after_failure, before);
  ASSERT_TRUE((*lease)->Query("SELECT 1", {}).has_value());
  EXPECT_EQ(db_->Stats().statements - after_failure, 1u);
}

IAM_BACKENDS(PoolStatementsTest);

}  // namespace
}  // namespace iam::store
