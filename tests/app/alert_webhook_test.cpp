#include "app/alert_webhook.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/alert_monitor.hpp"
#include "app/webhook_receiver.hpp"
#include "support/redis_server.hpp"

namespace iam::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using test::Eventually;
using test::WebhookReceiver;
using namespace std::chrono_literals;

// The webhook's own I/O thread, as `iam serve`'s io_context would be.
class AlertWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (webhook_) webhook_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
    webhook_.reset();
  }
  AlertWebhook& Make(WebhookOptions o) {
    auto w = AlertWebhook::Create(io_.get_executor(), std::move(o));
    if (!w) throw std::runtime_error(w.error().message);
    webhook_ = std::move(*w);
    return *webhook_;
  }
  static std::string Fired() {
    domain::AlertEvent e{.rule = domain::AlertRule::kHitRate, .transition = domain::AlertTransition::kFired,
                         .value = 0.25, .threshold = 0.8, .samples = 120, .window_ms = 300'000,
                         .at_wall_ms = 1'764'322'800'000};
    return AlertWebhookJson(e, AlertMessage(e));
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<AlertWebhook> webhook_;
};

TEST_F(AlertWebhookTest, PostsTheAlertAsJson) {
  WebhookReceiver receiver;
  AlertWebhook& w = Make({.url = receiver.Url("/hooks/T1?token=abc")});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().sent == 1; })) << "sent " << w.Counters().sent;
  auto got = receiver.Requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/hooks/T1?token=abc");
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_TRUE(got[0].authorization.empty());
  json::object body = json::parse(got[0].body).as_object();
  EXPECT_EQ(body.at("source").as_string(), "iam");
  EXPECT_EQ(body.at("status").as_string(), "firing");
  EXPECT_EQ(body.at("rule").as_string(), "cache_hit_rate");
  EXPECT_DOUBLE_EQ(body.at("value").to_number<double>(), 0.25);
  EXPECT_DOUBLE_EQ(body.at("threshold").to_number<double>(), 0.8);
  EXPECT_EQ(body.at("samples").as_int64(), 120);
  EXPECT_DOUBLE_EQ(body.at("windowS").to_number<double>(), 300);
  EXPECT_EQ(body.at("at").as_string(), "2025-11-28T09:40:00.000Z");
  EXPECT_EQ(body.at("message").as_string(), "cache hit rate 25.0 % below 80.0 % over the last 300 s (120 lookups)");
  const auto c = w.Counters();
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.retries, 0u);
  EXPECT_EQ(c.queued, 0u);
}

TEST_F(AlertWebhookTest, CredentialsInTheUrlAreSentAsBasicAuth) {
  WebhookReceiver receiver;
  AlertWebhook& w = Make({.url = "http://user:pw@127.0.0.1:" + std::to_string(receiver.port()) + "/h"});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  EXPECT_EQ(receiver.Requests()[0].authorization, "Basic dXNlcjpwdw==");  // base64("user:pw")
  EXPECT_EQ(receiver.Requests()[0].target, "/h");
}

TEST_F(AlertWebhookTest, AReceiverThatFailsTheFirstAttemptsGetsItOnARetry) {
  WebhookReceiver receiver({500, 503}, 200);
  AlertWebhook& w = Make({.url = receiver.Url(), .attempts = 3, .backoff = 20ms});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().sent == 1; }));
  const auto c = w.Counters();
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.retries, 2u);
  auto got = receiver.Requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].body, got[0].body);
  EXPECT_EQ(got[2].body, got[0].body);
}

TEST_F(AlertWebhookTest, AReceiverThatNeverAnswersCountsAsFailedAfterEveryAttempt) {
  WebhookReceiver receiver({}, 0);
  AlertWebhook& w = Make({.url = receiver.Url(), .timeout = 200ms, .attempts = 3, .backoff = 20ms});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().failed == 1; }));
  const auto c = w.Counters();
  EXPECT_EQ(c.sent, 0u);
  EXPECT_EQ(c.retries, 2u);
  EXPECT_EQ(c.queued, 0u);
  EXPECT_EQ(receiver.Requests().size(), 3u);
}

TEST_F(AlertWebhookTest, ANoOneListeningPortCountsAsFailed) {
  unsigned short port = 0;
  {
    WebhookReceiver gone;  // a port that was free a moment ago and is closed now
    port = gone.port();
  }
  AlertWebhook& w = Make({.url = "http://127.0.0.1:" + std::to_string(port) + "/x", .attempts = 2, .backoff = 10ms});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().failed == 1; }));
  EXPECT_EQ(w.Counters().retries, 1u);
}

TEST_F(AlertWebhookTest, TheQueueIsBoundedAndAFullQueueDrops) {
  WebhookReceiver receiver({}, 0);  // holds the first delivery in flight
  AlertWebhook& w = Make({.url = receiver.Url(), .timeout = 10s, .attempts = 1, .queue_limit = 2});
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += w.Enqueue(Fired()) ? 1 : 0;
  EXPECT_EQ(accepted, 2);
  const auto c = w.Counters();
  EXPECT_EQ(c.dropped, 3u);
  EXPECT_EQ(c.queued, 2u);
}

TEST_F(AlertWebhookTest, StoppedWebhookAcceptsNothing) {
  WebhookReceiver receiver;
  AlertWebhook& w = Make({.url = receiver.Url()});
  w.Stop();
  EXPECT_FALSE(w.Enqueue(Fired()));
  EXPECT_EQ(w.Counters().dropped, 1u);
}

// A throwaway CA and two server certificates it signed: one for 127.0.0.1, one for another name.
class TestCertificates {
 public:
  TestCertificates() {
    char tmpl[] = "/tmp/iam-webhook-tls-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    auto server = [&](const std::string& name, const std::string& san) {
      return "openssl req " + ec + " -keyout " + name + ".key -out " + name + ".csr -subj '/CN=" + name + "'; " +
             "printf 'subjectAltName=" + san + "\\n' > " + name + ".ext; " + "openssl x509 -req -in " + name +
             ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + name + ".crt -days 2 -extfile " + name + ".ext; ";
    };
    std::string script = "set -e; cd " + test::ShellQuote(dir_) + "; openssl req -x509 " + ec +
                         " -keyout ca.key -out ca.crt -days 2 -subj '/CN=IAM webhook test CA'; " +
                         server("loopback", "IP:127.0.0.1") + server("other", "DNS:other.example");
    auto r = test::RunShell("sh -c " + test::ShellQuote(script) + " 2>&1");
    ok_ = r.status == 0;
    error_ = r.output;
  }
  ~TestCertificates() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_, error_;
  bool ok_ = false;
};

TEST_F(AlertWebhookTest, HttpsWithAVerifiedCertificate) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok()) << certs.error();
  WebhookReceiver receiver(certs.File("loopback.crt"), certs.File("loopback.key"));
  AlertWebhook& w = Make({.url = receiver.Url("/tls-hook"), .timeout = 2s, .ca_file = certs.File("ca.crt")});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().sent == 1; })) << "failed " << w.Counters().failed;
  ASSERT_EQ(receiver.Requests().size(), 1u);
  EXPECT_EQ(receiver.Requests()[0].target, "/tls-hook");
  EXPECT_EQ(json::parse(receiver.Requests()[0].body).at("rule").as_string(), "cache_hit_rate");
}

TEST_F(AlertWebhookTest, HttpsRefusesAnUntrustedCertificate) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok()) << certs.error();
  WebhookReceiver receiver(certs.File("loopback.crt"), certs.File("loopback.key"));
  // The system's CAs do not know the test CA.
  AlertWebhook& w = Make({.url = receiver.Url(), .timeout = 2s, .attempts = 1});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().failed == 1; }));
  EXPECT_TRUE(receiver.Requests().empty());
}

TEST_F(AlertWebhookTest, HttpsRefusesACertificateForAnotherName) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok()) << certs.error();
  WebhookReceiver receiver(certs.File("other.crt"), certs.File("other.key"));
  AlertWebhook& w = Make({.url = receiver.Url(), .timeout = 2s, .attempts = 1, .ca_file = certs.File("ca.crt")});
  ASSERT_TRUE(w.Enqueue(Fired()));
  ASSERT_TRUE(Eventually([&] { return w.Counters().failed == 1; }));
  EXPECT_TRUE(receiver.Requests().empty());
}

TEST(AlertWebhookCreateTest, RefusesUrlsItCannotPostToWithoutShowingThem) {
  asio::io_context io;
  for (const char* url : {"ftp://h/x", "http://", "nonsense", "mailto:a@b"}) {
    auto w = AlertWebhook::Create(io.get_executor(), {.url = url});
    ASSERT_FALSE(w.has_value()) << url;
    EXPECT_EQ(w.error().kind, ErrorKind::kInvalidArgument);
  }
  auto w = AlertWebhook::Create(io.get_executor(), {.url = "gopher://u:pw-Secret1@h/tok-Secret2"});
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().message.find("Secret"), std::string::npos) << w.error().message;
  EXPECT_TRUE(AlertWebhook::Create(io.get_executor(), {.url = "https://hooks.example.com/x"}).has_value());
  auto no_ca = AlertWebhook::Create(io.get_executor(), {.url = "https://hooks.example.com/x", .ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(no_ca.has_value());
  EXPECT_NE(no_ca.error().message.find("CA certificates"), std::string::npos) << no_ca.error().message;
}

}  // namespace
}  // namespace iam::app
