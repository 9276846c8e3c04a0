// The client address behind a reverse proxy (TRUSTED_PROXIES, http/trusted_proxies.hpp), seen
// through the per-IP login limit over real HTTP: from a trusted peer, X-Forwarded-For tells clients
// apart; from an untrusted peer it is ignored, so a client cannot dodge the limit by forging it.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/harness/api_harness.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;

HttpResult LoginFrom(ApiHarness& h, const std::string& forwarded_for, const std::string& email,
                     const std::string& password) {
  return h.Request("POST", "/auth/login", json::serialize(json::object{{"email", email}, {"password", password}}), {},
                   {{"X-Forwarded-For", forwarded_for}});
}

http::TrustedProxies Trust(std::string_view list) {
  auto p = http::TrustedProxies::Parse(list);
  if (!p) throw std::runtime_error(p.error().message);
  return std::move(*p);
}

// Five failed logins (five different unknown emails, so the per-email limit plays no part) from
// client 198.51.100.1; then the admin's correct login from 198.51.100.2 and from 198.51.100.1.
struct Outcome {
  int other_client, same_client;
};
Outcome FiveFailuresThenTwoClients(ApiHarness& h) {
  auto t = h.CreateTenant("Acme");
  for (int i = 0; i < 5; ++i) {
    auto r = LoginFrom(h, "198.51.100.1", "nobody" + std::to_string(i) + "@acme.test", "wrong-password");
    EXPECT_EQ(r.status, 401) << i << ": " << r.body;
  }
  return {LoginFrom(h, "198.51.100.2", t.admin.email, "password123").status,
          LoginFrom(h, "198.51.100.1", t.admin.email, "password123").status};
}

TEST(ClientAddressTest, TrustedProxyForwardedForLimitsEachClientSeparately) {
  ApiHarness h("sqlite", {}, {}, {}, Trust("127.0.0.1"));
  auto o = FiveFailuresThenTwoClients(h);
  EXPECT_EQ(o.other_client, 200) << "another client behind the same proxy is not locked out";
  EXPECT_EQ(o.same_client, 429) << "the client that failed is";
}

TEST(ClientAddressTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  ApiHarness h("sqlite", {}, {}, {}, Trust("10.0.0.1, ::1"));  // the test's peer, 127.0.0.1, is not trusted
  auto o = FiveFailuresThenTwoClients(h);
  EXPECT_EQ(o.other_client, 429) << "a forged X-Forwarded-For must not escape the peer's limit";
  EXPECT_EQ(o.same_client, 429);
}

TEST(ClientAddressTest, ByDefaultNobodyIsTrusted) {
  ApiHarness h("sqlite");
  auto o = FiveFailuresThenTwoClients(h);
  EXPECT_EQ(o.other_client, 429);
}

TEST(ClientAddressTest, ProxyChainLeftOfTheRightmostUntrustedEntryIsIgnored) {
  // 127.0.0.1 (nginx) and 10.0.0.0/8 (an inner proxy) trusted; the client forged "203.0.113.50" on
  // the left: it must not count as its address, the inner proxy's view (198.51.100.1) does.
  ApiHarness h("sqlite", {}, {}, {}, Trust("127.0.0.1,10.0.0.0/8"));
  auto t = h.CreateTenant("Acme");
  for (int i = 0; i < 5; ++i) {
    auto r = LoginFrom(h, "203.0.113." + std::to_string(50 + i) + ", 198.51.100.1, 10.0.0.7",
                       "nobody" + std::to_string(i) + "@acme.test", "wrong-password");
    EXPECT_EQ(r.status, 401) << r.body;
  }
  EXPECT_EQ(LoginFrom(h, "198.51.100.1", t.admin.email, "password123").status, 429);
  EXPECT_EQ(LoginFrom(h, "198.51.100.9, 10.0.0.7", t.admin.email, "password123").status, 200);
}

}  // namespace
}  // namespace iam::test
