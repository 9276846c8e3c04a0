#include "faults/ryw_checker.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <random>

#include "faults/loopback_client.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto kPauseAfterFailure = 20ms;
constexpr auto kResolveAfterStop = 60s;  // a writer stopping still waits this long for a definite answer
constexpr std::size_t kMaxExamples = 10;

std::string StatusKey(const HttpReply& r) {
  if (r.status != 0) return std::to_string(r.status);
  return r.error.starts_with("connect") ? "no answer: connect" : "no answer";
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string List(const std::map<std::string, std::int64_t>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += (s.empty() ? "" : ", ") + k + "=" + std::to_string(v);
  return s.empty() ? std::string("none") : s;
}

}  // namespace

std::string CheckerReport::Describe() const {
  char line[512];
  std::string out;
  out += "[ryw] writes acknowledged " + std::to_string(writes_acked) + " (repeated requests " +
         std::to_string(write_repeats) + "); answers: " + List(write_answers) + "\n";
  out += "[ryw] KPI reads: " + List(read_answers) + "; X-Cache of 200s: " + List(x_cache) + "\n";
  std::snprintf(line, sizeof line,
                "[ryw] checked %lld: fresh %lld, stale from another instance %lld (staleness ms p50 %.1f, p90 %.1f, "
                "p99 %.1f, max %.1f; bound %.0f ms)\n",
                static_cast<long long>(reads_checked), static_cast<long long>(fresh),
                static_cast<long long>(stale_cross_instance), Percentile(staleness_ms, 0.5),
                Percentile(staleness_ms, 0.9), Percentile(staleness_ms, 0.99), Percentile(staleness_ms, 1.0), bound_ms);
  out += line;
  out += "[ryw] violations " + std::to_string(Violations()) + ": missed a write acknowledged by the same instance " +
         std::to_string(same_instance_misses) + ", stale beyond the bound " + std::to_string(beyond_bound) +
         ", inconsistent answers " + std::to_string(inconsistent) + "; declared STALE and missed writes " +
         std::to_string(declared_stale_misses) + "\n";
  for (const auto& e : examples) out += "[ryw] VIOLATION " + e + "\n";
  return out;
}

ReadYourWritesChecker::ReadYourWritesChecker(CheckerOptions options) : options_(std::move(options)) {
  for (std::size_t i = 0; i < options_.tenants.size() * 2; ++i) writers_.push_back(std::make_unique<WriterLog>());
}

ReadYourWritesChecker::~ReadYourWritesChecker() { Stop(); }

void ReadYourWritesChecker::Start() {
  stop_readers_ = false;
  stop_writers_ = false;
  const unsigned run = static_cast<unsigned>(++runs_);
  for (std::size_t t = 0; t < options_.tenants.size(); ++t)
    for (std::size_t p = 0; p < 2; ++p)
      threads_.emplace_back([this, t, p, run] { RunWriter(t, p, static_cast<unsigned>(run * 1000 + t * 2 + p)); });
  const std::size_t first = reads_.size();
  reads_.resize(first + static_cast<std::size_t>(options_.readers));  // before any thread holds a reference
  for (int i = 0; i < options_.readers; ++i) {
    auto* out = &reads_[first + static_cast<std::size_t>(i)];
    threads_.emplace_back([this, out, run, i] { RunReader(*out, run * 7777u + static_cast<unsigned>(i)); });
  }
}

void ReadYourWritesChecker::Stop() {
  stop_readers_ = true;
  stop_writers_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void ReadYourWritesChecker::RunWriter(std::size_t tenant, std::size_t product, unsigned seed) {
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (int port : options_.ports) clients.push_back(std::make_unique<LoopbackClient>(port, options_.timeout));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, clients.size() - 1);
  WriterLog& log = *writers_[WriterIndex(tenant, product)];
  const std::string& token = options_.tenants[tenant].token;
  while (!stop_writers_) {
    std::int64_t stock_before = 0;
    std::size_t seq = 0;
    {
      std::lock_guard lock(log.mu);
      stock_before = log.acks.empty() ? 0 : log.acks.back().stock_after;
      seq = log.acks.size() + log.problems.size();
    }
    const int cantidad = std::uniform_int_distribution<int>(1, 3)(rng);
    const std::string marker = "ryw-t" + std::to_string(tenant) + "p" + std::to_string(product) + "n" + std::to_string(seq);
    const std::string body = json::serialize(json::object{
        {"tipo", "ENTRADA"}, {"cantidad", cantidad}, {"productoId", options_.products[tenant][product]}, {"motivo", marker}});
    CheckerClock::time_point stopped_at{};
    for (;;) {
      const std::size_t instance = pick(rng);
      const HttpReply r = clients[instance]->Request("POST", "/movimientos", body, token, {{"Idempotency-Key", marker}});
      const auto now = CheckerClock::now();
      std::lock_guard lock(log.mu);
      ++log.answers[StatusKey(r)];
      if (r.status == 201) {
        log.acks.push_back(Ack{static_cast<int>(instance), now, stock_before + cantidad});
        break;
      }
      if (r.status >= 400 && r.status < 500) {
        log.problems.push_back(marker + " answered " + std::to_string(r.status) + " " + r.body);
        break;
      }
      ++log.repeats;
      if (stop_writers_ && stopped_at == CheckerClock::time_point{}) stopped_at = now;
      if (stopped_at != CheckerClock::time_point{} && now - stopped_at > kResolveAfterStop) {
        log.problems.push_back(marker + " still without a definite answer when stopping");
        return;
      }
      std::this_thread::sleep_for(kPauseAfterFailure);
    }
  }
}

void ReadYourWritesChecker::RunReader(std::vector<ReadRecord>& out, unsigned seed) {
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (int port : options_.ports) clients.push_back(std::make_unique<LoopbackClient>(port, options_.timeout));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> pick_instance(0, clients.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_tenant(0, options_.tenants.size() - 1);
  while (!stop_readers_) {
    ReadRecord r;
    r.tenant = pick_tenant(rng);
    r.instance = static_cast<int>(pick_instance(rng));
    for (std::size_t p = 0; p < 2; ++p) {
      WriterLog& log = *writers_[WriterIndex(r.tenant, p)];
      std::lock_guard lock(log.mu);
      r.acked_before.push_back(log.acks.size());
    }
    r.start = CheckerClock::now();  // after the snapshot: every write counted was acknowledged before the request
    const HttpReply reply = clients[static_cast<std::size_t>(r.instance)]->Get("/dashboard-cqrs/kpis",
                                                                               options_.tenants[r.tenant].token);
    r.status = reply.status;
    if (reply.status == 200) {
      r.x_cache = reply.Header("x-cache") + (reply.Header("x-cache-tier").empty() ? "" : " " + reply.Header("x-cache-tier"));
      auto k = ReadKpis(reply.Json(), options_.layout);
      if (k) r.kpi = std::move(*k);
      else r.error = k.error();
    } else {
      r.error = StatusKey(reply);
    }
    const bool failed = reply.status == 0 || reply.status >= 500;
    out.push_back(std::move(r));
    if (failed) std::this_thread::sleep_for(kPauseAfterFailure);
  }
}

void ReadYourWritesChecker::Judge(const ReadRecord& r, double bound_ms, CheckerReport& report) const {
  ++report.read_answers[r.status == 0 ? r.error : std::to_string(r.status)];
  if (r.status != 200) return;
  ++report.x_cache[r.x_cache];
  ++report.reads_checked;
  auto example = [&](const std::string& what) {
    if (report.examples.size() < kMaxExamples) report.examples.push_back(what);
  };
  if (!r.kpi) {
    ++report.inconsistent;
    example("unreadable answer: " + r.error);
    return;
  }
  std::int64_t prefix_total = 0;
  bool missed = false, missed_same = false;
  double staleness = 0;
  for (std::size_t p = 0; p < 2; ++p) {
    const auto& acks = writers_[WriterIndex(r.tenant, p)]->acks;
    const std::int64_t stock = r.kpi->stocks[p];
    // How many of the writer's writes the answer reflects: stocks only grow, one write at a time.
    std::size_t applied = 0;
    if (stock != 0) {
      auto it = std::lower_bound(acks.begin(), acks.end(), stock,
                                 [](const Ack& a, std::int64_t s) { return a.stock_after < s; });
      if (it == acks.end() || it->stock_after != stock) {
        ++report.inconsistent;
        example("stock " + std::to_string(stock) + " of a witness product matches no prefix of its writes");
        return;
      }
      applied = static_cast<std::size_t>(it - acks.begin()) + 1;
    }
    prefix_total += static_cast<std::int64_t>(applied);
    for (std::size_t k = applied; k < r.acked_before[p]; ++k) {
      missed = true;
      missed_same = missed_same || acks[k].instance == r.instance;
    }
    if (applied < r.acked_before[p])
      staleness = std::max(staleness, std::chrono::duration<double, std::milli>(r.start - acks[applied].at).count());
  }
  const std::string at = " (read on instance " + std::to_string(r.instance) + ", X-Cache " + r.x_cache + ", " +
                         r.kpi->Describe() + ", staleness " + std::to_string(staleness) + " ms)";
  if (r.kpi->movimientos != prefix_total) {
    ++report.inconsistent;
    example("movimientosUltimoMes " + std::to_string(r.kpi->movimientos) + " but the stocks say " +
            std::to_string(prefix_total) + " movements" + at);
  }
  if (missed && r.x_cache.starts_with("STALE")) {
    ++report.declared_stale_misses;  // not a violation: see CheckerReport
  } else if (missed_same) {
    ++report.same_instance_misses;
    example("missed a write the same instance had acknowledged" + at);
  } else if (missed) {
    ++report.stale_cross_instance;
    report.staleness_ms.push_back(staleness);
    if (staleness > bound_ms) {
      ++report.beyond_bound;
      example("stale beyond the bound" + at);
    }
  } else {
    ++report.fresh;
  }
}

CheckerReport ReadYourWritesChecker::Analyze(double bound_ms) const {
  CheckerReport report;
  report.bound_ms = bound_ms;
  for (const auto& w : writers_) {
    report.writes_acked += static_cast<std::int64_t>(w->acks.size());
    report.write_repeats += w->repeats;
    for (const auto& [k, v] : w->answers) report.write_answers[k] += v;
    for (const auto& p : w->problems) {
      ++report.inconsistent;
      if (report.examples.size() < kMaxExamples) report.examples.push_back("writer: " + p);
    }
  }
  for (const auto& list : reads_)
    for (const auto& r : list) Judge(r, bound_ms, report);
  return report;
}

}  // namespace iam::test
