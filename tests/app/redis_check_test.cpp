// Black-box tests of `iam redis-check`: every check passes against a real Redis (and leaves no key
// behind), with settings from --url or from the environment, with AUTH and with TLS; a closed port,
// against a Redis Cluster from REDIS_CLUSTER_NODES; a wrong password and a missing CA fail with exit status 1 and the matching one-line hint.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <random>

#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace {

using iam::test::RedisServer;
using iam::test::ShellQuote;

struct RunResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// `iam ARGS` with VARS, in an empty directory (no .env) and without any Redis variable of the caller.
RunResult RunIam(const std::vector<std::string>& vars, const std::string& args) {
  std::string cmd = "cd " + ShellQuote(testing::TempDir()) + " && env";
  for (const char* v : {"REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_USERNAME", "REDIS_DB",
                        "REDIS_TLS", "REDIS_CLUSTER_NODES", "CACHE_PREFIX"})
    cmd += std::string(" -u ") + v;
  for (const auto& v : vars) cmd += " " + ShellQuote(v);
  cmd += " " + ShellQuote(IAM_BINARY) + " " + args;
  auto r = iam::test::RunShell(cmd);
  return {r.status, r.output};
}

bool Has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

const char* kCheckNames[] = {"connection", "write/read/delete", "json round-trip", "keys and memory",
                             "timing",     "invalidation"};

void ExpectAllPassed(const RunResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : kCheckNames) {
    SCOPED_TRACE(name);
    // "  <name>  ok  <detail>" on one line.
    auto pos = r.output.find(std::string("  ") + name + " ");
    ASSERT_NE(pos, std::string::npos) << r.output;
    auto line = r.output.substr(pos, r.output.find('\n', pos) - pos);
    EXPECT_TRUE(Has(line, " ok ")) << line;
  }
  EXPECT_TRUE(Has(r.output, "all 6 checks passed")) << r.output;
  EXPECT_FALSE(Has(r.output, "hint:")) << r.output;
}

std::string RandomName() {
  std::mt19937_64 rng{std::random_device{}()};
  return "iam-test-rc-" + std::to_string(rng() % 1000000000);
}

TEST(RedisCheckTest, PassesAgainstTheHarnessRedisAndLeavesNoKeys) {
  IAM_REQUIRE_REDIS(url);
  const std::string prefix = RandomName();
  auto r = RunIam({"CACHE_PREFIX=" + prefix}, "redis-check --url " + ShellQuote(url));
  ExpectAllPassed(r);
  EXPECT_TRUE(Has(r.output, "prefix " + prefix)) << r.output;
  EXPECT_TRUE(Has(r.output, "100 writes")) << r.output;
  EXPECT_TRUE(Has(r.output, "used_memory")) << r.output;
  // Nothing under the prefix is left behind.
  auto port = url.substr(url.rfind(':') + 1);
  port = port.substr(0, port.find('/'));
  auto keys =
      iam::test::RunShell("redis-cli -h 127.0.0.1 -p " + port + " --scan --pattern " + ShellQuote(prefix + ":*"));
  EXPECT_EQ(keys.status, 0) << keys.output;
  EXPECT_EQ(keys.output, "") << "left behind:\n" << keys.output;
}

TEST(RedisCheckTest, PassesAgainstARedisClusterAndLeavesNoKeys) {
  IAM_REQUIRE_REDIS_CLUSTER_BINARIES();
  iam::test::RedisCluster cluster(3, 0);
  ASSERT_TRUE(cluster.Start()) << cluster.error();
  const std::string prefix = RandomName();
  auto r = RunIam({"CACHE_PREFIX=" + prefix, "REDIS_CLUSTER_NODES=" + cluster.seeds()}, "redis-check");
  ExpectAllPassed(r);
  EXPECT_TRUE(Has(r.output, "Redis Cluster, seeds")) << r.output;
  EXPECT_TRUE(Has(r.output, "on 3 masters")) << r.output;
  for (int port : cluster.ports()) {
    auto keys = iam::test::RunShell("redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " --scan --pattern " +
                                    ShellQuote(prefix + ":*"));
    EXPECT_EQ(keys.output, "") << "left behind on " << port << ":\n" << keys.output;
  }
  // A database other than 0 is refused before anything is tried.
  auto db = RunIam({"REDIS_CLUSTER_NODES=" + cluster.seeds(), "REDIS_DB=1"}, "redis-check");
  EXPECT_NE(db.exit_code, 0);
  EXPECT_TRUE(Has(db.output, "database 0 only")) << db.output;
}

TEST(RedisCheckTest, ClosedPortFailsWithTheServerHint) {
  unsigned short port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto r = RunIam({}, "redis-check --url redis://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(Has(r.output, "connection         FAIL")) << r.output;
  EXPECT_TRUE(Has(r.output, "refused")) << r.output;
  EXPECT_TRUE(Has(r.output, "hint: is a server running on that host and port?")) << r.output;
}

TEST(RedisCheckTest, NoRedisConfiguredIsAUsageError) {
  auto r = RunIam({}, "redis-check");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(Has(r.output, "no Redis configured")) << r.output;
}

TEST(RedisCheckTest, PasswordFromTheEnvironmentIsUsedAndMasked) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  RedisServer server({.args = {"--requirepass", "hunter2-right"}});
  ASSERT_TRUE(server.Start()) << server.error();
  const std::string host_port = "REDIS_PORT=" + std::to_string(server.port());
  {
    SCOPED_TRACE("right password from REDIS_HOST/REDIS_PORT/REDIS_PASSWORD");
    auto r = RunIam({"REDIS_HOST=127.0.0.1", host_port, "REDIS_PASSWORD=hunter2-right"}, "redis-check");
    ExpectAllPassed(r);
    EXPECT_TRUE(Has(r.output, "password ***")) << r.output;
    EXPECT_FALSE(Has(r.output, "hunter2")) << r.output;
  }
  {
    SCOPED_TRACE("wrong password in the URL");
    auto r = RunIam(
        {}, "redis-check --url " + ShellQuote("redis://:hunter2-wrong@127.0.0.1:" + std::to_string(server.port())));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(Has(r.output, "WRONGPASS")) << r.output;
    EXPECT_TRUE(Has(r.output, "hint: check REDIS_PASSWORD")) << r.output;
    EXPECT_TRUE(Has(r.output, "redis://:***@127.0.0.1")) << r.output;
    EXPECT_FALSE(Has(r.output, "hunter2")) << r.output;
  }
  {
    SCOPED_TRACE("no password");
    auto r = RunIam({"REDIS_HOST=127.0.0.1", host_port}, "redis-check");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(Has(r.output, "NOAUTH")) << r.output;
    EXPECT_TRUE(Has(r.output, "hint: check REDIS_PASSWORD")) << r.output;
  }
}

TEST(RedisCheckTest, TlsWithTheCaPassesAndWithoutItHintsAtTheCa) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(true);
  RedisServer server({.tls = true});
  ASSERT_TRUE(server.Start()) << server.error();
  auto ok =
      RunIam({}, "redis-check --url " + ShellQuote(server.url()) + " --tls-ca-file " + ShellQuote(server.ca_file()));
  ExpectAllPassed(ok);
  EXPECT_TRUE(Has(ok.output, "TLS on")) << ok.output;

  auto no_ca = RunIam({}, "redis-check --url " + ShellQuote(server.url()));
  EXPECT_EQ(no_ca.exit_code, 1) << no_ca.output;
  EXPECT_TRUE(Has(no_ca.output, "certificate verify failed")) << no_ca.output;
  EXPECT_TRUE(Has(no_ca.output, "hint: check rediss:// and the CA")) << no_ca.output;

  auto plain = RunIam({}, "redis-check --url " + ShellQuote("redis://127.0.0.1:" + std::to_string(server.port())));
  EXPECT_EQ(plain.exit_code, 1) << plain.output;
  EXPECT_TRUE(Has(plain.output, "hint: the server may speak TLS only: check rediss://")) << plain.output;
}

}  // namespace
