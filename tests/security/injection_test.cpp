// Injection sweep: SQL, LIKE-wildcard, format-string, template, path, script, encoding and size
// payloads put into every string field of every JSON body, every query parameter and every path
// parameter of the RouteTable, and into the headers the server reads. Whatever the payload, the
// answer is never a 5xx, never shows SQL text, a stack trace, a secret or tenant B's data (checked
// by SecurityWorld::Send on every response, and on the log in TearDown), and afterwards tenant B's
// rows are unchanged and every table is still there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "security/route_table.hpp"
#include "security/security_world.hpp"

namespace iam::security {
namespace {

namespace json = boost::json;

const std::vector<std::string>& Payloads() {
  static const std::vector<std::string> kPayloads = {
      "' OR '1'='1", "' OR 1=1 --", "\" OR \"\"=\"", "'; DROP TABLE Producto; --", "1; DELETE FROM Usuario",
      "' UNION SELECT password, email FROM Usuario --", "' || (SELECT password FROM Usuario LIMIT 1) || '",
      "admin'--", "1 OR 1=1", "%", "_", "%%", "%_%", "\\", "\\'", "'", "\"", "`", "$1", "?", "NULL", "-1",
      "99999999999999999999", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "#{7*7}",
      "../../../../etc/passwd", "%s%s%s%s%n", "{0}{1}{}", std::string("a\0b", 3), "line\r\nbreak",
      "ñandú 漢字 🙂", "\xc3\x28", "\xef\xbb\xbf", "\xe2\x80\xae" "evil", std::string(5000, 'A'), "  ", ""};
  return kPayloads;
}

// The default run sends a dozen payloads of the kinds that matter (SQL quoting, LIKE wildcards,
// escapes, format strings, NUL, broken UTF-8, size, empty) to every field, and four to the routes
// that hash or check a password on each valid request (~0.1-0.3 s each); IAM_SECURITY_FULL=1 sends
// every payload everywhere.
const std::vector<std::string>& PayloadsFor(const RouteSpec& route) {
  static const std::vector<std::string> kCore = {
      "' OR '1'='1", "'; DROP TABLE Producto; --", "' UNION SELECT password, email FROM Usuario --", "%", "_", "\\'",
      "${jndi:ldap://127.0.0.1/a}", "%s%s%s%s%n", std::string("a\0b", 3), "\xc3\x28", std::string(5000, 'A'), ""};
  static const std::vector<std::string> kFew = {"' OR '1'='1", std::string("a\0b", 3), "\xc3\x28",
                                                std::string(5000, 'A')};
  static const bool full = std::getenv("IAM_SECURITY_FULL") != nullptr;
  static const std::vector<std::string> kHashing = {"POST /auth/login", "POST /auth/register",
                                                    "POST /auth/register-empresa", "POST /auth/change-password",
                                                    "POST /users"};
  if (full) return Payloads();
  bool hashing = std::find(kHashing.begin(), kHashing.end(), route.Key()) != kHashing.end();
  return hashing ? kFew : kCore;
}

// The target without any `name=` parameter, so the probe's own value is the one read.
std::string WithoutParam(const std::string& target, const std::string& name) {
  auto q = target.find('?');
  if (q == std::string::npos) return target;
  std::string out = target.substr(0, q), kept;
  std::string query = target.substr(q + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(start, end - start);
    if (!part.empty() && !part.starts_with(name + "=")) kept += (kept.empty() ? "" : "&") + part;
    start = end + 1;
  }
  return kept.empty() ? out : out + "?" + kept;
}

class InjectionTest : public SecurityTest {
 protected:
  // Who sends the probe for `route`: someone the route admits (so the payload reaches validation).
  Caller CallerFor(const RouteSpec& route) {
    if (!route.authenticated) return SecurityWorld::Anonymous();
    if (route.Key() == "POST /auth/setup-empresa") return w->NoTenantCaller(kAdmin);
    for (unsigned role : {kAdmin, kSuper, kEmpleado, kProveedor})
      if (route.roles & role) return w->NewCaller(role, w->a);
    return SecurityWorld::Anonymous();
  }
  void ExpectIntact(const std::string& b_before) {
    EXPECT_EQ(w->Snapshot(w->b.empresa), b_before) << "tenant B's data changed";
    for (const char* table : {"Empresa", "Usuario", "Proveedor", "Producto", "MovimientoInventario", "refresh_tokens",
                              "BlacklistedToken"}) {
      auto rows = h->Sql(std::string("SELECT COUNT(*) FROM \"") + table + "\"");
      EXPECT_EQ(rows.size(), 1u) << table;
    }
  }
};

TEST_P(InjectionTest, EveryStringFieldOfEveryBody) {
  LiftRateLimits();
  std::string b_before = w->Snapshot(w->b.empresa);
  int sent = 0;
  for (const auto& route : ApiRoutes()) {
    for (const auto& field : route.body_strings) {
      Request base = w->Build(route, w->a);
      auto body = base.body.empty() ? json::value(json::object()) : json::parse(base.body);
      for (const auto& payload : PayloadsFor(route)) {
        Request r = base;
        auto b = body.as_object();
        b[field] = field == "etiquetas" ? json::value(json::array{json::string(payload)}) : json::value(payload);
        r.body = json::serialize(b);
        Caller caller = CallerFor(route);
        auto res = w->Send(caller, r, caller.sees_b || (caller.role == kSuper && route.super_any_tenant));
        ++sent;
        EXPECT_NE(res.status, 0) << route.Key() << " " << field;
      }
    }
  }
  EXPECT_GT(sent, 700);
  ExpectIntact(b_before);
  // Request bodies are user data: no log line repeats one (the distinctive payloads at least).
  std::string logged = TakeLog();
  for (const auto& payload : Payloads()) {
    if (payload.size() >= 8) {
      EXPECT_EQ(logged.find(payload), std::string::npos) << "a request body value was logged: " << payload;
    }
  }
}

TEST_P(InjectionTest, EveryQueryParameter) {
  LiftRateLimits();
  std::string b_before = w->Snapshot(w->b.empresa);
  int sent = 0;
  for (const auto& route : ApiRoutes()) {
    if (route.query_params.empty()) continue;
    Request base = w->Build(route, w->a);
    for (const auto& param : route.query_params) {
      std::string target = WithoutParam(base.target, param);
      char sep = target.find('?') == std::string::npos ? '?' : '&';
      for (const auto& payload : PayloadsFor(route)) {
        Request r = base;
        r.target = target + sep + param + "=" + UrlEncode(payload);
        Caller caller = CallerFor(route);
        auto res = w->Send(caller, r, caller.sees_b || (caller.role == kSuper && route.super_any_tenant));
        ++sent;
        // A bad value is 400; a text filter may match nothing (200). Never anything else.
        EXPECT_TRUE(res.status == 200 || res.status == 400) << r.target << ": " << res.status << " " << res.body;
      }
    }
  }
  EXPECT_GT(sent, 300);
  ExpectIntact(b_before);
}

TEST_P(InjectionTest, EveryPathParameter) {
  LiftRateLimits();
  std::string b_before = w->Snapshot(w->b.empresa);
  for (const auto& route : ApiRoutes()) {
    if (route.pattern.find(':') == std::string::npos) continue;
    Request base = w->Build(route, w->a);
    // The built target has the pattern's shape: swap each parameter segment for the payload.
    std::string path = base.target.substr(0, base.target.find('?'));
    std::vector<std::string> want, got;
    for (std::size_t i = 1, j; i <= route.pattern.size(); i = j + 1) {
      j = route.pattern.find('/', i);
      if (j == std::string::npos) j = route.pattern.size();
      want.push_back(route.pattern.substr(i, j - i));
    }
    for (std::size_t i = 1, j; i <= path.size(); i = j + 1) {
      j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      got.push_back(path.substr(i, j - i));
    }
    ASSERT_EQ(want.size(), got.size()) << route.Key() << " " << path;
    for (const auto& payload : PayloadsFor(route)) {
      if (payload.empty()) continue;  // an empty segment is another route
      std::string target;
      for (std::size_t k = 0; k < want.size(); ++k) target += "/" + (want[k][0] == ':' ? UrlEncode(payload) : got[k]);
      Request r = base;
      r.target = target;
      Caller caller = CallerFor(route);
      auto res = w->Send(caller, r, caller.sees_b || (caller.role == kSuper && route.super_any_tenant));
      EXPECT_TRUE(res.status == 400 || res.status == 404) << route.Key() << " " << target << ": " << res.status << " "
                                                           << res.body;
    }
  }
  ExpectIntact(b_before);
}

TEST_P(InjectionTest, HeadersTheServerReads) {
  LiftRateLimits();
  std::string b_before = w->Snapshot(w->b.empresa);
  const RouteSpec* create = nullptr;
  for (const auto& r : ApiRoutes())
    if (r.Key() == "POST /movimientos") create = &r;
  ASSERT_NE(create, nullptr);
  for (const auto& payload : PayloadsFor(*create)) {
    if (payload.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) continue;  // not a header value
    for (const char* header : {"Idempotency-Key", "X-Request-Id", "Origin", "Cookie", "Content-Type",
                               "X-Forwarded-For", "Accept"}) {
      Request r = w->Build(*create, w->a);
      r.headers.emplace_back(header, std::string(header) == "Cookie" ? "jwt=" + payload + "; rt=" + payload : payload);
      auto res = w->Send(CallerFor(*create), r);
      EXPECT_TRUE(res.status == 201 || res.status == 400 || res.status == 401 || res.status == 415)
          << header << ": " << res.status << " " << res.body;
      // A request id the server did not accept is replaced, never echoed.
      if (std::string(header) == "X-Request-Id" && !payload.empty()) {
        bool sane = payload.size() <= 64 && payload.find_first_not_of(
                                                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                                                std::string::npos;
        if (!sane) {
          EXPECT_NE(res.Header("x-request-id"), payload);
        }
      }
      if (std::string(header) == "Origin") {
        EXPECT_TRUE(res.Header("access-control-allow-origin").empty()) << payload;
      }
    }
  }
  ExpectIntact(b_before);
}

IAM_SECURITY_BACKENDS(InjectionTest);

}  // namespace
}  // namespace iam::security
