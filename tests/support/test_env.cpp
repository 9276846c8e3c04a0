#include "support/test_env.hpp"

#include <cstdlib>

namespace iam::test {

std::optional<std::string> EnvOrNull(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool ServicesRequired() {
  auto v = EnvOrNull("IAM_TEST_REQUIRE_SERVICES");
  return v && *v == "1";
}

}  // namespace iam::test
