// SecurityWorld: two tenants on an ApiHarness, A (the callers) and B (whose data must stay out of
// A's reach; every name in it carries kMarkerB), fresh callers of every role, and for each route
// of the RouteTable a valid request on a chosen tenant's own fresh resources. Send() checks every
// response on the way: no 5xx, no leak (leak_scan.hpp), and nothing of B unless the caller may
// see B. SecurityTest is the parameterized (SQLite, PostgreSQL) fixture the suites derive from; it
// also captures the log of the whole test and scans it in TearDown.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/harness/api_harness.hpp"
#include "security/leak_scan.hpp"
#include "security/route_table.hpp"

namespace iam::security {

inline constexpr const char* kMarkerB = "qx7tenantb";  // lower case: emails are stored so

struct Caller {
  std::string name;   // for messages: "ADMIN of A", "anonymous", …
  std::string token;  // empty: anonymous
  unsigned role = 0;  // RoleBit; 0 for anonymous
  bool has_tenant = false;
  bool sees_b = false;  // tenant B's own users and a SUPERADMIN on its global routes
  test::UserFixture user;
};

struct Request {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int status = 0;              // the answer an admitted caller gets; 0: any 2xx
  int status_with_tenant = 0;  // …when that caller has a tenant, if different; 0: as `status`
};

// The tenant whose resources a request names.
struct Side {
  domain::Id empresa = 0;
  std::string label;   // "a" or "b"
  std::string marker;  // in every name of this tenant's data
  test::UserFixture admin;
  domain::Id supplier = 0;  // an ACTIVO supplier made at start
};

class SecurityWorld {
 public:
  explicit SecurityWorld(test::ApiHarness& h);

  test::ApiHarness& h;
  Side a, b;
  std::vector<std::string> secrets;  // what no response or log may show

  // A caller backed by a brand-new user, so what one request does to its session (logout,
  // password change, setup-empresa) cannot affect the next.
  Caller NewCaller(unsigned role, const Side& side);
  Caller NoTenantCaller(unsigned role);
  static Caller Anonymous() { return {"anonymous", {}, 0, false, false, {}}; }

  // A valid request for `route` on `owner`'s fresh resources (made through the API by owner's
  // ADMIN). Fails the test when the route has no builder.
  Request Build(const RouteSpec& route, Side& owner);

  // Sends and checks the response (see above). `sees_b` overrides the caller's own flag.
  test::HttpResult Send(const Caller& caller, const Request& r, std::optional<bool> sees_b = std::nullopt);

  // Every row of the tenant's tables (and its Empresa row), as text: compared before and after a
  // probe to show that nothing changed.
  std::string Snapshot(domain::Id empresa);

  // Fresh resources of `side`, made by its ADMIN; each returns the new id.
  domain::Id NewSupplier(Side& side);
  domain::Id NewProduct(Side& side, std::string* barcode = nullptr);
  domain::Id NewMovement(Side& side, domain::Id product);
  domain::Id DeletedMovement(Side& side);
  test::UserFixture NewUser(std::optional<domain::Id> empresa, const std::string& rol);
  domain::Id EmptyEmpresa();
  std::string LoginRefreshToken(const test::UserFixture& u);

  // The admin call that prepares a resource; fails the test unless it answers 2xx.
  boost::json::value AdminCall(Side& side, const std::string& method, const std::string& target,
                               const std::string& body = {});

  bool HasBuilder(const std::string& key) const { return builders_.count(key) != 0; }

 private:
  using Builder = std::function<Request(SecurityWorld&, Side&)>;
  static std::map<std::string, Builder> Builders();
  std::string Unique();

  std::map<std::string, Builder> builders_;
  int counter_ = 0;
};

// The fixture of the security suites: a harness per backend, the world on it, the log captured.
class SecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Raises the signup/login limits out of reach (the sweeps register and log in many times).
  void LiftRateLimits();
  // The log written since the last call, scanned as TearDown scans the rest.
  std::string TakeLog();
  static void ScanLog(const std::string& text, const std::vector<std::string>& secrets);

  std::unique_ptr<LogCapture> log;
  std::unique_ptr<test::ApiHarness> h;
  std::unique_ptr<SecurityWorld> w;
};

#define IAM_SECURITY_BACKENDS(suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgres"), \
                           [](const auto& param_info) { return param_info.param; })

std::string UrlEncode(std::string_view s);

}  // namespace iam::security
