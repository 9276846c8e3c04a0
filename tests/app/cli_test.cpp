// Black-box tests of the `iam` binary: configuration errors, `iam config` masking, `iam migrate`
// twice, and `iam serve` answering /health and /health/ready on SQLite and PostgreSQL, then
// stopping cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"
#include "support/temp_database.hpp"
#include "support/test_env.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct RunResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `env VARS iam ARGS` through the shell with a clean configuration environment.
RunResult RunIam(const std::vector<std::string>& env, const std::string& args) {
  std::string cmd = "cd " + ShellQuote(testing::TempDir()) + " && env -u DATABASE_URL -u PORT -u JWT_SECRET -u IAM_ENV";
  for (const auto& e : env) cmd += " " + ShellQuote(e);
  cmd += " " + ShellQuote(IAM_BINARY) + " " + args + " 2>&1";
  RunResult r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

unsigned short FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// GET path on 127.0.0.1:port; returns the raw response, or "" when nothing listens.
std::string HttpGet(unsigned short port, const std::string& path) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "";
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(s, asio::buffer(req), ec);
  std::string out;
  char buf[4096];
  while (!ec) out.append(buf, s.read_some(asio::buffer(buf), ec));
  return out;
}

// A running `iam serve` child process.
class ServeProcess {
 public:
  ServeProcess(const std::string& database_url, unsigned short port, const std::vector<std::string>& extra = {})
      : port_(port) {
    std::vector<std::string> args = {IAM_BINARY, "--database-url", database_url, "--port", std::to_string(port),
                                     "--host", "127.0.0.1", "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("serve");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, IAM_BINARY, nullptr, nullptr, argv.data(), environ), 0);
    for (int i = 0; i < 200 && HttpGet(port_, "/health").empty(); ++i) std::this_thread::sleep_for(50ms);
  }
  ~ServeProcess() {
    if (pid_ > 0) Stop();
  }
  void Signal(int signo) { kill(pid_, signo); }
  // SIGTERM, then the exit code (or -1 when it did not exit within 10 s and had to be killed).
  int Stop() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(50ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
    return -1;
  }

 private:
  pid_t pid_ = 0;
  unsigned short port_;
};

int Status(const std::string& r) { return r.size() > 12 ? std::stoi(r.substr(9, 3)) : 0; }

TEST(CliTest, InvalidVariableFailsAtStartUpWithOneLineNamingIt) {
  auto r = RunIam({"PORT=abc"}, "config");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("PORT"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(CliTest, FlagsWinOverEnvironment) {
  auto r = RunIam({"PORT=4000"}, "--port 4100 config");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("PORT=4100"), std::string::npos) << r.output;
  auto s = RunIam({"PORT=4000"}, "-s CACHE_TTL_KPIS=42 config");
  EXPECT_NE(s.output.find("CACHE_TTL_KPIS=42"), std::string::npos) << s.output;
  auto bad = RunIam({}, "-s NOT_A_VARIABLE=1 config");
  EXPECT_EQ(bad.exit_code, 2);
}

// CACHE_L1_HEARTBEAT_MS reaches the configuration from the environment and from -s.
TEST(CliTest, HeartbeatFromEnvironmentAndFlag) {
  auto env = RunIam({"CACHE_L1_HEARTBEAT_MS=75"}, "config");
  EXPECT_EQ(env.exit_code, 0) << env.output;
  EXPECT_NE(env.output.find("CACHE_L1_HEARTBEAT_MS=75"), std::string::npos) << env.output;
  auto flag = RunIam({}, "-s CACHE_L1_HEARTBEAT_MS=80 config");
  EXPECT_EQ(flag.exit_code, 0) << flag.output;
  EXPECT_NE(flag.output.find("CACHE_L1_HEARTBEAT_MS=80"), std::string::npos) << flag.output;
}

TEST(CliTest, TrustedProxiesShownAndBadOnesRefusedInOneLine) {
  auto ok = RunIam({"TRUSTED_PROXIES=10.0.0.0/8, ::1"}, "config");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("TRUSTED_PROXIES=10.0.0.0/8,::1/128"), std::string::npos) << ok.output;
  auto bad = RunIam({"TRUSTED_PROXIES=10.0.0.0/8,nginx"}, "config");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("TRUSTED_PROXIES"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("nginx"), std::string::npos) << bad.output;
  EXPECT_EQ(std::count(bad.output.begin(), bad.output.end(), '\n'), 1) << bad.output;
}

TEST(CliTest, ConfigMasksSecrets) {
  auto r = RunIam({"JWT_SECRET=supersecretvalue-0123456789abcdef", "DATABASE_URL=postgres://u:dbpw987@h/db",
                   "REDIS_URL=redis://:redispw654@h:6379"},
                  "config");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* secret : {"supersecretvalue", "dbpw987", "redispw654"})
    EXPECT_EQ(r.output.find(secret), std::string::npos) << secret;
  EXPECT_NE(r.output.find("JWT_SECRET=****"), std::string::npos);
}

TEST(CliTest, ProductionWithoutJwtSecretRefusesToStart) {
  auto r = RunIam({"IAM_ENV=production", "DATABASE_URL=sqlite::memory:"}, "serve");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("JWT_SECRET"), std::string::npos) << r.output;
}

TEST(CliTest, EnvFileIsReadAndEnvironmentWinsOverIt) {
  std::string path = testing::TempDir() + "/iam-test.env";
  FILE* f = fopen(path.c_str(), "w");
  fputs("PORT=4200\nCACHE_PREFIX=fromfile\n", f);
  fclose(f);
  auto r = RunIam({"PORT=4300"}, "--env-file " + ShellQuote(path) + " config");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PORT=4300"), std::string::npos);
  EXPECT_NE(r.output.find("CACHE_PREFIX=fromfile"), std::string::npos);
  auto missing = RunIam({}, "--env-file /nonexistent/iam.env config");
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(CliTest, JsonLogLinesAreJsonObjects) {
  auto temp = iam::test::TempDatabase::Create("sqlite");
  auto r = RunIam({"LOG_FORMAT=json"}, "--database-url " + ShellQuote(temp->url()) + " migrate");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  int json_lines = 0;
  std::size_t start = 0;
  while (start < r.output.size()) {
    auto end = r.output.find('\n', start);
    std::string line = r.output.substr(start, end - start);
    start = end == std::string::npos ? r.output.size() : end + 1;
    if (line.empty() || line[0] != '{') continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_TRUE(v.as_object().contains("ts"));
    EXPECT_TRUE(v.as_object().contains("level"));
    EXPECT_TRUE(v.as_object().contains("msg"));
    ++json_lines;
  }
  EXPECT_GE(json_lines, 1) << r.output;
}

class ServeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      IAM_REQUIRE_POSTGRES(url);
      temp_ = iam::test::TempDatabase::Create("postgres", url);
    } else {
      temp_ = iam::test::TempDatabase::Create("sqlite");
    }
  }
  std::unique_ptr<iam::test::TempDatabase> temp_;
};

TEST_P(ServeTest, MigrateTwiceThenServeHealthAndStopOnSigterm) {
  auto first = RunIam({}, "--database-url " + ShellQuote(temp_->url()) + " migrate");
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("fresh mode"), std::string::npos) << first.output;
  auto second = RunIam({}, "--database-url " + ShellQuote(temp_->url()) + " migrate");
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.output.find("up to date"), std::string::npos) << second.output;

  unsigned short port = FreePort();
  ServeProcess serve(temp_->url(), port);
  auto health = HttpGet(port, "/health");
  EXPECT_EQ(Status(health), 200) << health;
  EXPECT_NE(health.find("{\"status\":\"ok\"}"), std::string::npos);
  auto ready = HttpGet(port, "/health/ready");
  EXPECT_EQ(Status(ready), 200) << ready;
  EXPECT_NE(ready.find("\"database\":\"up\""), std::string::npos);
  EXPECT_EQ(serve.Stop(), 0);
  EXPECT_TRUE(HttpGet(port, "/health").empty());
}

// The guide's KPI check against a real `iam serve` with demo data: MISS, HIT, write, MISS; with the
// in-process tier alone and with Redis as L2 (the serve's change listener runs on PostgreSQL).
TEST_P(ServeTest, KpiCheckSeesMissHitWriteMiss) {
  const std::string db = "--database-url " + ShellQuote(temp_->url());
  ASSERT_EQ(RunIam({}, db + " migrate").exit_code, 0);
  auto seeded = RunIam({}, db + " seed --tenants 1 --products 5 --movements 40 --days 30");
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
  std::vector<std::vector<std::string>> variants = {{}};
  if (auto redis = iam::test::EnvOrNull("IAM_TEST_REDIS_URL"))
    variants.push_back({"-s", "REDIS_URL=" + *redis, "-s", "CACHE_PREFIX=kpi-check-" + GetParam()});
  for (const auto& extra : variants) {
    SCOPED_TRACE(extra.empty() ? "L1 only" : "with Redis");
    unsigned short port = FreePort();
    ServeProcess serve(temp_->url(), port, extra);
    auto check = RunIam({}, "kpi-check --base-url http://127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("PASS  MISS"), std::string::npos) << check.output;
    EXPECT_EQ(serve.Stop(), 0);
  }
  // Nothing listening: exit 1 with the hint.
  auto refused = RunIam({}, "kpi-check --base-url http://127.0.0.1:" + std::to_string(FreePort()));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("is `iam serve` running"), std::string::npos) << refused.output;
}

TEST_P(ServeTest, ServeRefusesAnUnmigratedDatabase) {
  auto r = RunIam({}, "--database-url " + ShellQuote(temp_->url()) + " serve");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("iam migrate"), std::string::npos) << r.output;
}

// Rolling restarts: SIGTERM with SHUTDOWN_DRAIN_MS first reports not-ready (/health and
// /health/ready 503 "draining") while still serving requests, new connections included; a second
// SIGTERM ends the drain and the process stops cleanly.
TEST_P(ServeTest, SigtermDrainsBeforeStopping) {
  ASSERT_EQ(RunIam({}, "--database-url " + ShellQuote(temp_->url()) + " migrate").exit_code, 0);
  unsigned short port = FreePort();
  // A drain far longer than the test needs: the second SIGTERM ends it, so no timing is asserted.
  ServeProcess serve(temp_->url(), port, {"-s", "SHUTDOWN_DRAIN_MS=60000"});
  ASSERT_EQ(Status(HttpGet(port, "/health")), 200);
  serve.Signal(SIGTERM);
  std::string health;
  for (int i = 0; i < 100 && Status(health = HttpGet(port, "/health")) != 503; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Status(health), 503) << health;
  EXPECT_NE(health.find("{\"status\":\"draining\"}"), std::string::npos) << health;
  auto ready = HttpGet(port, "/health/ready");
  EXPECT_EQ(Status(ready), 503) << ready;
  EXPECT_NE(ready.find("\"draining\""), std::string::npos) << ready;
  // Other requests are still served while draining: an unauthenticated one gets its usual 401.
  for (int i = 0; i < 3; ++i) {
    auto me = HttpGet(port, "/auth/me");
    EXPECT_EQ(Status(me), 401) << me;
  }
  EXPECT_EQ(serve.Stop(), 0);  // the second SIGTERM
  EXPECT_TRUE(HttpGet(port, "/health").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

// The instance registry wired into `iam serve` (SQLite, a private Redis): a clean stop removes the
// instance's record and the next start invalidates nothing; a SIGKILL leaves it, and the next start
// under the same name (host:port) invalidates every tenant, which creates the tenant's generation
// key in Redis (no read has created it: nothing else touches it).
TEST(ServeRegistryTest, ASigkilledServeIsFollowedByAnInvalidationACleanStopIsNot) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  iam::test::RedisServer redis;
  ASSERT_TRUE(redis.Start()) << redis.error();
  auto temp = iam::test::TempDatabase::Create("sqlite");
  const std::string db = "--database-url " + ShellQuote(temp->url());
  ASSERT_EQ(RunIam({}, db + " migrate").exit_code, 0);
  auto seeded = RunIam({}, db + " seed --tenants 1 --products 2 --movements 4 --days 3");
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
  const unsigned short port = FreePort();
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  const std::string name = std::string(host) + ":" + std::to_string(port);
  const std::vector<std::string> extra = {"-s", "REDIS_URL=" + redis.url(), "-s", "CACHE_PREFIX=reg"};
  auto cli = [&](const std::vector<std::string>& args) {
    std::string out = redis.Cli(args);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  };
  auto registered = [&] { return cli({"HEXISTS", "reg:instances", name}) == "1"; };
  auto invalidated = [&] { return cli({"EXISTS", "reg:{t1}:gen"}) == "1"; };

  {
    ServeProcess first(temp->url(), port, extra);
    ASSERT_EQ(Status(HttpGet(port, "/health")), 200);
    EXPECT_TRUE(iam::test::Eventually(registered, std::chrono::seconds(10)));
    EXPECT_EQ(first.Stop(), 0);
  }
  EXPECT_FALSE(registered()) << "a clean stop removes the record";
  {
    ServeProcess second(temp->url(), port, extra);
    ASSERT_EQ(Status(HttpGet(port, "/health")), 200);  // accepting: the first beat has been tried
    EXPECT_TRUE(iam::test::Eventually(registered, std::chrono::seconds(10)));
    EXPECT_FALSE(invalidated()) << "a start after a clean stop keeps the cache";
    second.Signal(SIGKILL);
    second.Stop();
  }
  EXPECT_TRUE(registered()) << "a killed process leaves its record";
  {
    ServeProcess third(temp->url(), port, extra);
    ASSERT_EQ(Status(HttpGet(port, "/health")), 200);
    EXPECT_TRUE(iam::test::Eventually(invalidated, std::chrono::seconds(10)));
    EXPECT_EQ(third.Stop(), 0);
  }
  EXPECT_FALSE(registered());
}

TEST(ServeReadinessTest, ReadyIs503WhenTheDatabaseGoesAway) {
  IAM_REQUIRE_POSTGRES(url);
  auto temp = iam::test::TempDatabase::Create("postgres", url);
  ASSERT_EQ(RunIam({}, "--database-url " + ShellQuote(temp->url()) + " migrate").exit_code, 0);
  unsigned short port = FreePort();
  ServeProcess serve(temp->url(), port);
  EXPECT_EQ(Status(HttpGet(port, "/health/ready")), 200);
  temp.reset();  // DROP DATABASE … WITH (FORCE): the server's connections are terminated
  auto ready = HttpGet(port, "/health/ready");
  EXPECT_EQ(Status(ready), 503) << ready;
  EXPECT_NE(ready.find("\"database\":\"down\""), std::string::npos);
  EXPECT_EQ(Status(HttpGet(port, "/health")), 200) << "liveness does not depend on the database";
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
