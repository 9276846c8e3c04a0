// The alert monitor wired as `iam serve` wires it, against the whole API served in-process (the
// api harness) and a local webhook receiver: thresholds forced so that an ordinary workload
// crosses them, then what GET /auth/admin/alerts, /metrics, the log and the receiver show.
#include "app/alert_monitor.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "api/harness/api_harness.hpp"
#include "app/webhook_receiver.hpp"
#include "support/test_env.hpp"

namespace iam::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using test::Eventually;
using test::WebhookReceiver;

constexpr const char* kWebhookToken = "tok-Zq81hook";

// Everything logged through spdlog's default logger while alive (thread-safe to read).
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()), sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000)) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string Text() const {
    std::string out;
    for (const auto& line : sink_->last_formatted()) out += line;
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

// Thresholds no rule but the one under test can cross, with a tiny minimum sample.
domain::AlertThresholds Quiet() {
  return {.hit_rate_min = 0, .p95_ms_max = 1e9, .redis_error_rate_max = 1, .redis_memory_mb_max = 1e9,
          .window_ms = 60'000, .min_samples = 1};
}

class AlertMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override { thread_ = std::thread([this] { io_.run(); }); }
  void TearDown() override {
    if (monitor_) monitor_->Stop();
    if (webhook_) webhook_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
    monitor_.reset();
    webhook_.reset();
    h_.reset();
  }
  void Serve(domain::AlertThresholds thresholds, const std::string& webhook_url = {}, WebhookOptions webhook = {},
             const test::HarnessCache& cache = {}) {
    h_ = std::make_unique<test::ApiHarness>("sqlite", "", nullptr, cache);
    t_ = h_->CreateTenant("Acme");
    if (!webhook_url.empty()) {
      webhook.url = webhook_url;
      auto w = AlertWebhook::Create(io_.get_executor(), webhook);
      ASSERT_TRUE(w.has_value()) << w.error().message;
      webhook_ = std::move(*w);
    }
    monitor_ = std::make_unique<AlertMonitor>(io_.get_executor(),
                                              AlertMonitorOptions{.thresholds = thresholds, .interval = 100ms},
                                              h_->cache(), h_->durations(), webhook_.get());
    h_->api().alerts = monitor_.get();
    monitor_->Start();
  }
  // Fresh tenant KPI reads: each is a miss (computed), so the hit rate of the window is 0.
  void Misses(int n) {
    for (int i = 0; i < n; ++i) {
      auto other = h_->CreateTenant("Miss " + std::to_string(i));
      ASSERT_EQ(h_->Get("/dashboard-cqrs/kpis", other.admin.token).status, 200);
    }
  }
  const domain::AlertState& Rule(domain::AlertRule r) const { return report_.rules[static_cast<std::size_t>(r)].state; }
  bool Firing(domain::AlertRule r) {
    report_ = monitor_->Report();
    return Rule(r).firing;
  }
  json::object Alerts(const std::string& token) {
    auto res = h_->Get("/auth/admin/alerts", token);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.is_object() ? res.json.as_object() : json::object{};
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<test::ApiHarness> h_;
  test::TenantFixture t_;
  std::unique_ptr<AlertWebhook> webhook_;
  std::unique_ptr<AlertMonitor> monitor_;
  api::AlertReport report_;
};

TEST_F(AlertMonitorTest, AMissHeavyWorkloadFiresTheHitRateAlertEverywhere) {
  LogCapture log;
  WebhookReceiver receiver;
  auto thresholds = Quiet();
  thresholds.hit_rate_min = 1.0;  // any miss crosses it
  Serve(thresholds, receiver.Url(std::string("/hooks/T1?token=") + kWebhookToken));
  Misses(3);
  ASSERT_TRUE(Eventually([&] { return Firing(domain::AlertRule::kHitRate); }));

  // The receiver gets the JSON.
  ASSERT_TRUE(receiver.WaitForRequests(1));
  auto got = receiver.Requests()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.content_type, "application/json");
  json::object body = json::parse(got.body).as_object();
  EXPECT_EQ(body.at("rule").as_string(), "cache_hit_rate");
  EXPECT_EQ(body.at("status").as_string(), "firing");
  EXPECT_DOUBLE_EQ(body.at("threshold").to_number<double>(), 1.0);
  EXPECT_LT(body.at("value").to_number<double>(), 1.0);
  EXPECT_GE(body.at("samples").as_int64(), 1);

  // The route lists it as active, with its numbers, and in the history.
  json::object a = Alerts(t_.admin.token);
  EXPECT_EQ(a.at("watching").as_bool(), true);
  json::array active = a.at("active").as_array();
  ASSERT_EQ(active.size(), 1u) << json::serialize(a);
  json::object alert = active[0].as_object();
  EXPECT_EQ(alert.at("rule").as_string(), "cache_hit_rate");
  EXPECT_EQ(alert.at("state").as_string(), "firing");
  EXPECT_EQ(alert.at("severity").as_string(), "warning");
  EXPECT_DOUBLE_EQ(alert.at("threshold").to_number<double>(), 1.0);
  EXPECT_LT(alert.at("value").to_number<double>(), 1.0);
  EXPECT_GE(alert.at("samples").as_int64(), 1);
  EXPECT_TRUE(alert.at("since").is_string());
  EXPECT_GT(alert.at("windowS").to_number<double>(), 0);
  EXPECT_NE(std::string(alert.at("message").as_string()).find("cache hit rate"), std::string::npos);
  EXPECT_EQ(a.at("rules").as_array().size(), domain::kAlertRuleCount);
  json::array history = a.at("history").as_array();
  ASSERT_GE(history.size(), 1u);
  EXPECT_EQ(history[0].at("event").as_string(), "fired");
  EXPECT_EQ(history[0].at("rule").as_string(), "cache_hit_rate");
  EXPECT_DOUBLE_EQ(a.at("thresholds").at("hitRateMin").to_number<double>(), 1.0);

  // /metrics says so, and counts the delivery.
  ASSERT_TRUE(Eventually([&] { return webhook_->Counters().sent == 1; }));
  EXPECT_EQ(Alerts(t_.admin.token).at("webhook").at("sent").as_int64(), 1);
  auto metrics = h_->Get("/metrics").body;
  EXPECT_NE(metrics.find("iam_alert_active{rule=\"cache_hit_rate\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("iam_alert_active{rule=\"response_time_p95\"} 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("iam_alert_webhook_deliveries_total{result=\"sent\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("iam_http_request_duration_seconds_count "), std::string::npos);

  // A warning in the log, and never the webhook's token.
  const std::string text = log.Text();
  EXPECT_NE(text.find("[warning] alert firing: cache hit rate"), std::string::npos) << text;
  EXPECT_EQ(text.find(kWebhookToken), std::string::npos) << text;
}

TEST_F(AlertMonitorTest, OnlyAdminsReadTheAlerts) {
  Serve(Quiet());
  EXPECT_EQ(h_->Get("/auth/admin/alerts").status, 401);
  EXPECT_EQ(h_->Get("/auth/admin/alerts", t_.empleado.token).status, 403);
  EXPECT_EQ(h_->Get("/auth/admin/alerts", t_.proveedor.token).status, 403);
  EXPECT_EQ(h_->Get("/auth/admin/alerts", t_.admin.token).status, 200);
  auto super = h_->CreateUser(std::nullopt, "SUPERADMIN", "root@alerts.test");
  auto res = h_->Get("/auth/admin/alerts", super.token);
  EXPECT_EQ(res.status, 200) << res.body;  // process-wide: no tenant needed
  ASSERT_TRUE(res.json.is_object());
  EXPECT_TRUE(res.json.at("active").as_array().empty());
}

TEST_F(AlertMonitorTest, ResponseTimeP95OfEveryRequest) {
  auto thresholds = Quiet();
  thresholds.p95_ms_max = 0;  // any request that took time crosses it
  Serve(thresholds);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(h_->Get("/health").status, 200);
  // It may fire on a reading taken between two of the requests: wait for one that saw them all.
  ASSERT_TRUE(Eventually([&] {
    return Firing(domain::AlertRule::kResponseP95) && Rule(domain::AlertRule::kResponseP95).samples >= 5;
  }));
  EXPECT_GT(Rule(domain::AlertRule::kResponseP95).value, 0);
  EXPECT_FALSE(Rule(domain::AlertRule::kHitRate).firing);
}

// Start's baseline is taken before it returns: requests served before the loop's first tick
// (its executor busy, or not yet running) are inside the window, not in the baseline.
TEST_F(AlertMonitorTest, RequestsServedBeforeTheFirstTickAreCounted) {
  Serve(Quiet());
  asio::io_context idle;  // not run until the requests are done
  AlertMonitor monitor(idle.get_executor(), AlertMonitorOptions{.thresholds = Quiet(), .interval = 100ms},
                       h_->cache(), h_->durations(), nullptr);
  monitor.Start();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(h_->Get("/health").status, 200);
  idle.run_for(50ms);  // the first tick, not yet the second
  const auto report = monitor.Report();
  EXPECT_EQ(report.rules[static_cast<std::size_t>(domain::AlertRule::kResponseP95)].state.samples, 3u);
  monitor.Stop();
  idle.run_for(50ms);
}

TEST_F(AlertMonitorTest, AReceiverThatNeverAnswersHoldsNoRequest) {
  LogCapture log;
  WebhookReceiver receiver({}, 0);  // accepts, reads, never answers
  auto thresholds = Quiet();
  thresholds.hit_rate_min = 1.0;
  Serve(thresholds, receiver.Url(std::string("/hook?token=") + kWebhookToken),
        {.timeout = 300ms, .attempts = 3, .backoff = 50ms});
  Misses(2);
  ASSERT_TRUE(receiver.WaitForRequests(1));
  // A delivery is stuck in flight: the service still answers.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(h_->Get("/dashboard-cqrs/kpis", t_.admin.token).status, 200);
    EXPECT_EQ(h_->Get("/auth/admin/alerts", t_.admin.token).status, 200);
  }
  ASSERT_TRUE(Eventually([&] { return webhook_->Counters().failed == 1; }));
  const auto c = webhook_->Counters();
  EXPECT_EQ(c.sent, 0u);
  EXPECT_EQ(c.retries, 2u);
  EXPECT_EQ(receiver.Requests().size(), 3u);
  EXPECT_NE(h_->Get("/metrics").body.find("iam_alert_webhook_deliveries_total{result=\"failed\"} 1\n"),
            std::string::npos);
  const std::string text = log.Text();
  EXPECT_NE(text.find("not delivered after 3 attempt(s)"), std::string::npos) << text;
  EXPECT_EQ(text.find(kWebhookToken), std::string::npos) << text;
}

TEST_F(AlertMonitorTest, RedisMemoryAboveTheThreshold) {
  IAM_REQUIRE_REDIS(redis_url);
  auto thresholds = Quiet();
  thresholds.redis_memory_mb_max = 0;  // any used memory crosses it
  Serve(thresholds, {}, {}, {.redis_url = redis_url, .prefix = "iam-alerts-test"});
  ASSERT_TRUE(Eventually([&] { return Firing(domain::AlertRule::kRedisMemory); }));
  EXPECT_GT(Rule(domain::AlertRule::kRedisMemory).value, 0);
  auto a = Alerts(t_.admin.token);
  ASSERT_EQ(a.at("active").as_array().size(), 1u) << json::serialize(a);
  EXPECT_EQ(a.at("active").as_array()[0].at("rule").as_string(), "redis_memory");
  // The error-rate rule reads Redis too: every call answered, so it stays quiet.
  EXPECT_FALSE(Rule(domain::AlertRule::kRedisErrorRate).firing);
}

}  // namespace
}  // namespace iam::app
