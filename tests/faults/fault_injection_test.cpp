// Fault injection against the real binary: a private PostgreSQL and Redis, one `iam serve`, and the
// bounded client of movement_load.hpp (4 workers over loopback) writing movements and reading KPIs
// while, in turn, Redis is killed and restarted empty, Redis is frozen (SIGSTOP) well past its
// timeout, PostgreSQL is stopped (and, separately, crashed) and restarted, and the service itself
// is SIGKILLed mid-write and restarted. After each fault (ledger_check.hpp): no acknowledged
// movement lost, none applied twice, stock = initial + accepted entradas − salidas and ≥ 0, and the
// first KPI answer after recovery is exactly the database (also after the service itself was
// killed: its restart invalidates every tenant, cache/instance_registry.hpp).
// Every KPI answer under load is checked too (movement_load.hpp). Counts go to stdout.
// Short by default; IAM_FAULTS_LONG=1 for minutes per fault (run_length.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "faults/api_setup.hpp"
#include "faults/ledger_check.hpp"
#include "faults/loopback_client.hpp"
#include "faults/movement_load.hpp"
#include "faults/run_length.hpp"
#include "faults/service_stack.hpp"
#include "support/test_env.hpp"

namespace iam::test {
namespace {

using namespace std::chrono_literals;

constexpr int kProducts = 3;
constexpr std::int64_t kBase = 10000;  // stocks stay far below it (SALIDAs slightly outnumber ENTRADAs)
constexpr std::int64_t kInitialStock = 100;
constexpr std::int64_t kStockMinimo = 10;

struct FaultSteps {
  std::string name;
  std::function<bool()> inject;
  std::function<bool()> heal;
};

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IAM_REQUIRE_POSTGRES_SERVER_BINARY();
    IAM_REQUIRE_REDIS_SERVER_BINARY(false);
    ASSERT_TRUE(stack_.Start(1)) << stack_.error() << "\n" << stack_.Diagnostics();
    client_ = std::make_unique<LoopbackClient>(service().port(), 10s);
    auto tenant = RegisterTenant(*client_, "Fallas", "admin@fallas.test");
    ASSERT_TRUE(tenant) << tenant.error();
    tenant_ = *tenant;
    auto products = CreateWitnessProducts(*client_, tenant_.token, kProducts, kBase, kInitialStock, kStockMinimo);
    ASSERT_TRUE(products) << products.error();
    products_ = *products;
    LoadTarget target{.port = service().port(),
                      .token = tenant_.token,
                      .products = products_,
                      .layout = {.products = kProducts, .base = kBase, .stock_minimo = kStockMinimo},
                      .initial_movements = kProducts};
    layout_ = target.layout;
    load_ = std::make_unique<MovementLoad>(target, LoadOptions{});
  }

  IamService& service() { return stack_.service(0); }

  // Waits until the service says its database answers (GET /health/ready 200).
  bool WaitReady() {
    for (int i = 0; i < 600; ++i) {
      if (client_->Get("/health/ready").status == 200) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // The first KPI answer (200) after recovery, with the database state around it; retried when a
  // straggling write (one the client gave up on) committed in between.
  bool FirstKpiAfterRecovery(KpiReading& kpi, DbState& db, std::vector<std::string>& violations) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto before = ReadDbState(stack_.db(), tenant_.empresa_id, products_);
      HttpReply r;
      for (int i = 0; i < 300 && r.status != 200; ++i) {
        r = client_->Get("/dashboard-cqrs/kpis", tenant_.token);
        if (r.status != 200) std::this_thread::sleep_for(100ms);
      }
      auto after = ReadDbState(stack_.db(), tenant_.empresa_id, products_);
      if (!before || !after || r.status != 200) {
        violations.push_back("no KPI answer or database state after recovery: " + std::to_string(r.status) + " " +
                             r.error + (before ? "" : before.error()));
        return false;
      }
      if (!(*before == *after)) continue;
      auto k = ReadKpis(r.Json(), layout_);
      if (!k) {
        violations.push_back("inconsistent KPI answer after recovery: " + k.error());
        return false;
      }
      kpi = *k;
      db = *after;
      return true;
    }
    violations.push_back("the database never stayed still around a KPI read");
    return false;
  }

  // Checks everything after one cycle of a fault; returns the violations and prints the figures.
  std::vector<std::string> CheckRecovery(const FaultSteps& fault, int cycle, const PhaseTallies& tallies) {
    std::vector<std::string> violations;
    for (const auto& t : tallies) violations.insert(violations.end(), t.violations.begin(), t.violations.end());
    std::string first_note = "matches the database";
    KpiReading kpi;
    DbState db;
    // Exact even after `iam serve` itself was killed: a write it committed whose invalidation died
    // with it is covered by the restart's invalidation of every tenant (cache/instance_registry).
    if (FirstKpiAfterRecovery(kpi, db, violations) && !(kpi == db.Expected()))
      violations.push_back("first KPI after recovery " + kpi.Describe() + ", database " + db.Expected().Describe());
    int unknown = 0;
    for (const auto& w : load_->writes()) unknown += w.cycle == cycle && w.outcome == WriteOutcome::kUnknown;
    Resolution res = ResolveUnknownWrites(*client_, tenant_.token, load_->writes(), db);
    load_->AddAcknowledged(res.replayed + res.applied_now);
    violations.insert(violations.end(), res.violations.begin(), res.violations.end());

    auto final_db = ReadDbState(stack_.db(), tenant_.empresa_id, products_);
    if (!final_db) {
      violations.push_back(final_db.error());
    } else {
      auto ledger = CheckLedger(*final_db, load_->writes(), products_, kInitialStock);
      violations.insert(violations.end(), ledger.begin(), ledger.end());
      auto again = ReadKpis(client_->Get("/dashboard-cqrs/kpis", tenant_.token).Json(), layout_);
      if (!again || !(*again == final_db->Expected()))
        violations.push_back("KPI after resolving unknown writes " + (again ? again->Describe() : again.error()) +
                             ", database " + final_db->Expected().Describe());
    }
    std::printf("[faults] %s, cycle %d:\n", fault.name.c_str(), cycle);
    for (std::size_t p = 0; p < tallies.size(); ++p)
      std::printf("[faults]   %-17s %s\n", kPhaseNames[p], tallies[p].Describe().c_str());
    std::printf("[faults]   unknown outcomes %d -> repeated with their Idempotency-Key: %s\n", unknown,
                res.Describe().c_str());
    std::printf("[faults]   first KPI after recovery %s, database then %s (%s)\n", kpi.Describe().c_str(),
                db.Expected().Describe().c_str(), first_note.c_str());
    std::printf("[faults]   database after resolving: %s; violations %zu\n",
                final_db ? final_db->Expected().Describe().c_str() : "?", violations.size());
    for (std::size_t i = 0; i < violations.size() && i < 10; ++i)
      std::printf("[faults]   VIOLATION %s\n", violations[i].c_str());
    std::fflush(stdout);
    return violations;
  }

  void RunFault(const FaultSteps& fault) {
    const RunLength length = FaultRunLength();
    std::size_t violations = 0;
    for (int cycle = 1; cycle <= length.cycles; ++cycle) {
      load_->Start(cycle);
      std::this_thread::sleep_for(length.before);
      load_->SetPhase(Phase::kDuring);
      ASSERT_TRUE(fault.inject()) << fault.name << ": injecting failed\n" << stack_.Diagnostics();
      std::this_thread::sleep_for(length.during);
      ASSERT_TRUE(fault.heal()) << fault.name << ": healing failed\n" << stack_.Diagnostics();
      ASSERT_TRUE(WaitReady()) << "the service did not become ready again\n" << stack_.Diagnostics();
      load_->SetPhase(Phase::kAfter);
      std::this_thread::sleep_for(length.after);
      auto tallies = load_->Stop();
      EXPECT_GT(tallies[static_cast<int>(Phase::kDuring)].Requests(), 0) << "no request was made under the fault";
      // A healthy database: the fail-safe never answers (its STALE answers are only for failures).
      EXPECT_EQ(tallies[static_cast<int>(Phase::kBefore)].declared_stale, 0) << "STALE below the bound before the fault";
      auto v = CheckRecovery(fault, cycle, tallies);
      violations += v.size();
      EXPECT_TRUE(v.empty()) << fault.name << " cycle " << cycle << ": " << v.size() << " violation(s), first: " << v[0];
    }
    EXPECT_EQ(violations, 0u);
  }

  ServiceStack stack_;
  std::unique_ptr<LoopbackClient> client_;
  TenantAccess tenant_;
  std::vector<std::int64_t> products_;
  WitnessLayout layout_;
  std::unique_ptr<MovementLoad> load_;
};

TEST_F(FaultInjectionTest, RedisKilledAndRestartedEmpty) {
  RunFault({.name = "redis killed, restarted empty",
            .inject = [&] { return stack_.redis().Stop(); },
            .heal = [&] { return stack_.redis().Restart(); }});
}

TEST_F(FaultInjectionTest, RedisFrozenPastItsTimeout) {
  RunFault({.name = "redis frozen (SIGSTOP) past REDIS_TIMEOUT_MS",
            .inject = [&] { return stack_.redis().Pause(); },
            .heal = [&] { return stack_.redis().Resume(); }});
}

TEST_F(FaultInjectionTest, PostgresStoppedAndRestarted) {
  RunFault({.name = "postgres stopped (fast shutdown), restarted",
            .inject = [&] { return stack_.postgres().Stop(); },
            .heal = [&] { return stack_.postgres().Restart(); }});
}

TEST_F(FaultInjectionTest, PostgresCrashedAndRestarted) {
  RunFault({.name = "postgres crashed (immediate shutdown), restarted",
            .inject = [&] { return stack_.postgres().Crash(); },
            .heal = [&] { return stack_.postgres().Restart(); }});
}

TEST_F(FaultInjectionTest, ServiceKilledMidWriteAndRestarted) {
  RunFault({.name = "iam serve SIGKILLed mid-write, restarted",
            .inject = [&] {
              service().Kill();
              return true;
            },
            .heal = [&] { return service().Start(); }});
}

}  // namespace
}  // namespace iam::test
