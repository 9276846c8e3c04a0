// Reading GET /dashboard-cqrs/kpis of a tenant whose ACTIVO products are exactly the witness
// products of api_setup.hpp (precioCompra = base^i, precioVenta = 2·base^i): valorTotalInventario
// = Σ stock⁺_i · base^i is then a positional number whose digit i (in base `base`) is product i's
// stock, as long as every stock stays below `base` and the sum below 2^53 (exact in a double).
// So one KPI answer says which state of the inventory it was computed from, and whether its fields
// agree with each other (all from one state).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace iam::test {

struct KpiReading {
  std::int64_t movimientos = 0;       // movimientosUltimoMes
  std::vector<std::int64_t> stocks;   // stock⁺ of product i, decoded from valorTotalInventario
  std::string timestamp;

  bool operator==(const KpiReading& o) const { return movimientos == o.movimientos && stocks == o.stocks; }
  std::string Describe() const;  // "movimientos=12 stocks=[3,0,7]"
};

struct WitnessLayout {
  int products = 0;
  std::int64_t base = 0;
  std::int64_t stock_minimo = 0;
};

// The reading, or why the body is not a consistent KPI answer for that layout: not the KPI object,
// a value that is not such a positional number, valorVentaInventario ≠ 2·valorTotalInventario,
// or totalProductos / productosAgotados / productosStockBajo contradicting the decoded stocks.
std::expected<KpiReading, std::string> ReadKpis(const boost::json::value& body, const WitnessLayout& layout);

}  // namespace iam::test
