// The read-your-writes consistency checker (ryw_checker.hpp) against the real binary: two `iam
// serve` instances sharing a private PostgreSQL and Redis, 4 writers (two tenants, a writer per
// witness product) and 4 readers of /dashboard-cqrs/kpis. Without faults: not one stale read when
// reads and writes go to the same instance, and with two instances no read staler than the bound
// the cache documents (crossInstanceBoundMs); with Redis killed, Redis frozen and PostgreSQL
// restarted during the run: the same. The second instance runs an io_context per I/O thread
// (IO_CONTEXT_PER_THREAD), the first the shared one, so both models go through every phase.
// Figures (staleness percentiles, counts) go to stdout.
// Short by default; IAM_FAULTS_LONG=1 for minutes per phase (run_length.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "faults/api_setup.hpp"
#include "faults/loopback_client.hpp"
#include "faults/run_length.hpp"
#include "faults/ryw_checker.hpp"
#include "faults/service_stack.hpp"
#include "support/test_env.hpp"

namespace iam::test {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kBase = 10'000'000;  // a witness stock stays below it for hours of writes
constexpr int kTenantsPerRun = 2;

class ReadYourWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IAM_REQUIRE_POSTGRES_SERVER_BINARY();
    IAM_REQUIRE_REDIS_SERVER_BINARY(false);
    ASSERT_TRUE(stack_.Start(2, {}, {{}, {"IO_CONTEXT_PER_THREAD=true", "IO_THREADS=2"}}))
        << stack_.error() << "\n" << stack_.Diagnostics();
    client_ = std::make_unique<LoopbackClient>(stack_.service(0).port(), 10s);
  }

  // Fresh tenants (so every writer starts from stock 0) read and written through `instances`.
  CheckerOptions MakeRun(const std::string& tag, const std::vector<std::size_t>& instances) {
    CheckerOptions o;
    o.layout = {.products = 2, .base = kBase, .stock_minimo = 0};
    for (std::size_t i : instances) o.ports.push_back(stack_.service(i).port());
    for (int t = 0; t < kTenantsPerRun; ++t) {
      const std::string name = "RYW " + tag + " " + std::to_string(t);
      auto tenant = RegisterTenant(*client_, name, "admin-" + tag + "-" + std::to_string(t) + "@ryw.test");
      EXPECT_TRUE(tenant) << tenant.error();
      if (!tenant) return o;
      auto products = CreateWitnessProducts(*client_, tenant->token, 2, kBase, 0, 0);
      EXPECT_TRUE(products) << products.error();
      if (!products) return o;
      o.tenants.push_back(*tenant);
      o.products.push_back(*products);
    }
    return o;
  }

  // The cross-instance bound every instance reports (they must agree); -1 when they do not answer.
  double ReportedBoundMs(const std::string& token) {
    double bound = -1;
    for (std::size_t i = 0; i < stack_.service_count(); ++i) {
      LoopbackClient c(stack_.service(i).port(), 10s);
      auto v = c.Get("/auth/admin/cache-stats", token).Json();
      if (!v.is_object() || !v.as_object().contains("crossInstanceBoundMs")) return -1;
      const double b = v.at("crossInstanceBoundMs").to_number<double>();
      if (bound >= 0 && b != bound) return -1;
      bound = b;
    }
    return bound;
  }

  CheckerReport Run(const std::string& title, ReadYourWritesChecker& checker, const std::string& token,
                    const std::function<void()>& meanwhile) {
    checker.Start();
    meanwhile();
    checker.Stop();
    const double bound = ReportedBoundMs(token);
    EXPECT_GT(bound, 0) << "crossInstanceBoundMs missing, zero or not the same on every instance";
    CheckerReport report = checker.Analyze(bound);
    std::printf("[ryw] %s\n%s", title.c_str(), report.Describe().c_str());
    std::fflush(stdout);
    EXPECT_GT(report.reads_checked, 0);
    EXPECT_GT(report.writes_acked, 0);
    return report;
  }

  ServiceStack stack_;
  std::unique_ptr<LoopbackClient> client_;
};

TEST_F(ReadYourWritesTest, WithoutFaults) {
  const RunLength length = FaultRunLength();
  auto one = MakeRun("single", {0});
  ASSERT_EQ(one.tenants.size(), static_cast<std::size_t>(kTenantsPerRun));
  ReadYourWritesChecker same_instance(one);
  auto r1 = Run("every read and write on one instance", same_instance, one.tenants[0].token,
                [&] { std::this_thread::sleep_for(length.checker_phase); });
  EXPECT_EQ(r1.same_instance_misses, 0);
  EXPECT_EQ(r1.stale_cross_instance, 0);
  EXPECT_EQ(r1.Violations(), 0);
  EXPECT_EQ(r1.declared_stale_misses, 0) << "a healthy database: no stale answer may miss a write";

  auto two = MakeRun("pair", {0, 1});
  ASSERT_EQ(two.tenants.size(), static_cast<std::size_t>(kTenantsPerRun));
  ReadYourWritesChecker across(two);
  auto r2 = Run("reads and writes spread over two instances", across, two.tenants[0].token,
                [&] { std::this_thread::sleep_for(length.checker_phase); });
  EXPECT_EQ(r2.same_instance_misses, 0);
  EXPECT_EQ(r2.beyond_bound, 0);
  EXPECT_EQ(r2.Violations(), 0);
  EXPECT_EQ(r2.declared_stale_misses, 0) << "a healthy database: no stale answer may miss a write";
}

TEST_F(ReadYourWritesTest, WithFaults) {
  const RunLength length = FaultRunLength();
  const auto outage = length.checker_phase / 2;
  const auto settle = length.long_run ? std::chrono::milliseconds(10s) : std::chrono::milliseconds(1s);
  auto run = MakeRun("faults", {0, 1});
  ASSERT_EQ(run.tenants.size(), static_cast<std::size_t>(kTenantsPerRun));
  ReadYourWritesChecker checker(run);
  bool healed = true;
  auto report = Run("two instances; Redis killed, Redis frozen, PostgreSQL restarted", checker, run.tenants[0].token,
                    [&] {
                      auto step = [&](const char* what, bool ok, std::chrono::milliseconds then) {
                        if (!ok) ADD_FAILURE() << what << " failed\n" << stack_.Diagnostics();
                        healed = healed && ok;
                        std::this_thread::sleep_for(then);
                      };
                      std::this_thread::sleep_for(settle);
                      step("killing redis", stack_.redis().Stop(), outage);
                      step("restarting redis", stack_.redis().Restart(), settle);
                      step("freezing redis", stack_.redis().Pause(), outage);
                      step("resuming redis", stack_.redis().Resume(), settle);
                      step("stopping postgres", stack_.postgres().Stop(), outage);
                      step("restarting postgres", stack_.postgres().Restart(), 2 * settle);
                    });
  EXPECT_TRUE(healed);
  EXPECT_EQ(report.same_instance_misses, 0);
  EXPECT_EQ(report.beyond_bound, 0);
  EXPECT_EQ(report.Violations(), 0);
}

}  // namespace
}  // namespace iam::test
