// Test-only: a BackendTest with plain-SQL writers for the ledger tables (tenants, products,
// movements), as the old backend or a person fixing data would write them: no IAM code involved.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "support/backend_test.hpp"

namespace iam::test {

class LedgerTest : public BackendTest {
 protected:
  using Param = store::Param;
  std::int64_t Insert(const std::string& sql, std::vector<Param> params = {}) {
    auto lease = db_->Acquire();
    auto r = (*lease)->Query(sql + " RETURNING \"id\"", params);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r && !r->empty() ? (*r)[0].Int(0) : 0;
  }
  void Exec(const std::string& sql) {
    auto lease = db_->Acquire();
    auto r = (*lease)->Query(sql, {});
    ASSERT_TRUE(r.has_value()) << r.error().message << " in " << sql;
  }
  std::int64_t Empresa(const char* nombre) {
    return Insert(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, '2026-01-01T00:00:00.000Z'))",
                  {Param(std::string(nombre))});
  }
  std::int64_t Product(std::int64_t empresa) {
    return Insert(R"(INSERT INTO "Producto" ("nombre", "precioCompra", "precioVenta", "empresaId", "actualizadoEn")
                     VALUES ('p', 4, 9, $1, '2026-01-01T00:00:00.000Z'))",
                  {Param(empresa)});
  }
  // A movement by plain SQL; prices null when nullopt.
  std::int64_t Movement(std::int64_t empresa, std::int64_t producto, const char* tipo, std::int64_t cantidad,
                        const std::string& fecha, std::optional<double> total, std::optional<double> unitario,
                        std::optional<double> costo, const char* estado = "ACTIVO") {
    auto opt = [](std::optional<double> v) { return v ? Param(*v) : Param(nullptr); };
    return Insert(
        R"(INSERT INTO "MovimientoInventario" ("empresaId", "productoId", "tipo", "cantidad", "fecha", "precioTotal",
             "precioUnitario", "costoUnitario", "estado") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9))",
        {Param(empresa), Param(producto), Param(std::string(tipo)), Param(cantidad), Param(fecha), opt(total),
         opt(unitario), opt(costo), Param(std::string(estado))});
  }
};

}  // namespace iam::test
