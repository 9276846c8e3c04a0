// Test-only fixture of the movement route tests: products and suppliers written straight into the
// database (the product routes are not needed), and small readers of the stock ledger.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "api/harness/api_harness.hpp"
#include "domain/time_format.hpp"

namespace iam::test {

class MovementTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (h) a_ = h->CreateTenant("Acme");
  }

  domain::Id MakeProduct(domain::Id empresa, std::int64_t stock, double compra = 10.0, double venta = 15.5,
                         const std::string& estado = "ACTIVO", std::optional<std::string> barcode = std::nullopt) {
    auto rows = h->Sql(R"(INSERT INTO "Producto" ("nombre", "precioCompra", "precioVenta", "empresaId", "actualizadoEn",
                          "stock", "estado", "codigoBarras") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING "id")",
                       {store::Param("P" + std::to_string(++serial_)), store::Param(compra), store::Param(venta),
                        store::Param(empresa), store::Param(FormatIsoMs(NowMs())), store::Param(stock),
                        store::Param(estado), barcode ? store::Param(*barcode) : store::Param(nullptr)});
    return rows[0].Int(0);
  }

  domain::Id MakeSupplier(domain::Id empresa, const std::string& estado = "ACTIVO") {
    auto rows = h->Sql(R"(INSERT INTO "Proveedor" ("nombre", "empresaId", "estado") VALUES ($1, $2, $3) RETURNING "id")",
                       {store::Param("S" + std::to_string(++serial_)), store::Param(empresa), store::Param(estado)});
    return rows[0].Int(0);
  }

  std::int64_t Stock(domain::Id p) { return h->Sql(R"(SELECT "stock" FROM "Producto" WHERE "id" = $1)", {p})[0].Int(0); }
  std::int64_t Version(domain::Id p) {
    return h->Sql(R"(SELECT "version" FROM "Producto" WHERE "id" = $1)", {p})[0].Int(0);
  }
  std::int64_t Rows(domain::Id p, const std::string& estado = "ACTIVO") {
    return h->Sql(R"(SELECT COUNT(*) FROM "MovimientoInventario" WHERE "productoId" = $1 AND "estado" = $2)",
                  {p, estado})[0]
        .Int(0);
  }
  // Σ entradas − Σ salidas of the product's ACTIVO movements.
  std::int64_t LedgerSum(domain::Id p) {
    return h->Sql(R"(SELECT COALESCE(SUM(CASE WHEN "tipo" = 'ENTRADA' THEN "cantidad" ELSE -"cantidad" END), 0)
                     FROM "MovimientoInventario" WHERE "productoId" = $1 AND "estado" = 'ACTIVO')",
                  {p})[0]
        .Int(0);
  }

  HttpResult Move(const boost::json::value& body, const std::string& token, const std::string& key = {},
                  const std::string& path = "/movimientos") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return h->Request("POST", path, boost::json::serialize(body), token, headers);
  }
  HttpResult Move(const std::string& tipo, std::int64_t cantidad, domain::Id producto, const std::string& token,
                  const std::string& key = {}) {
    return Move(boost::json::object{{"tipo", tipo}, {"cantidad", cantidad}, {"productoId", producto}}, token, key);
  }

  TenantFixture a_;
  int serial_ = 0;
};

}  // namespace iam::test
