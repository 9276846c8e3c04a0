// Rate limits of api.md against guessing: failed logins per email and per client IP (5 per 15
// minutes, then 429 with Retry-After until the window ends, a correct password included), wrong
// current passwords on change-password counted as failed logins, successful logins not counted,
// registrations per IP (20 per hour, shown with a lowered limit). Each 429 carries the api.md error body and a Retry-After of
// whole seconds within the window.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "security/security_world.hpp"

namespace iam::security {
namespace {

namespace json = boost::json;

class RateLimitTest : public SecurityTest {
 protected:
  test::HttpResult Login(const std::string& email, const std::string& password) {
    return w->Send(SecurityWorld::Anonymous(),
                   {"POST", "/auth/login", json::serialize(json::object{{"email", email}, {"password", password}}), {}, 0});
  }
  void ExpectThrottled(const test::HttpResult& res, int window_s) {
    EXPECT_EQ(res.status, 429) << res.body;
    ASSERT_TRUE(res.json.is_object()) << res.body;
    EXPECT_EQ(res.json.at("statusCode"), 429);
    EXPECT_EQ(res.json.at("code"), "TOO_MANY_ATTEMPTS");
    std::string retry = res.Header("retry-after");
    ASSERT_FALSE(retry.empty()) << "429 without Retry-After";
    ASSERT_EQ(retry.find_first_not_of("0123456789"), std::string::npos) << retry;
    int seconds = std::stoi(retry);
    EXPECT_GE(seconds, 1);
    EXPECT_LE(seconds, window_s);
  }
};

TEST_P(RateLimitTest, FailedLoginsPerEmailThen429UntilTheWindowEnds) {
  auto user = w->NewUser(w->a.empresa, "ADMIN");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Login(user.email, "wrong-password-" + std::to_string(i)).status, 401) << i;
  ExpectThrottled(Login(user.email, "wrong-password-5"), 15 * 60);
  ExpectThrottled(Login(user.email, user.password), 15 * 60);  // right password, still blocked
  // The email in another case is the same account.
  std::string upper = user.email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ExpectThrottled(Login(upper, user.password), 15 * 60);
}

TEST_P(RateLimitTest, FailedLoginsPerClientIpAcrossEmails) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Login("nobody" + std::to_string(i) + "@sec.test", "wrong-password").status, 401) << i;
  auto fresh = w->NewUser(w->a.empresa, "ADMIN");
  ExpectThrottled(Login(fresh.email, "wrong-password"), 15 * 60);
  ExpectThrottled(Login(fresh.email, fresh.password), 15 * 60);
}

TEST_P(RateLimitTest, SuccessfulLoginsDoNotCount) {
  auto user = w->NewUser(w->a.empresa, "ADMIN");
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Login(user.email, user.password).status, 200) << i;
}

TEST_P(RateLimitTest, WrongCurrentPasswordsCountAsFailedLogins) {
  auto user = w->NewUser(w->a.empresa, "EMPLEADO");
  Caller c{"EMPLEADO of A", user.token, kEmpleado, true, false, user};
  for (int i = 0; i < 5; ++i) {
    auto res = w->Send(c, {"POST", "/auth/change-password",
                           json::serialize(json::object{{"passwordActual", "guess-" + std::to_string(i)},
                                                        {"passwordNueva", "password999"}}),
                           {}, 0});
    EXPECT_EQ(res.status, 400) << res.body;
  }
  ExpectThrottled(Login(user.email, user.password), 15 * 60);
}

// The default is api.md's 20 per IP per hour; the mechanism is shown with a limit of 3 (each
// registration hashes a password, ~0.1-0.3 s), on register-empresa too.
TEST_P(RateLimitTest, RegistrationsPerIp) {
  EXPECT_EQ(h->api().auth.limits.registrations, 20);
  EXPECT_EQ(h->api().auth.limits.registration_window, std::chrono::hours(1));
  h->api().auth.limits.registrations = 3;
  auto reg = [&](int i) {
    return w->Send(SecurityWorld::Anonymous(),
                   {"POST", "/auth/register",
                    json::serialize(json::object{{"nombre", "R"}, {"email", "r" + std::to_string(i) + "@sec.test"},
                                                 {"password", "password123"}}),
                    {}, 0});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(reg(i).status, 201) << i;
  ExpectThrottled(reg(3), 60 * 60);
  ExpectThrottled(w->Send(SecurityWorld::Anonymous(),
                          {"POST", "/auth/register-empresa",
                           json::serialize(json::object{{"nombreEmpresa", "X"}, {"nombre", "A"}, {"email", "x@sec.test"},
                                                        {"password", "password123"}}),
                           {}, 0}),
                  60 * 60);
}

IAM_SECURITY_BACKENDS(RateLimitTest);

}  // namespace
}  // namespace iam::security
