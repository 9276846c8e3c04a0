// GenerationTable: a tenant's bump changes its stamp and no other tenant's (ids below kSlots), the
// epoch changes every stamp, stamps never repeat, and tenants kSlots apart share a counter (the
// documented cost of a fixed table: an extra miss, never a repeated stamp).
#include "cache/generation_table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace iam::cache {
namespace {

TEST(GenerationTableTest, StartsAtZeroAndAppendsTheSameStamp) {
  GenerationTable t;
  EXPECT_EQ(t.Stamp(7), "0.0");
  std::string key = "kpis:7:";
  t.AppendStamp(key, 7);
  EXPECT_EQ(key, "kpis:7:0.0");
}

TEST(GenerationTableTest, ABumpChangesOnlyThatTenantsStamp) {
  GenerationTable t;
  const std::vector<domain::Id> tenants = {1, 2, 3, 1000, GenerationTable::kSlots - 1};
  std::vector<std::string> before;
  for (domain::Id id : tenants) before.push_back(t.Stamp(id));
  t.Bump(2);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    if (tenants[i] == 2) EXPECT_NE(t.Stamp(2), before[i]);
    else EXPECT_EQ(t.Stamp(tenants[i]), before[i]) << tenants[i];
  }
}

TEST(GenerationTableTest, BumpAllChangesEveryStamp) {
  GenerationTable t;
  t.Bump(5);
  const std::string five = t.Stamp(5), six = t.Stamp(6);
  t.BumpAll();
  EXPECT_NE(t.Stamp(5), five);
  EXPECT_NE(t.Stamp(6), six);
  EXPECT_EQ(t.epoch(), 1u);
}

TEST(GenerationTableTest, StampsNeverRepeatUnderConcurrentBumps) {
  GenerationTable t;
  std::set<std::string> seen = {t.Stamp(9)};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&t, w] {
      for (int i = 0; i < 1000; ++i) (w == 0 && i % 100 == 0) ? t.BumpAll() : t.Bump(9);
    });
  for (auto& th : writers) th.join();
  // 3990 bumps of the tenant and 10 of the epoch: the final stamp is new, and a fresh sequence of
  // bumps keeps producing new ones.
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(seen.insert(t.Stamp(9)).second) << t.Stamp(9);
    i % 2 ? t.Bump(9) : t.BumpAll();
  }
}

TEST(GenerationTableTest, TenantsAWholeTableApartShareACounter) {
  GenerationTable t;
  const domain::Id a = 3, b = 3 + static_cast<domain::Id>(GenerationTable::kSlots);
  const std::string b_before = t.Stamp(b);
  t.Bump(a);
  EXPECT_NE(t.Stamp(b), b_before) << "b's entries miss once more: extra work, never a stale value";
  EXPECT_EQ(t.Stamp(a), t.Stamp(b));
}

}  // namespace
}  // namespace iam::cache
