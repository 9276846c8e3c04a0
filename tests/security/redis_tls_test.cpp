// TLS to Redis verifies the server by default: a rediss:// URL turns verification on and nothing in
// the configuration turns it off; a certificate for another host name is refused even when it
// comes from a trusted CA; and the real `iam serve` with rediss:// trusts only the system store
// (or SSL_CERT_FILE), so a private CA's server is not used until that CA is trusted.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <thread>

#include "app/config.hpp"
#include "cache/redis_client.hpp"
#include "cache/redis_error.hpp"
#include "security/served_binary.hpp"
#include "support/redis_server.hpp"
#include "support/temp_database.hpp"

namespace iam::security {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Connects one client and reports how the connection attempt ended.
Result<void> TryConnect(cache::RedisOptions opts) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread t([&] { io.run(); });
  Result<void> out;
  {
    cache::RedisClient client(io.get_executor(), std::move(opts));
    client.Start();
    out = asio::co_spawn(io, client.WaitConnected(5s), asio::use_future).get();
  }
  guard.reset();
  t.join();
  return out;
}

cache::RedisOptions Options(const test::RedisServer& server, const std::string& host) {
  auto o = cache::ParseRedisUrl("rediss://" + host + ":" + std::to_string(server.port()));
  EXPECT_TRUE(o);
  o->tls_ca_file = server.ca_file();
  o->connect_timeout = 2000ms;
  o->connections = 1;
  return *o;
}

TEST(RedisTlsTest, VerificationIsOnByDefaultAndCannotBeConfiguredOff) {
  auto o = cache::ParseRedisUrl("rediss://:pw@redis.example.com:6380/0");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->tls);
  EXPECT_TRUE(o->tls_verify_peer);
  EXPECT_TRUE(cache::RedisOptions{}.tls_verify_peer);
  for (const auto& name : app::KnownVariables()) {
    for (const char* word : {"VERIFY", "INSECURE", "SKIP", "REJECT_UNAUTHORIZED", "NO_CHECK"})
      EXPECT_EQ(name.find(word), std::string::npos) << name << " looks like a switch that weakens TLS";
  }
}

TEST(RedisTlsTest, ACertificateForAnotherHostIsRefusedEvenFromATrustedCa) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(true);
  // The certificate names localhost and 127.0.0.1; the server also listens on 127.0.0.2.
  test::RedisServer server({.args = {"--bind", "127.0.0.1", "127.0.0.2"}, .tls = true});
  ASSERT_TRUE(server.Start()) << server.error();
  auto trusted = TryConnect(Options(server, "127.0.0.1"));
  ASSERT_TRUE(trusted) << trusted.error().message;
  auto other_name = TryConnect(Options(server, "127.0.0.2"));
  ASSERT_FALSE(other_name) << "a certificate for 127.0.0.1 was accepted for 127.0.0.2";
  EXPECT_EQ(other_name.error().code, cache::kRedisTls) << other_name.error().message;
}

TEST(RedisTlsTest, ServeTrustsOnlyTheSystemStoreOrSslCertFile) {
  IAM_REQUIRE_REDIS_SERVER_BINARY(true);
  test::RedisServer server({.tls = true});
  ASSERT_TRUE(server.Start()) << server.error();
  auto db = test::TempDatabase::Create("sqlite");
  ServedBinary migrate({"DATABASE_URL=" + db->url()}, {"migrate"});
  ASSERT_EQ(migrate.Wait(), 0) << migrate.Output();
  for (bool trust_ca : {false, true}) {
    SCOPED_TRACE(trust_ca ? "SSL_CERT_FILE = the test CA" : "system store only");
    unsigned short port = FreePort();
    std::vector<std::string> env = {"DATABASE_URL=" + db->url(), "PORT=" + std::to_string(port), "HOST=127.0.0.1",
                                    "REDIS_URL=rediss://127.0.0.1:" + std::to_string(server.port()),
                                    "JWT_SECRET=tls-test-secret-0123456789abcdef0123456789"};
    if (trust_ca) env.push_back("SSL_CERT_FILE=" + server.ca_file());
    ServedBinary serve(env, {"serve"});
    ASSERT_TRUE(serve.WaitServing(port)) << serve.Output();
    RawResponse ready;
    auto redis_up = [&] { return ready.status == 200 && ready.body.find("degraded") == std::string::npos; };
    for (int i = 0; i < 50; ++i) {
      ready = Http(port, "GET", "/health/ready");
      if (trust_ca && redis_up()) break;
      if (!trust_ca && i >= 10) break;  // a second of connection attempts, each refused
      std::this_thread::sleep_for(100ms);
    }
    if (trust_ca) {
      EXPECT_TRUE(redis_up()) << ready.text << serve.Output();
    } else {
      EXPECT_NE(ready.body.find("\"redis\":\"down\""), std::string::npos) << ready.text;
      EXPECT_NE(serve.Output().find("certificate verify failed"), std::string::npos) << serve.Output();
    }
    EXPECT_EQ(serve.Stop(), 0);
  }
}

}  // namespace
}  // namespace iam::security
