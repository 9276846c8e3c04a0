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

std::string Stamp(const GenerationTable& t, domain::Id tenant) {
  std::string out;
  t.AppendStamp(out, tenant);
  return out;
}

TEST(GenerationTableTest, StartsAtZeroAndAppendsTheSameStamp) {
  GenerationTable t;
  EXPECT_EQ(Stamp(t, 7), "0.0");
  std::string key = "kpis:7:";
  t.AppendStamp(key, 7);
  EXPECT_EQ(key, "kpis:7:0.0");
}

TEST(GenerationTableTest, ABumpChangesOnlyThatTenantsStamp) {
  GenerationTable t;
  const std::vector<domain::Id> tenants = {1, 2, 3, 1000, GenerationTable::kSlots - 1};
  std::vector<std::string> before;
  for (domain::Id id : tenants) before.push_back(Stamp(t, id));
  t.Bump(2);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    if (tenants[i] == 2) EXPECT_NE(Stamp(t, 2), before[i]);
    else EXPECT_EQ(Stamp(t, tenants[i]), before[i]) << tenants[i];
  }
}

TEST(GenerationTableTest, BumpAllChangesEveryStamp) {
  GenerationTable t;
  t.Bump(5);
  const std::string five = Stamp(t, 5), six = Stamp(t, 6);
  t.BumpAll();
  EXPECT_NE(Stamp(t, 5), five);
  EXPECT_NE(Stamp(t, 6), six);
  EXPECT_EQ(t.epoch(), 1u);
}

TEST(GenerationTableTest, StampsNeverRepeatUnderConcurrentBumps) {
  GenerationTable t;
  std::set<std::string> seen = {Stamp(t, 9)};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&t, w] {
      for (int i = 0; i < 1000; ++i) (w == 0 && i % 100 == 0) ? t.BumpAll() : t.Bump(9);
    });
  for (auto& th : writers) th.join();
  // 3990 bumps of the tenant and 10 of the epoch, none lost; then a fresh sequence of bumps keeps
  // producing new stamps.
  EXPECT_EQ(Stamp(t, 9), "10.3990");
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(seen.insert(Stamp(t, 9)).second) << Stamp(t, 9);
    i % 2 ? t.Bump(9) : t.BumpAll();
  }
}

TEST(GenerationTableTest, TenantsAWholeTableApartShareACounter) {
  GenerationTable t;
  const domain::Id a = 3, b = 3 + static_cast<domain::Id>(GenerationTable::kSlots);
  const std::string b_before = Stamp(t, b);
  t.Bump(a);
  EXPECT_NE(Stamp(t, b), b_before) << "b's entries miss once more: extra work, never a stale value";
  EXPECT_EQ(Stamp(t, a), Stamp(t, b));
}

}  // namespace
}  // namespace iam::cache
