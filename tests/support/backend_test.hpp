// Test-only: a fixture parameterized over "sqlite" and "postgres" that gives each test a fresh
// throwaway database (`db_`, not migrated) and drops it afterwards. PostgreSQL cases skip (or
// fail, under IAM_TEST_REQUIRE_SERVICES=1) when the harness server is absent.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/temp_database.hpp"
#include "support/test_env.hpp"

namespace iam::test {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (pg()) {
      IAM_REQUIRE_POSTGRES(url);
      temp_ = TempDatabase::Create("postgres", url);
    } else {
      temp_ = TempDatabase::Create("sqlite");
    }
    db_ = temp_->Open();
    ASSERT_NE(db_, nullptr);
  }
  void TearDown() override {
    db_.reset();
    temp_.reset();
  }
  bool pg() const { return GetParam() == "postgres"; }

  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace iam::test

#define IAM_BACKENDS(suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgres"), \
                           [](const auto& param_info) { return param_info.param; })
