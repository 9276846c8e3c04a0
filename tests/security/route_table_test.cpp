// The route table of the security suites against the router: every route the server registers
// has exactly one entry (so a new route cannot escape the role matrix, the cross-tenant probes and
// the injection sweep), every entry is a registered route, and every entry has a request builder.
#include "security/route_table.hpp"

#include <gtest/gtest.h>

#include <set>

#include "api/harness/api_harness.hpp"
#include "security/security_world.hpp"

namespace iam::security {
namespace {

TEST(RouteTableTest, EveryRegisteredRouteHasOneEntryAndABuilder) {
  test::ApiHarness h("sqlite");
  std::set<std::string> registered;
  for (const auto& [verb, pattern] : h.router().Routes())
    registered.insert(std::string(http::beast_http::to_string(verb)) + " " + pattern);
  std::set<std::string> listed;
  SecurityWorld w(h);
  for (const auto& r : ApiRoutes()) {
    EXPECT_TRUE(listed.insert(r.Key()).second) << r.Key() << " is listed twice";
    EXPECT_TRUE(registered.count(r.Key())) << r.Key() << " is in the table but the router does not serve it";
    EXPECT_TRUE(w.HasBuilder(r.Key())) << r.Key() << " has no request builder (security_world.cpp)";
  }
  for (const auto& key : registered)
    EXPECT_TRUE(listed.count(key)) << key << " is served but missing from tests/security/route_table.cpp";
  EXPECT_EQ(listed.size(), registered.size());
}

}  // namespace
}  // namespace iam::security
