#include "faults/ledger_check.hpp"

#include <algorithm>
#include <thread>

namespace iam::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kStockInicial = "Stock inicial";
constexpr int kResolveAttempts = 120;
constexpr auto kResolvePause = 250ms;

constexpr const char* kSelectProducts = R"(SELECT "id", "stock" FROM "Producto" WHERE "empresaId" = $1)";
constexpr const char* kSelectMovements =
    R"(SELECT "motivo", "productoId", "tipo", "cantidad" FROM "MovimientoInventario"
       WHERE "empresaId" = $1 AND "estado" = 'ACTIVO')";

std::size_t IndexOf(const std::vector<std::int64_t>& products, std::int64_t id) {
  return static_cast<std::size_t>(std::find(products.begin(), products.end(), id) - products.begin());
}

bool IsStockInsuficiente(const HttpReply& r) {
  auto v = r.Json();
  return r.status == 409 && v.is_object() && v.as_object().contains("code") &&
         v.at("code").is_string() && v.at("code").as_string() == "STOCK_INSUFICIENTE";
}

}  // namespace

KpiReading DbState::Expected() const {
  KpiReading k;
  k.movimientos = movements;
  for (std::int64_t s : stocks) k.stocks.push_back(std::max<std::int64_t>(s, 0));
  return k;
}

std::expected<DbState, std::string> ReadDbState(store::Database& db, std::int64_t empresa,
                                                const std::vector<std::int64_t>& products) {
  auto lease = db.Acquire();
  if (!lease) return std::unexpected("database: " + lease.error().message);
  // One snapshot for both reads, so the two always describe the same state.
  if (auto b = (*lease)->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !b)
    return std::unexpected("database: " + b.error().message);
  auto rows = (*lease)->Query(kSelectProducts, {store::Param(empresa)});
  auto moves = rows ? (*lease)->Query(kSelectMovements, {store::Param(empresa)}) : Result<store::ResultSet>();
  (void)(*lease)->ExecScript("COMMIT");
  if (!rows) return std::unexpected("database: " + rows.error().message);
  if (!moves) return std::unexpected("database: " + moves.error().message);
  DbState s;
  s.stocks.assign(products.size(), 0);
  s.ledger_sums.assign(products.size(), 0);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::size_t p = IndexOf(products, (*rows)[i].Int(0));
    if (p == products.size()) return std::unexpected("a product of the tenant that the test did not create");
    s.stocks[p] = (*rows)[i].Int(1);
  }
  for (std::size_t i = 0; i < moves->size(); ++i) {
    const auto row = (*moves)[i];
    LedgerRow l{.producto_id = row.Int(1), .entrada = row.Text(2) == "ENTRADA", .cantidad = row.Int(3)};
    const std::size_t p = IndexOf(products, l.producto_id);
    if (p == products.size()) return std::unexpected("a movement of a product the test did not create");
    s.ledger_sums[p] += l.entrada ? l.cantidad : -l.cantidad;
    s.by_motivo[row.Text(0)].push_back(l);
    ++s.movements;
  }
  return s;
}

std::vector<std::string> CheckLedger(const DbState& db, const std::vector<WriteRecord>& writes,
                                     const std::vector<std::int64_t>& products, std::int64_t initial_stock) {
  std::vector<std::string> v;
  std::map<std::string, const WriteRecord*> sent;
  for (const auto& w : writes) sent[w.marker] = &w;
  for (const auto& [motivo, rows] : db.by_motivo) {
    if (motivo == kStockInicial) {
      if (rows.size() != products.size()) v.push_back("expected one 'Stock inicial' movement per product");
      continue;
    }
    auto it = sent.find(motivo);
    if (it == sent.end()) {
      v.push_back("movement '" + motivo + "' in the ledger was never sent");
      continue;
    }
    if (rows.size() > 1) v.push_back("movement " + motivo + " applied " + std::to_string(rows.size()) + " times");
    const WriteRecord& w = *it->second;
    if (rows[0].producto_id != products[w.product] || rows[0].entrada != w.entrada || rows[0].cantidad != w.cantidad)
      v.push_back("movement " + motivo + " stored differently from what was sent");
  }
  std::vector<std::int64_t> expected(products.size(), initial_stock);
  for (const auto& w : writes) {
    const bool present = db.by_motivo.contains(w.marker);
    if (present) expected[w.product] += w.Delta();
    if (w.outcome == WriteOutcome::kAcked && !present) v.push_back("acknowledged movement " + w.marker + " lost");
    if (w.outcome == WriteOutcome::kRefused && present) v.push_back("refused movement " + w.marker + " was applied");
    if (w.outcome == WriteOutcome::kNotSent && present) v.push_back("never-sent movement " + w.marker + " was applied");
  }
  for (std::size_t p = 0; p < products.size(); ++p) {
    const std::string name = "product " + std::to_string(products[p]);
    if (db.stocks[p] != expected[p])
      v.push_back(name + ": stock " + std::to_string(db.stocks[p]) + " != initial + accepted entradas - salidas = " +
                  std::to_string(expected[p]));
    if (db.stocks[p] != db.ledger_sums[p])
      v.push_back(name + ": stock " + std::to_string(db.stocks[p]) + " != its ledger's sum " +
                  std::to_string(db.ledger_sums[p]));
    if (db.stocks[p] < 0) v.push_back(name + ": negative stock " + std::to_string(db.stocks[p]));
  }
  return v;
}

std::string Resolution::Describe() const {
  return "replayed " + std::to_string(replayed) + ", applied now " + std::to_string(applied_now) + ", refused " +
         std::to_string(refused) + ", unresolved " + std::to_string(unresolved);
}

Resolution ResolveUnknownWrites(LoopbackClient& client, const std::string& token, std::vector<WriteRecord>& writes,
                                const DbState& before) {
  Resolution res;
  for (auto& w : writes) {
    if (w.outcome != WriteOutcome::kUnknown) continue;
    const bool present = before.by_motivo.contains(w.marker);
    HttpReply r;
    for (int attempt = 0; attempt < kResolveAttempts; ++attempt) {
      r = client.Request("POST", "/movimientos", w.body, token, {{"Idempotency-Key", w.marker}});
      if (r.status != 0 && r.status < 500) break;
      std::this_thread::sleep_for(kResolvePause);
    }
    if (r.status == 201) {
      w.outcome = WriteOutcome::kAcked;
      if (r.Header("idempotent-replayed") == "true") {
        ++res.replayed;
        if (!present) res.violations.push_back(w.marker + ": a stored answer replayed for a write not in the ledger");
      } else {
        ++res.applied_now;
        if (present) res.violations.push_back(w.marker + ": applied again although already in the ledger");
      }
    } else if (IsStockInsuficiente(r)) {
      w.outcome = WriteOutcome::kRefused;
      ++res.refused;
      if (present) res.violations.push_back(w.marker + ": in the ledger, yet its repeat was refused, not replayed");
    } else if (r.status == 0 || r.status >= 500) {
      ++res.unresolved;
      res.violations.push_back(w.marker + ": no definite answer after recovery (" + std::to_string(r.status) + " " +
                               r.error + ")");
    } else {
      res.violations.push_back(w.marker + ": unexpected answer to its repeat: " + std::to_string(r.status) + " " +
                               r.body);
    }
  }
  return res;
}

}  // namespace iam::test
