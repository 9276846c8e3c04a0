// The fault suite's invariants, checked behind the service's back on the database itself, and the
// resolution of writes whose outcome the client could not know.
//
//   * no acknowledged movement lost: every acknowledged write is in the ledger exactly once, as sent;
//   * no movement applied twice: no marker appears twice; refused and never-sent writes are absent;
//   * stock = initial stock + accepted ENTRADAs − accepted SALIDAs, for every product, both as the
//     client accounts it (acknowledged writes plus unknown ones found applied) and as the ledger
//     (MovimientoInventario) adds up; and stock ≥ 0;
//   * the service's KPI answer after recovery matches that state (MatchesDb).
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <vector>

#include "faults/kpi_reading.hpp"
#include "faults/loopback_client.hpp"
#include "faults/movement_load.hpp"
#include "store/database.hpp"

namespace iam::test {

struct LedgerRow {
  std::int64_t producto_id = 0;
  bool entrada = true;
  std::int64_t cantidad = 0;
};

struct DbState {
  std::vector<std::int64_t> stocks;         // Producto.stock, in witness order
  std::vector<std::int64_t> ledger_sums;    // Σ ENTRADA − Σ SALIDA of each product's ACTIVO movements
  std::int64_t movements = 0;               // the tenant's ACTIVO movements
  std::map<std::string, std::vector<LedgerRow>> by_motivo;

  bool operator==(const DbState& o) const { return stocks == o.stocks && movements == o.movements; }
  // The KPI reading this state should produce.
  KpiReading Expected() const;
};

std::expected<DbState, std::string> ReadDbState(store::Database& db, std::int64_t empresa,
                                                const std::vector<std::int64_t>& products);

// Violations of the invariants above, given every write the client made.
std::vector<std::string> CheckLedger(const DbState& db, const std::vector<WriteRecord>& writes,
                                     const std::vector<std::int64_t>& products, std::int64_t initial_stock);

struct Resolution {
  int replayed = 0;     // the repeat got the stored answer: it had been applied
  int applied_now = 0;  // it had not been applied, and was now
  int refused = 0;      // it had not been applied, and now did not fit the stock
  int unresolved = 0;   // no definite answer even now
  std::vector<std::string> violations;
  std::string Describe() const;
};

// Sends every unknown write again, same body and Idempotency-Key, until it gets a definite answer,
// and checks the answer against `before` (the database just before): a stored answer only for a
// write that is there, a fresh one only for a write that is not. Updates the records' outcomes.
Resolution ResolveUnknownWrites(LoopbackClient& client, const std::string& token, std::vector<WriteRecord>& writes,
                                const DbState& before);

}  // namespace iam::test
