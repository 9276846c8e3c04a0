// RedisClient connection set-up against private redis-server processes: AUTH with requirepass and
// with an ACL user (also from a URL with percent-encoded credentials), SELECT of another database,
// and TLS (rediss://) with a CA and server certificate generated for the test by the openssl CLI.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <thread>

#include "cache/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Args = std::vector<std::string>;

// One client on a two-thread io_context; everything is torn down in the destructor.
class Session {
 public:
  explicit Session(RedisOptions opts) : guard_(asio::make_work_guard(ioc_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
    client_ = std::make_unique<RedisClient>(ioc_.get_executor(), std::move(opts));
    client_->Start();
  }
  ~Session() {
    client_.reset();
    guard_.reset();
    for (auto& t : threads_) t.join();
  }
  Result<void> WaitConnected() { return Run(client_->WaitConnected(5s)); }
  Result<RedisReply> Exec(Args args) { return Run(client_->Execute(std::move(args))); }
  RedisClient& client() { return *client_; }

 private:
  template <typename T>
  T Run(asio::awaitable<T> op) {
    return asio::co_spawn(ioc_, std::move(op), asio::use_future).get();
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
  std::unique_ptr<RedisClient> client_;
};

RedisOptions Options(const test::RedisServer& server) {
  RedisOptions o;
  o.port = server.port();
  o.command_timeout = 2000ms;
  o.connect_timeout = 2000ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  o.connections = 1;
  return o;
}

TEST(RedisClientAuthTest, RequirePass) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server({.args = {"--requirepass", "s3cret pass"}});
  ASSERT_TRUE(server.Start()) << server.error();
  struct Case {
    const char* name;
    std::string username, password;
    bool ok;
  };
  const Case kCases[] = {
      {"right password", "", "s3cret pass", true},
      {"right password as the default user", "default", "s3cret pass", true},
      {"wrong password", "", "wrong", false},
      {"no password", "", "", false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto opts = Options(server);
    opts.username = c.username;
    opts.password = c.password;
    Session s(opts);
    auto up = s.WaitConnected();
    if (c.ok) {
      ASSERT_TRUE(up) << up.error().message;
      EXPECT_EQ(*s.Exec({"SET", "k", "v"}), RedisReply::Status("OK"));
      continue;
    }
    ASSERT_FALSE(up);
    EXPECT_EQ(up.error().code, kRedisAuth) << up.error().message;
    EXPECT_EQ(up.error().message.find("wrong"), std::string::npos) << "must not echo the password";
    // Commands fail, and say why.
    auto r = s.Exec({"GET", "k"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
    EXPECT_EQ(r.error().code, kRedisAuth) << r.error().message;
    EXPECT_FALSE(s.client().Connected());
  }
}

TEST(RedisClientAuthTest, AclUserWithUsernameAndPassword) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  ASSERT_EQ(server.Cli({"ACL", "SETUSER", "alice", "on", ">p@ss:w/rd", "~*", "+@all"}), "OK\n");

  {
    SCOPED_TRACE("from a URL with percent-encoded credentials");
    auto opts = ParseRedisUrl("redis://alice:p%40ss%3Aw%2Frd@127.0.0.1:" + std::to_string(server.port()) + "/0");
    ASSERT_TRUE(opts) << opts.error().message;
    EXPECT_EQ(opts->password, "p@ss:w/rd");
    Session s(*opts);
    ASSERT_TRUE(s.WaitConnected());
    EXPECT_EQ(*s.Exec({"ACL", "WHOAMI"}), RedisReply::String("alice"));
  }
  {
    SCOPED_TRACE("wrong password for the user");
    auto opts = Options(server);
    opts.username = "alice";
    opts.password = "p@ss:w/rd-not";
    Session s(opts);
    auto up = s.WaitConnected();
    ASSERT_FALSE(up);
    EXPECT_EQ(up.error().code, kRedisAuth);
    EXPECT_NE(up.error().message.find("WRONGPASS"), std::string::npos) << up.error().message;
  }
}

TEST(RedisClientAuthTest, SelectPutsKeysInThatDatabase) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  auto opts3 = Options(server);
  opts3.db = 3;
  Session db3(opts3);
  ASSERT_TRUE(db3.WaitConnected());
  ASSERT_EQ(*db3.Exec({"SET", "in-three", "v"}), RedisReply::Status("OK"));
  EXPECT_EQ(*db3.Exec({"DBSIZE"}), RedisReply::Integer(1));

  Session db0(Options(server));
  ASSERT_TRUE(db0.WaitConnected());
  EXPECT_EQ(*db0.Exec({"EXISTS", "in-three"}), RedisReply::Integer(0));
  EXPECT_EQ(*db0.Exec({"DBSIZE"}), RedisReply::Integer(0));
  EXPECT_EQ(server.Cli({"-n", "3", "GET", "in-three"}), "v\n");

  auto bad = Options(server);
  bad.db = 99;  // the default server has 16
  Session s(bad);
  auto up = s.WaitConnected();
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(up.error().message.find("SELECT"), std::string::npos) << up.error().message;
}

TEST(RedisClientAuthTest, RefusalSentBeforeHangingUpIsReported) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server({.args = {"--maxclients", "1"}});
  ASSERT_TRUE(server.Start()) << server.error();
  Session first(Options(server));
  ASSERT_TRUE(first.WaitConnected());
  auto opts = Options(server);
  opts.db = 1;  // SELECT and PING: two replies expected, one error comes, then the server hangs up
  Session second(opts);
  auto up = second.WaitConnected();
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, kRedisUnavailable);
  // The refusal is reported when it arrives before the hang-up; when the server's close (an RST,
  // which discards unread data) wins the race, only the hang-up can be: both are seen here.
  const std::string& m = up.error().message;
  EXPECT_TRUE(m.find("max number of clients") != std::string::npos ||
              m.find("closed the connection during the handshake") != std::string::npos)
      << m;
}

// --- TLS -----------------------------------------------------------------------------------------------

class RedisClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IAM_REQUIRE_REDIS_SERVER_BINARY(true);
    server_ = std::make_unique<test::RedisServer>(test::RedisServerOptions{.tls = true});
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  RedisOptions TlsOptions() {
    auto o = Options(*server_);
    o.tls = true;
    o.tls_ca_file = server_->ca_file();
    return o;
  }
  // A CA the server's certificate does not come from.
  std::string OtherCa() {
    auto dir = server_->dir() + "/other";
    auto r = test::RunShell("mkdir -p " + test::ShellQuote(dir) + " && cd " + test::ShellQuote(dir) +
                            " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                            " -keyout ca.key -out ca.crt -days 2 -subj '/CN=Other CA'");
    EXPECT_EQ(r.status, 0) << r.output;
    return dir + "/ca.crt";
  }
  std::unique_ptr<test::RedisServer> server_;
};

TEST_F(RedisClientTlsTest, RedissWithTheCaWorks) {
  for (const char* host : {"127.0.0.1", "localhost"}) {  // IP SAN, then DNS SAN with SNI
    SCOPED_TRACE(host);
    auto opts = TlsOptions();
    opts.host = host;
    Session s(opts);
    auto up = s.WaitConnected();
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_EQ(*s.Exec({"SET", "tls-key", std::string("v\0\r\n", 4)}), RedisReply::Status("OK"));
    EXPECT_EQ(*s.Exec({"GET", "tls-key"}), RedisReply::String(std::string("v\0\r\n", 4)));
  }
  // The URL form.
  auto url = ParseRedisUrl(server_->url());
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
}

TEST_F(RedisClientTlsTest, UnknownCaFailsWithTlsErrorUnlessVerificationIsOff) {
  auto opts = TlsOptions();
  opts.tls_ca_file = OtherCa();
  {
    Session s(opts);
    auto up = s.WaitConnected();
    ASSERT_FALSE(up);
    EXPECT_EQ(up.error().code, kRedisTls) << up.error().message;
    EXPECT_NE(up.error().message.find("certificate verify failed"), std::string::npos) << up.error().message;
  }
  opts.tls_verify_peer = false;
  Session s(opts);
  auto up = s.WaitConnected();
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(*s.Exec({"PING"}), RedisReply::Status("PONG"));
}

TEST_F(RedisClientTlsTest, MissingCaFileFailsWithTlsError) {
  auto opts = TlsOptions();
  opts.tls_ca_file = server_->dir() + "/no-such-ca.crt";
  Session s(opts);
  auto up = s.WaitConnected();
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, kRedisTls) << up.error().message;
}

TEST_F(RedisClientTlsTest, PlainClientOnTheTlsPortFailsAndHintsAtRediss) {
  auto opts = Options(*server_);
  opts.connect_timeout = 1000ms;
  Session s(opts);
  auto up = s.WaitConnected();
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(up.error().message.find("rediss://"), std::string::npos) << up.error().message;
}

TEST(RedisClientTlsPlainServerTest, TlsClientOnAPlainPortFailsWithTlsError) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(false);
  test::RedisServer server;
  ASSERT_TRUE(server.Start()) << server.error();
  auto opts = Options(server);
  opts.tls = true;
  opts.connect_timeout = 1000ms;
  Session s(opts);
  auto up = s.WaitConnected();
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, kRedisTls) << up.error().message;
}

}  // namespace
}  // namespace iam::cache
