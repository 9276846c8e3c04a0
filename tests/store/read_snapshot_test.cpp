// store::InReadSnapshot: every read inside sees one committed state, even when another connection
// commits between two of them (a plain connection sees the commit: the control case). The KPI
// routes rely on it so that stocks and movement counts of one answer come from one state.
#include <gtest/gtest.h>

#include "store/database.hpp"
#include "support/backend_test.hpp"

namespace iam::store {
namespace {

class ReadSnapshotTest : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    ASSERT_TRUE(WithConnection(*db_, [](Connection& c) {
                  return c.ExecScript(R"(CREATE TABLE "t" ("n" INTEGER NOT NULL); INSERT INTO "t" ("n") VALUES (1))");
                }).has_value());
  }
  static Result<std::int64_t> Count(Connection& c) {
    auto r = c.Query(R"(SELECT COUNT(*) FROM "t")", {});
    if (!r) return Fail(r.error());
    return (*r)[0].Int(0);
  }
  // Commits one more row on another connection of the pool.
  void InsertElsewhere() {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->Query(R"(INSERT INTO "t" ("n") VALUES (2))", {}).has_value());
  }
};

TEST_P(ReadSnapshotTest, ReadsInsideSeeOneStateWhileAnotherConnectionCommits) {
  auto counts = InReadSnapshot(*db_, [&](Connection& c) -> Result<std::pair<std::int64_t, std::int64_t>> {
    auto first = Count(c);
    if (!first) return Fail(first.error());
    InsertElsewhere();
    auto second = Count(c);
    if (!second) return Fail(second.error());
    return std::make_pair(*first, *second);
  });
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->first, 1);
  EXPECT_EQ(counts->second, 1) << "a commit by another connection leaked into the snapshot";
  auto after = WithConnection(*db_, [](Connection& c) { return Count(c); });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, 2) << "the other connection's commit is there once the snapshot ends";
}

TEST_P(ReadSnapshotTest, WithoutASnapshotTheSecondReadSeesTheCommit) {
  auto counts = WithConnection(*db_, [&](Connection& c) -> Result<std::pair<std::int64_t, std::int64_t>> {
    auto first = Count(c);
    if (!first) return Fail(first.error());
    InsertElsewhere();
    auto second = Count(c);
    if (!second) return Fail(second.error());
    return std::make_pair(*first, *second);
  });
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->first, 1);
  EXPECT_EQ(counts->second, 2);
}

TEST_P(ReadSnapshotTest, RefusesWritesOnPostgres) {
  if (!pg()) GTEST_SKIP() << "SQLite's snapshot is read-only by contract only";
  auto r = InReadSnapshot(*db_, [](Connection& c) { return c.Query(R"(INSERT INTO "t" ("n") VALUES (3))", {}); });
  EXPECT_FALSE(r.has_value());
  auto after = WithConnection(*db_, [](Connection& c) { return Count(c); });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, 1);
}

IAM_BACKENDS(ReadSnapshotTest);

}  // namespace
}  // namespace iam::store
