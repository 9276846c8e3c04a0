// Test-only access to the servers the harness started. RequirePostgresUrl()/RequireRedisUrl()
// return the URL, or skip the test when it is unset, unless IAM_TEST_REQUIRE_SERVICES=1 (set by
// scripts/test.sh and so in CI), where a missing server fails the test instead of hiding it.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace iam::test {

std::optional<std::string> EnvOrNull(const char* name);
bool ServicesRequired();

}  // namespace iam::test

#define IAM_REQUIRE_ENV_URL(var, name)                                                         \
  std::string var;                                                                             \
  do {                                                                                         \
    auto iam_v_ = ::iam::test::EnvOrNull(name);                                                \
    if (!iam_v_) {                                                                             \
      if (::iam::test::ServicesRequired()) FAIL() << name " is not set but services are required"; \
      GTEST_SKIP() << name " is not set: run through scripts/test.sh (make test)";              \
    }                                                                                          \
    var = *iam_v_;                                                                             \
  } while (0)

#define IAM_REQUIRE_POSTGRES(var) IAM_REQUIRE_ENV_URL(var, "IAM_TEST_PG_URL")
#define IAM_REQUIRE_REDIS(var) IAM_REQUIRE_ENV_URL(var, "IAM_TEST_REDIS_URL")
