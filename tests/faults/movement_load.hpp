// MovementLoad: the fault suite's bounded client. A fixed number of worker threads, each with one
// keep-alive loopback connection, run a closed loop against one service until stopped: mostly
// POST /movimientos (ENTRADA or SALIDA of 1..5 units on a random witness product, each with a
// unique marker as `motivo` and as `Idempotency-Key`), the rest GET /dashboard-cqrs/kpis.
//
// Every write is recorded with its outcome: acknowledged (201), refused (an answer that says
// nothing changed: 409 STOCK_INSUFICIENTE), not sent (the connection was refused: the service never
// saw it) or unknown (no answer, or 5xx: it may or may not have been applied). Every KPI answer is
// checked as it arrives: it must be a consistent reading (kpi_reading.hpp), count at least the
// movements acknowledged before the read started and at most those sent before it ended.
// Start/Stop/records from one thread (the test's); workers only touch their own state and atomics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "faults/kpi_reading.hpp"

namespace iam::test {

enum class WriteOutcome { kAcked, kRefused, kNotSent, kUnknown };

struct WriteRecord {
  std::string marker;  // motivo and Idempotency-Key
  std::string body;    // the exact request body (a retry must repeat it)
  std::size_t product = 0;
  bool entrada = true;
  int cantidad = 0;
  int cycle = 0;
  WriteOutcome outcome = WriteOutcome::kUnknown;
  std::int64_t Delta() const { return entrada ? cantidad : -cantidad; }
};

struct LoadTarget {
  int port = 0;
  std::string token;
  std::vector<std::int64_t> products;
  WitnessLayout layout;
  std::int64_t initial_movements = 0;  // movements of the tenant before the load (Stock inicial)
};

struct LoadOptions {
  int workers = 4;
  double read_share = 0.25;
  std::chrono::milliseconds timeout{5000};
};

// Tallies of one cycle (or of several, added up).
// Which part of a fault cycle a request started in.
enum class Phase { kBefore = 0, kDuring = 1, kAfter = 2 };
inline constexpr std::array<const char*, 3> kPhaseNames = {"before the fault", "under the fault", "after recovery"};

struct LoadTally {
  std::map<std::string, std::int64_t> writes;  // by answer: "201", "409 STOCK_INSUFICIENTE", "503", "no answer"...
  std::map<std::string, std::int64_t> reads;
  std::int64_t kpi_checked = 0;                // KPI answers checked against the bounds
  // KPI answers marked X-Cache: STALE below the acknowledged bound: the fail-safe's last good value
  // while the database fails (docs/caching.md), counted apart, not violations.
  std::int64_t declared_stale = 0;
  std::vector<std::string> violations;
  std::int64_t Requests() const;
  std::string Describe() const;  // one line: "writes 201=.. 409=.. | reads 200=.. 503=.."
  void Add(const LoadTally& other);
};

using PhaseTallies = std::array<LoadTally, 3>;

class MovementLoad {
 public:
  MovementLoad(LoadTarget target, LoadOptions options);
  ~MovementLoad();  // Stop()

  void Start(int cycle);  // in Phase::kBefore
  void SetPhase(Phase phase) { phase_ = static_cast<int>(phase); }
  // Stops the workers and waits for their last request; returns the tallies of this run by phase.
  PhaseTallies Stop();

  // Every write so far (after Stop); the test updates outcomes when it resolves unknown ones.
  std::vector<WriteRecord>& writes() { return writes_; }
  // A write resolved as applied after the fact raises the lower bound of later reads.
  void AddAcknowledged(std::int64_t n) { acked_ += n; }

 private:
  struct Worker;
  void Run(Worker& w);
  void Write(Worker& w);
  void Read(Worker& w);

  LoadTarget target_;
  LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> phase_{0};
  std::atomic<std::int64_t> acked_{0};  // distinct writes acknowledged so far
  std::atomic<std::int64_t> sent_{0};   // distinct writes sent (or about to be) so far
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::vector<WriteRecord> writes_;
  int cycle_ = 0;
  int next_worker_id_ = 0;
};

}  // namespace iam::test
