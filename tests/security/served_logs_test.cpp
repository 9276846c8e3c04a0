// The production binary's own output: `iam serve` (SQLite, a password-protected redis-server) runs
// a session of ordinary and hostile requests, then stops; neither its responses nor anything it
// printed (every log level: LOG_LEVEL=debug) may show the JWT secret, the Redis password, SQL
// text, a stack trace or a password hash. Likewise for a wrong Redis password, and for `iam
// config` / `iam serve` refusing URLs whose passwords contain characters users really type.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "security/leak_scan.hpp"
#include "security/served_binary.hpp"
#include "support/redis_server.hpp"
#include "support/temp_database.hpp"

namespace iam::security {
namespace {

namespace json = boost::json;

constexpr const char* kJwtSecret = "jwt-secret-for-the-log-scan-4f8a1b2c3d4e5f60718293a4";
constexpr const char* kRedisPassword = "redis-pw-Zr81kq55wy";

void ExpectClean(const std::string& what, const std::string& text, const std::vector<std::string>& secrets,
                 bool response) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    for (const auto& leak : FindLeaks(line, secrets, response)) ADD_FAILURE() << what << " shows " << leak << ": " << line;
    start = end + 1;
  }
}

std::vector<std::string> BaseEnv(const std::string& database_url, unsigned short port) {
  return {"DATABASE_URL=" + database_url, "PORT=" + std::to_string(port), "HOST=127.0.0.1",
          std::string("JWT_SECRET=") + kJwtSecret, "LOG_LEVEL=debug", "IAM_ENV=development"};
}

class ServedLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IAM_REQUIRE_REDIS_SERVER_BINARY(false);
    redis_ = std::make_unique<test::RedisServer>(test::RedisServerOptions{.args = {"--requirepass", kRedisPassword}});
    ASSERT_TRUE(redis_->Start()) << redis_->error();
    db_ = test::TempDatabase::Create("sqlite");
    ServedBinary migrate({"DATABASE_URL=" + db_->url()}, {"migrate"});
    ASSERT_EQ(migrate.Wait(), 0) << migrate.Output();
  }
  std::string RedisUrl(const std::string& password) {
    return "redis://:" + password + "@127.0.0.1:" + std::to_string(redis_->port()) + "/0";
  }
  std::unique_ptr<test::RedisServer> redis_;
  std::unique_ptr<test::TempDatabase> db_;
};

TEST_F(ServedLogsTest, ASessionOfOrdinaryAndHostileRequestsLeaksNothing) {
  unsigned short port = FreePort();
  auto env = BaseEnv(db_->url(), port);
  env.push_back("REDIS_URL=" + RedisUrl(kRedisPassword));
  ServedBinary serve(env, {"serve"});
  ASSERT_TRUE(serve.WaitServing(port)) << serve.Output();
  const std::vector<std::string> secrets = {kJwtSecret, kRedisPassword};
  std::vector<RawResponse> answers;
  auto ask = [&](const std::string& method, const std::string& target, const std::string& body = {},
                 const std::vector<std::string>& headers = {}) {
    answers.push_back(Http(port, method, target, body, headers));
    EXPECT_NE(answers.back().status, 0) << method << " " << target;
    EXPECT_LT(answers.back().status, 500) << method << " " << target << ": " << answers.back().text;
    return answers.back();
  };
  auto signup = ask("POST", "/auth/register-empresa",
                    R"({"nombreEmpresa":"Logs SA","nombre":"Ana","email":"ana@logs.test","password":"password123"})");
  ASSERT_EQ(signup.status, 201) << signup.text;
  std::string token(json::parse(signup.body).at("token").as_string());
  std::string bearer = "Authorization: Bearer " + token;
  ask("POST", "/auth/login", R"({"email":"ana@logs.test","password":"wrong-password"})");
  ask("POST", "/auth/login", R"({"email":"' OR 1=1 --","password":"x"})");
  ask("POST", "/auth/login", R"({"email":"ana@logs.test","password":"password123"})");
  ask("GET", "/auth/me", {}, {bearer});
  ask("GET", "/auth/me", {}, {"Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."});
  ask("GET", "/auth/me", {}, {"Authorization: Bearer " + token.substr(0, token.size() - 3) + "abc"});
  ask("POST", "/productos", R"({"nombre":"'; DROP TABLE Producto; --","precioCompra":1,"precioVenta":2,"stock":5})",
      {bearer});
  ask("POST", "/productos", R"({"nombre":"x","precioCompra":1,"precioVenta":2,"sku":"a\u0000b"})", {bearer});
  ask("POST", "/productos", R"({"nombre":"dup","precioCompra":1,"precioVenta":2,"sku":"SAME"})", {bearer});
  ask("POST", "/productos", R"({"nombre":"dup2","precioCompra":1,"precioVenta":2,"sku":"SAME"})", {bearer});
  ask("GET", "/productos?search=%27%20OR%201%3D1%20--&page=1&limit=100", {}, {bearer});
  ask("GET", "/productos?limit=1000000", {}, {bearer});
  ask("GET", "/productos/1%27%20OR%201=1", {}, {bearer});
  ask("GET", "/productos/99999999999999999999999", {}, {bearer});
  ask("POST", "/movimientos", R"({"tipo":"SALIDA","cantidad":999999,"productoId":1})", {bearer});
  ask("POST", "/movimientos", R"({"tipo":"ENTRADA","cantidad":1,"productoId":1})", {bearer, "Idempotency-Key: k1"});
  ask("POST", "/movimientos", R"({"tipo":"ENTRADA","cantidad":2,"productoId":1})", {bearer, "Idempotency-Key: k1"});
  ask("GET", "/dashboard-cqrs/all-kpis", {}, {bearer});
  ask("GET", "/dashboard-cqrs/all-kpis", {}, {bearer});
  ask("GET", "/dashboard-cqrs/financial-kpis?period=%27", {}, {bearer});
  auto stats = ask("GET", "/auth/admin/cache-stats", {}, {bearer});
  EXPECT_NE(stats.body.find("\"redisConnected\":true"), std::string::npos)
      << "Redis (and so its password) must be in play: " << stats.body;
  ask("POST", "/auth/admin/cache/clear", {}, {bearer});
  ask("GET", "/metrics");
  ask("GET", "/health/ready");
  ask("DELETE", "/auth/me", {}, {bearer});
  ask("GET", "/no/such/route");
  ask("POST", "/productos", "{not json", {bearer});
  ask("POST", "/productos", std::string(2 << 20, 'x'), {bearer});
  answers.push_back(SendRaw(port, "GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n"));
  answers.push_back(SendRaw(port, "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"));
  answers.push_back(SendRaw(port, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  ask("POST", "/auth/logout", "{}", {bearer});
  ask("GET", "/auth/me", {}, {bearer});
  EXPECT_EQ(serve.Stop(), 0) << serve.Output();

  for (const auto& a : answers) ExpectClean("a response of iam serve", a.text, secrets, true);
  std::string out = serve.Output();
  ExpectClean("the output of iam serve", out, secrets, false);
  // The scan saw real logs: the start-up line, access lines and a debug-level line or more.
  EXPECT_NE(out.find("IAM listening"), std::string::npos) << out;
  EXPECT_NE(out.find("/auth/login"), std::string::npos) << out;
}

TEST_F(ServedLogsTest, AWrongRedisPasswordIsNotPrinted) {
  unsigned short port = FreePort();
  const std::string wrong = "wrong-redis-pw-Hq93xx";
  auto env = BaseEnv(db_->url(), port);
  env.push_back("REDIS_URL=" + RedisUrl(wrong));
  ServedBinary serve(env, {"serve"});
  ASSERT_TRUE(serve.WaitServing(port)) << serve.Output();
  auto ready = Http(port, "GET", "/health/ready");
  EXPECT_NE(ready.body.find("down"), std::string::npos) << "Redis must refuse the wrong password: " << ready.text;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a few reconnect attempts, each logged
  EXPECT_EQ(serve.Stop(), 0);
  std::string out = serve.Output();
  ExpectClean("the output of iam serve with a wrong Redis password", out, {wrong, kJwtSecret}, false);
  EXPECT_NE(out.find("WRONGPASS"), std::string::npos) << "the refusal itself should be reported: " << out;
}

// Passwords with characters that are not valid in a URL's userinfo, as people do type them. The
// URL is refused, and the message says why without the password.
TEST(ServedConfigTest, RefusedUrlsDoNotPrintTheirPasswords) {
  struct Case {
    std::string var, value, secret;
  };
  const std::vector<Case> cases = {
      {"REDIS_URL", "redis://user:pa/ss-Secret1a@127.0.0.1:6379", "Secret1a"},
      {"REDIS_URL", "redis://user:pa@ss-Secret2b@127.0.0.1:6379", "Secret2b"},
      {"REDIS_URL", "redis://user:pa#ss-Secret3c@127.0.0.1:6379", "Secret3c"},
      {"REDIS_URL", "redis://:Secret4d@127.0.0.1:99999", "Secret4d"},
      {"REDIS_URL", "redis://u:Secret5e@127.0.0.1:6379/99", "Secret5e"},
      {"REDIS_URL", "http://u:Secret6f@127.0.0.1:6379", "Secret6f"},
      {"DATABASE_URL", "mysql://u:Secret7g@127.0.0.1/db", "Secret7g"},
      {"DATABASE_URL", "postgres://u:Secret8h@127.0.0.1:1/db", "Secret8h"},
      {"DATABASE_URL", "postgres://u:pa/ss-Secret9i@127.0.0.1:1/db", "Secret9i"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.var + "=" + c.value);
    for (const char* command : {"config", "serve"}) {
      ServedBinary run({c.var + "=" + c.value, "PORT=" + std::to_string(FreePort()), "HOST=127.0.0.1"}, {command});
      int code = run.Wait();
      std::string out = run.Output();
      if (std::string(command) == "serve") {
        EXPECT_NE(code, 0) << out;
      }
      EXPECT_EQ(out.find(c.secret), std::string::npos) << command << " printed the password: " << out;
    }
  }
}

}  // namespace
}  // namespace iam::security
