#include "faults/movement_load.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <random>

#include "faults/loopback_client.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr double kSalidaShare = 0.52;  // slightly more SALIDAs: stocks keep touching zero
constexpr int kMaxCantidad = 5;
constexpr auto kPauseAfterFailure = 20ms;  // no busy loop while a dependency is down

std::string ErrorCode(const HttpReply& r) {
  auto v = r.Json();
  if (v.is_object())
    if (const auto* c = v.as_object().if_contains("code"); c != nullptr && c->is_string()) return std::string(c->as_string());
  return {};
}

// "201", "409 STOCK_INSUFICIENTE", "503 SERVICE_UNAVAILABLE", "no answer: connect", "no answer".
std::string AnswerKey(const HttpReply& r) {
  if (r.status == 0) return r.error.starts_with("connect") ? "no answer: connect" : "no answer";
  std::string key = std::to_string(r.status);
  if (r.status >= 300) {
    const std::string code = ErrorCode(r);
    if (!code.empty()) key += " " + code;
  }
  return key;
}

}  // namespace

std::int64_t LoadTally::Requests() const {
  std::int64_t n = 0;
  for (const auto& [k, v] : writes) n += v;
  for (const auto& [k, v] : reads) n += v;
  return n;
}

std::string LoadTally::Describe() const {
  auto list = [](const std::map<std::string, std::int64_t>& m) {
    std::string s;
    for (const auto& [k, v] : m) s += (s.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    return s.empty() ? std::string("none") : s;
  };
  return "requests " + std::to_string(Requests()) + " | writes: " + list(writes) + " | KPI reads: " + list(reads) +
         " (" + std::to_string(kpi_checked) + " checked, declared STALE below the bound " +
         std::to_string(declared_stale) + ") | violations " + std::to_string(violations.size());
}

void LoadTally::Add(const LoadTally& other) {
  for (const auto& [k, v] : other.writes) writes[k] += v;
  for (const auto& [k, v] : other.reads) reads[k] += v;
  kpi_checked += other.kpi_checked;
  declared_stale += other.declared_stale;
  violations.insert(violations.end(), other.violations.begin(), other.violations.end());
}

struct MovementLoad::Worker {
  Worker(int id_, int port, std::chrono::milliseconds timeout) : id(id_), client(port, timeout), rng(id_ * 7919u + 17u) {}
  int id;
  LoopbackClient client;
  std::mt19937 rng;
  std::int64_t seq = 0;
  std::vector<WriteRecord> writes;
  PhaseTallies tallies;
};

MovementLoad::MovementLoad(LoadTarget target, LoadOptions options)
    : target_(std::move(target)), options_(options) {}

MovementLoad::~MovementLoad() { Stop(); }

void MovementLoad::Start(int cycle) {
  cycle_ = cycle;
  stop_ = false;
  SetPhase(Phase::kBefore);
  for (int i = 0; i < options_.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(next_worker_id_++, target_.port, options_.timeout));
  for (auto& w : workers_) threads_.emplace_back([this, worker = w.get()] { Run(*worker); });
}

PhaseTallies MovementLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
  PhaseTallies total;
  for (auto& w : workers_) {
    for (auto& rec : w->writes) writes_.push_back(std::move(rec));
    for (std::size_t p = 0; p < total.size(); ++p) total[p].Add(w->tallies[p]);
  }
  workers_.clear();
  return total;
}

void MovementLoad::Run(Worker& w) {
  std::uniform_real_distribution<double> coin(0, 1);
  while (!stop_) {
    if (coin(w.rng) < options_.read_share) {
      Read(w);
    } else {
      Write(w);
    }
  }
}

void MovementLoad::Write(Worker& w) {
  LoadTally& tally = w.tallies[static_cast<std::size_t>(phase_.load())];
  WriteRecord rec;
  rec.cycle = cycle_;
  rec.marker = "c" + std::to_string(cycle_) + "w" + std::to_string(w.id) + "n" + std::to_string(w.seq++);
  rec.product = std::uniform_int_distribution<std::size_t>(0, target_.products.size() - 1)(w.rng);
  rec.entrada = std::uniform_real_distribution<double>(0, 1)(w.rng) >= kSalidaShare;
  rec.cantidad = std::uniform_int_distribution<int>(1, kMaxCantidad)(w.rng);
  rec.body = json::serialize(json::object{{"tipo", rec.entrada ? "ENTRADA" : "SALIDA"},
                                          {"cantidad", rec.cantidad},
                                          {"productoId", target_.products[rec.product]},
                                          {"motivo", rec.marker}});
  ++sent_;
  const HttpReply r = w.client.Request("POST", "/movimientos", rec.body, target_.token, {{"Idempotency-Key", rec.marker}});
  const std::string key = AnswerKey(r);
  ++tally.writes[key];
  if (r.status == 201) {
    ++acked_;
    rec.outcome = WriteOutcome::kAcked;
    auto v = r.Json();
    const auto* producto = v.is_object() ? v.as_object().if_contains("producto") : nullptr;
    const auto* stock = producto != nullptr && producto->is_object() ? producto->as_object().if_contains("stock") : nullptr;
    if (stock == nullptr || !stock->is_int64() || stock->as_int64() < 0)
      tally.violations.push_back("201 for " + rec.marker + " without a non-negative producto.stock: " + r.body);
  } else if (r.status == 409 && ErrorCode(r) == "STOCK_INSUFICIENTE") {
    rec.outcome = WriteOutcome::kRefused;
    if (rec.entrada) tally.violations.push_back("ENTRADA " + rec.marker + " refused for insufficient stock");
  } else if (r.status >= 400 && r.status < 500) {
    rec.outcome = WriteOutcome::kRefused;
    tally.violations.push_back("unexpected answer " + key + " to " + rec.marker + ": " + r.body);
  } else if (r.status == 0 && r.error.starts_with("connect")) {
    rec.outcome = WriteOutcome::kNotSent;
  } else {
    rec.outcome = WriteOutcome::kUnknown;  // 5xx or no (complete) answer
  }
  if (r.status == 0 || r.status >= 500) std::this_thread::sleep_for(kPauseAfterFailure);
  w.writes.push_back(std::move(rec));
}

void MovementLoad::Read(Worker& w) {
  const int started_in = phase_.load();
  const std::int64_t lower = target_.initial_movements + acked_.load();
  const HttpReply r = w.client.Get("/dashboard-cqrs/kpis", target_.token);
  const std::int64_t upper = target_.initial_movements + sent_.load();
  // A read that spans a phase change overlapped the fault: it counts as under the fault (one that
  // started just before PostgreSQL stopped may be answered by the fail-safe, which is no healthy-
  // database answer).
  const int ended_in = phase_.load();
  LoadTally& tally =
      w.tallies[static_cast<std::size_t>(started_in == ended_in ? started_in : static_cast<int>(Phase::kDuring))];
  ++tally.reads[AnswerKey(r)];
  if (r.status != 200) {
    if (r.status == 0 || r.status >= 500) std::this_thread::sleep_for(kPauseAfterFailure);
    return;
  }
  ++tally.kpi_checked;
  auto k = ReadKpis(r.Json(), target_.layout);
  if (!k) {
    tally.violations.push_back("inconsistent KPI answer: " + k.error());
  } else if (k->movimientos < lower && r.Header("x-cache") == "STALE") {
    ++tally.declared_stale;  // fail-safe: see LoadTally
  } else if (k->movimientos < lower) {
    tally.violations.push_back("stale KPI: movimientosUltimoMes " + std::to_string(k->movimientos) + " < " +
                                 std::to_string(lower) + " acknowledged before the read (X-Cache " +
                                 r.Header("x-cache") + " " + r.Header("x-cache-tier") + ")");
  } else if (k->movimientos > upper) {
    tally.violations.push_back("KPI counts " + std::to_string(k->movimientos) + " movements, more than the " +
                                 std::to_string(upper) + " ever sent");
  }
}

}  // namespace iam::test
