// Daily aggregates kept by triggers: plain-SQL writes (as the old backend or a person would), the
// IAM write path, attach-mode back-fill, verify/repair. The expected values are recomputed here
// from the movement rows in plain C++, independently of the SQL the store uses.
#include "store/daily_flow_aggregates.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <sys/wait.h>

#include "domain/time_format.hpp"
#include "store/aggregate_check.hpp"
#include "store/flow_repository.hpp"
#include "store/migrations.hpp"
#include "store/movement_repository.hpp"
#include "store/product_repository.hpp"
#include "store/schema_sql.hpp"
#include "store/ledger_fixture.hpp"
#include "support/backend_test.hpp"
#include "support/temp_database.hpp"
#include "support/test_env.hpp"

namespace iam::store {
namespace {

using Key = std::tuple<std::int64_t, std::int64_t, std::string>;  // (producto or empresa, dia, tipo)
using Sums = std::map<Key, domain::FlowSums>;

std::int64_t FloorDay(std::int64_t ms) { return ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000); }

// Product and tenant sums straight from the ledger rows.
std::pair<Sums, Sums> Recompute(Connection& c) {
  auto rs = c.Query(R"(SELECT "productoId", "empresaId", "fecha", "tipo", "estado", "cantidad", "precioTotal",
                              "precioUnitario", "costoUnitario" FROM "MovimientoInventario")",
                    {});
  EXPECT_TRUE(rs.has_value());
  Sums products, tenants;
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    if (r.Text(4) != "ACTIVO") continue;
    std::int64_t dia = FloorDay(*r.OptTimeMs(2));
    std::int64_t q = r.Int(5);
    domain::FlowSums s;
    s.movimientos = 1;
    s.cantidad = q;
    if (auto t = r.OptDouble(6)) s.total_conocido = *t;
    else if (auto u = r.OptDouble(7)) s.total_conocido = static_cast<double>(q) * *u;
    else s.cantidad_sin_total = q;
    if (auto k = r.OptDouble(8)) s.costo_conocido = static_cast<double>(q) * *k;
    else s.cantidad_sin_costo = q;
    products[{r.Int(0), dia, r.Text(3)}] += s;
    tenants[{r.Int(1), dia, r.Text(3)}] += s;
  }
  return {products, tenants};
}

Sums ReadTable(Connection& c, const char* sql) {
  auto rs = c.Query(sql, {});
  EXPECT_TRUE(rs.has_value()) << rs.error().message;
  Sums out;
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    out[{r.Int(0), r.Int(1), r.Text(2)}] =
        domain::FlowSums{r.Int(3), r.Int(4), r.Double(5), r.Int(6), r.Double(7), r.Int(8)};
  }
  return out;
}

void ExpectSame(const Sums& expected, const Sums& stored, const char* what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(expected.size(), stored.size());
  for (const auto& [k, e] : expected) {
    SCOPED_TRACE(std::get<0>(k));
    SCOPED_TRACE(std::get<1>(k));
    auto it = stored.find(k);
    ASSERT_NE(it, stored.end()) << std::get<2>(k);
    const auto& s = it->second;
    EXPECT_EQ(s.movimientos, e.movimientos);
    EXPECT_EQ(s.cantidad, e.cantidad);
    EXPECT_EQ(s.cantidad_sin_total, e.cantidad_sin_total);
    EXPECT_EQ(s.cantidad_sin_costo, e.cantidad_sin_costo);
    EXPECT_NEAR(s.total_conocido, e.total_conocido, 1e-9 * std::max(1.0, std::fabs(e.total_conocido)));
    EXPECT_NEAR(s.costo_conocido, e.costo_conocido, 1e-9 * std::max(1.0, std::fabs(e.costo_conocido)));
  }
}

constexpr const char* kTenantSumsSql =
    R"(SELECT "empresa_id", "dia", "tipo", CAST(SUM("movimientos") AS BIGINT), CAST(SUM("cantidad") AS BIGINT),
              SUM("total_conocido"), CAST(SUM("cantidad_sin_total") AS BIGINT), SUM("costo_conocido"),
              CAST(SUM("cantidad_sin_costo") AS BIGINT)
       FROM "iam_tenant_daily_flows" GROUP BY "empresa_id", "dia", "tipo")";

class DailyFlowAggregatesTest : public test::LedgerTest {
 protected:
  // Aggregates == recomputation, and VerifyAggregates agrees.
  void ExpectExact(const char* step) {
    SCOPED_TRACE(step);
    auto lease = db_->Acquire();
    auto [products, tenants] = Recompute(**lease);
    ExpectSame(products,
               ReadTable(**lease, R"(SELECT "producto_id", "dia", "tipo", "movimientos", "cantidad", "total_conocido",
                 "cantidad_sin_total", "costo_conocido", "cantidad_sin_costo" FROM "iam_product_daily_flows")"),
               "product");
    // The tenant table holds one row per shard; summed here they must equal the per-tenant sums.
    ExpectSame(tenants, ReadTable(**lease, kTenantSumsSql), "tenant");
    auto bad_shards = (*lease)->Query(
        R"(SELECT COUNT(*) FROM "iam_tenant_daily_flows" t WHERE "shard" < 0 OR "shard" >= $1 OR NOT EXISTS
             (SELECT 1 FROM "iam_product_daily_flows" p WHERE p."empresa_id" = t."empresa_id" AND p."dia" = t."dia"
                AND p."tipo" = t."tipo" AND p."producto_id" % $1 = t."shard"))",
        {Param(std::int64_t{kTenantShards})});
    ASSERT_TRUE(bad_shards.has_value()) << bad_shards.error().message;
    EXPECT_EQ((*bad_shards)[0].Int(0), 0) << "every tenant row is the shard of some product row";
    lease = {};
    auto report = VerifyAggregates(*db_, std::nullopt);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->clean()) << FormatAggregateReport(*report);
  }

};

constexpr std::int64_t kMar1 = 20513;  // 2026-03-01 as days since 1970-01-01

TEST_P(DailyFlowAggregatesTest, PlainSqlInsertsUpdatesAndDeletesKeepAggregatesExact) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e1 = Empresa("E1"), e2 = Empresa("E2");
  auto p1 = Product(e1), p2 = Product(e1), p3 = Product(e2);
  // SQLite also meets the legacy text form without 'T', milliseconds and 'Z'.
  std::string legacy_fecha = pg() ? "2026-03-02T10:00:00.000Z" : "2026-03-02 10:00:00";
  auto m1 = Movement(e1, p1, "ENTRADA", 10, "2026-03-01T23:59:59.999Z", 100.0, 9.0, 8.0);
  auto m2 = Movement(e1, p1, "SALIDA", 3, "2026-03-02T00:00:00.000Z", std::nullopt, 12.5, std::nullopt);
  auto m3 = Movement(e1, p1, "SALIDA", 2, legacy_fecha, std::nullopt, std::nullopt, std::nullopt);
  auto m4 = Movement(e1, p2, "ENTRADA", 5, "2026-03-01T12:00:00.000Z", std::nullopt, 0.1, 0.1);
  auto m5 = Movement(e1, p2, "SALIDA", 1, "2026-03-01T13:00:00.000Z", 7.0, std::nullopt, 3.0, "ELIMINADO");
  Movement(e2, p3, "ENTRADA", 7, "1969-12-31T23:00:00.000Z", 70.0, std::nullopt, 1.5);
  ExpectExact("inserts");

  // The day boundary: 23:59:59.999 and 00:00:00.000 fall on consecutive days.
  {
    auto lease = db_->Acquire();
    auto flows = ReadDailyFlows(**lease, e1, kMar1, kMar1 + 1);
    ASSERT_TRUE(flows.has_value()) << flows.error().message;
    ASSERT_EQ(flows->size(), 3u);  // p1 on Mar 1 and Mar 2, p2 on Mar 1 (m5 is ELIMINADO)
    EXPECT_EQ((*flows)[0].producto_id, p1);
    EXPECT_EQ((*flows)[0].dia, kMar1);
    EXPECT_EQ((*flows)[0].entradas.cantidad, 10);
    EXPECT_EQ((*flows)[0].entradas.total_conocido, 100.0);
    EXPECT_EQ((*flows)[0].entradas.costo_conocido, 80.0);
    EXPECT_EQ((*flows)[1].dia, kMar1 + 1);
    EXPECT_EQ((*flows)[1].salidas.movimientos, 2);
    EXPECT_EQ((*flows)[1].salidas.cantidad, 5);
    EXPECT_EQ((*flows)[1].salidas.total_conocido, 37.5);
    EXPECT_EQ((*flows)[1].salidas.cantidad_sin_total, 2);
    EXPECT_EQ((*flows)[1].salidas.cantidad_sin_costo, 5);
    EXPECT_EQ((*flows)[2].producto_id, p2);
    EXPECT_EQ((*flows)[2].salidas.movimientos, 0);

    // Tenant-wide read: per-day rows plus only the legacy quantities, same sums per window.
    auto tenant = ReadTenantDailyFlows(**lease, e1, kMar1, kMar1 + 1);
    ASSERT_TRUE(tenant.has_value()) << tenant.error().message;
    domain::FlowSums a, b;
    for (const auto& f : *flows) a += f.salidas, a += f.entradas;
    for (const auto& f : *tenant) b += f.salidas, b += f.entradas;
    EXPECT_EQ(a.movimientos, b.movimientos);
    EXPECT_EQ(a.cantidad, b.cantidad);
    EXPECT_EQ(a.cantidad_sin_total, b.cantidad_sin_total);
    EXPECT_EQ(a.cantidad_sin_costo, b.cantidad_sin_costo);
    EXPECT_NEAR(a.total_conocido, b.total_conocido, 1e-9);
    EXPECT_NEAR(a.costo_conocido, b.costo_conocido, 1e-9);
    for (const auto& f : *tenant) {
      if (f.producto_id != 0) continue;
      EXPECT_EQ(f.salidas.cantidad_sin_total + f.entradas.cantidad_sin_costo, 0);
    }
    auto snapshots = ReadProductSnapshots(**lease, e1);
    ASSERT_TRUE(snapshots.has_value());
    ASSERT_EQ(snapshots->size(), 2u);
    EXPECT_EQ((*snapshots)[0].id, p1);
    EXPECT_EQ((*snapshots)[0].precio_venta, 9.0);
  }

  auto id = [](std::int64_t v) { return std::to_string(v); };
  const std::string m = R"(UPDATE "MovimientoInventario" SET )";
  Exec(m + R"("cantidad" = 11 WHERE "id" = )" + id(m1));
  ExpectExact("cantidad");
  Exec(m + R"("fecha" = '2026-03-05T08:00:00.000Z' WHERE "id" = )" + id(m2));
  ExpectExact("fecha to another day");
  Exec(m + R"("estado" = 'ELIMINADO' WHERE "id" = )" + id(m4));
  ExpectExact("ACTIVO -> ELIMINADO");
  Exec(m + R"("estado" = 'ACTIVO' WHERE "id" = )" + id(m4));
  ExpectExact("ELIMINADO -> ACTIVO");
  Exec(m + R"("tipo" = 'ENTRADA' WHERE "id" = )" + id(m3));
  ExpectExact("tipo");
  Exec(m + R"("productoId" = )" + id(p2) + R"( WHERE "id" = )" + id(m2));
  ExpectExact("productoId");
  Exec(m + R"("estado" = 'ACTIVO' WHERE "id" = )" + id(m5));
  Exec(m + R"("precioTotal" = NULL, "costoUnitario" = NULL WHERE "id" = )" + id(m1));
  Exec(m + R"("descripcion" = 'nota' WHERE "id" = )" + id(m1));
  Exec(m + R"("cantidad" = "cantidad" + 1 WHERE "empresaId" = )" + id(e1));  // several rows at once
  ExpectExact("prices, no-op and multi-row updates");

  Exec(R"(DELETE FROM "MovimientoInventario" WHERE "id" = )" + id(m4));
  ExpectExact("delete one movement");
  Exec(R"(DELETE FROM "Producto" WHERE "id" = )" + id(p1));  // cascades to its movements
  ExpectExact("delete a product");
  {
    auto lease = db_->Acquire();
    auto left = (*lease)->Query(R"(SELECT COUNT(*) FROM "iam_product_daily_flows" WHERE "producto_id" = $1)",
                                {Param(p1)});
    ASSERT_TRUE(left.has_value());
    EXPECT_EQ((*left)[0].Int(0), 0);
  }
  Exec(R"(DELETE FROM "MovimientoInventario")");
  ExpectExact("delete all");
  auto lease = db_->Acquire();
  auto rows = (*lease)->Query(R"(SELECT (SELECT COUNT(*) FROM "iam_product_daily_flows") +
                                        (SELECT COUNT(*) FROM "iam_tenant_daily_flows"))",
                              {});
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ((*rows)[0].Int(0), 0) << "rows without movements are removed";
}

TEST_P(DailyFlowAggregatesTest, TenantRowsOfProductsInDifferentShardsReadBackSummed) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E");
  auto p1 = Product(e), p2 = Product(e);
  while (p2 % kTenantShards == p1 % kTenantShards) p2 = Product(e);
  auto p3 = Product(e);  // p3 may share a shard with p1 or p2; its Mar 2 movement must not mix in
  Movement(e, p1, "ENTRADA", 4, "2026-03-01T08:00:00.000Z", 40.0, std::nullopt, 2.0);
  Movement(e, p2, "ENTRADA", 6, "2026-03-01T20:00:00.000Z", std::nullopt, 1.5, std::nullopt);
  Movement(e, p2, "SALIDA", 1, "2026-03-01T21:00:00.000Z", 3.0, std::nullopt, 0.5);
  Movement(e, p3, "ENTRADA", 100, "2026-03-02T00:00:00.000Z", 1.0, std::nullopt, 1.0);
  ExpectExact("two shards");
  {
    auto lease = db_->Acquire();
    auto rows = (*lease)->Query(
        R"(SELECT "shard" FROM "iam_tenant_daily_flows" WHERE "empresa_id" = $1 AND "dia" = $2 AND "tipo" = 'ENTRADA'
           ORDER BY "shard")",
        {Param(e), Param(kMar1)});
    ASSERT_TRUE(rows.has_value()) << rows.error().message;
    ASSERT_EQ(rows->size(), 2u) << "one row per shard";
    EXPECT_EQ((*rows)[0].Int(0), std::min(p1, p2) % kTenantShards);
    EXPECT_EQ((*rows)[1].Int(0), std::max(p1, p2) % kTenantShards);

    auto tenant = ReadTenantDailyFlows(**lease, e, kMar1, kMar1);
    ASSERT_TRUE(tenant.has_value()) << tenant.error().message;
    // One summed row for Mar 1 (both tipos merged), then p2's legacy cantidad_sin_costo row.
    ASSERT_EQ(tenant->size(), 2u);
    const auto& day = (*tenant)[0];
    EXPECT_EQ(day.producto_id, 0);
    EXPECT_EQ(day.dia, kMar1);
    EXPECT_EQ(day.entradas.movimientos, 2);
    EXPECT_EQ(day.entradas.cantidad, 10);
    EXPECT_DOUBLE_EQ(day.entradas.total_conocido, 49.0);
    EXPECT_DOUBLE_EQ(day.entradas.costo_conocido, 8.0);
    EXPECT_EQ(day.entradas.cantidad_sin_costo, 0);
    EXPECT_EQ(day.salidas.movimientos, 1);
    EXPECT_EQ(day.salidas.cantidad, 1);
    EXPECT_DOUBLE_EQ(day.salidas.total_conocido, 3.0);
    EXPECT_DOUBLE_EQ(day.salidas.costo_conocido, 0.5);
    EXPECT_EQ((*tenant)[1].producto_id, p2);
    EXPECT_EQ((*tenant)[1].entradas.cantidad_sin_costo, 6);
  }
  // Removing one shard's movement leaves the other shard's row alone.
  Exec(R"(DELETE FROM "MovimientoInventario" WHERE "productoId" = )" + std::to_string(p1));
  ExpectExact("one shard emptied");
  auto lease = db_->Acquire();
  auto tenant = ReadTenantDailyFlows(**lease, e, kMar1, kMar1);
  ASSERT_TRUE(tenant.has_value());
  ASSERT_FALSE(tenant->empty());
  EXPECT_EQ((*tenant)[0].entradas.movimientos, 1);
  EXPECT_EQ((*tenant)[0].entradas.cantidad, 6);
}

TEST_P(DailyFlowAggregatesTest, AttachModeBackFillsFromLegacyHistoryAndSecondMigrateIsANoOp) {
  {
    auto lease = db_->Acquire();
    if (pg()) {
      std::ifstream in(std::string(IAM_SOURCE_DIR) + "/tests/store/fixtures/prisma_legacy_postgres.sql");
      std::stringstream fixture;
      fixture << in.rdbuf();
      ASSERT_TRUE((*lease)->ExecScript(fixture.str()).has_value());
    } else {
      ASSERT_TRUE((*lease)->ExecScript(sql::kSqliteLegacySchema).has_value());
    }
  }
  // History written by the old backend: no costoUnitario column yet.
  auto e = Empresa("Legacy");
  auto p = Product(e);
  const char* legacy = R"(INSERT INTO "MovimientoInventario" ("empresaId", "productoId", "tipo", "cantidad", "fecha",
                            "precioUnitario", "precioTotal", "estado") VALUES ($1, $2, $3, $4, $5, $6, $7, $8))";
  for (int i = 0; i < 40; ++i) {
    Insert(legacy, {Param(e), Param(p), Param(std::string(i % 3 ? "SALIDA" : "ENTRADA")),
                    Param(static_cast<std::int64_t>(i + 1)), Param(FormatIsoMs(1735689600000 + i * 37'000'000LL)),
                    i % 4 ? Param(0.1 * i) : Param(nullptr), i % 5 ? Param(nullptr) : Param(1.1 * i),
                    Param(std::string(i % 7 ? "ACTIVO" : "ELIMINADO"))});
  }
  auto report = Migrate(*db_);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->mode, MigrationMode::kAttach);
  ExpectExact("back-filled");

  auto lease = db_->Acquire();
  const char* count_sql = R"(SELECT COUNT(*) FROM "iam_product_daily_flows")";
  auto before = (*lease)->Query(count_sql, {});
  ASSERT_TRUE(before.has_value());
  EXPECT_GT((*before)[0].Int(0), 10);
  lease = {};
  auto again = Migrate(*db_);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->applied.empty());
  ExpectExact("after second migrate");
  // Installing again (as a re-run of the migration body would) keeps one trigger, not two.
  ASSERT_TRUE(InTransaction(*db_, [](Connection& c) { return InstallDailyFlowAggregates(c); }).has_value());
  Movement(e, p, "SALIDA", 2, "2026-02-01T00:00:00.000Z", 5.0, std::nullopt, 1.0);
  ExpectExact("reinstalled triggers count once");
}

TEST_P(DailyFlowAggregatesTest, VerifyReportsDriftAndRepairRebuildsFromTheLedger) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e1 = Empresa("E1"), e2 = Empresa("E2");
  auto p1 = Product(e1), p2 = Product(e2);
  Movement(e1, p1, "ENTRADA", 4, "2026-03-01T10:00:00.000Z", 40.0, std::nullopt, 2.0);
  Movement(e1, p1, "SALIDA", 1, "2026-03-02T10:00:00.000Z", std::nullopt, 0.3, std::nullopt);
  Movement(e2, p2, "ENTRADA", 9, "2026-03-02T10:00:00.000Z", 9.0, std::nullopt, 1.0);
  Exec(R"(UPDATE "iam_product_daily_flows" SET "cantidad" = "cantidad" + 1 WHERE "tipo" = 'ENTRADA')");
  Exec(R"(UPDATE "iam_product_daily_flows" SET "total_conocido" = "total_conocido" * (1 + 1e-12))");  // in tolerance
  Exec(R"(DELETE FROM "iam_tenant_daily_flows" WHERE "tipo" = 'SALIDA')");
  Exec(R"(INSERT INTO "iam_product_daily_flows" ("empresa_id", "producto_id", "dia", "tipo", "movimientos")
          VALUES (1, 999, 1, 'SALIDA', 1))");

  auto drift = VerifyAggregates(*db_, std::nullopt);
  ASSERT_TRUE(drift.has_value()) << drift.error().message;
  EXPECT_EQ(drift->diffs.size(), 4u) << FormatAggregateReport(*drift);
  auto only_e2 = VerifyAggregates(*db_, e2);
  ASSERT_TRUE(only_e2.has_value());
  EXPECT_EQ(only_e2->diffs.size(), 1u) << FormatAggregateReport(*only_e2);
  EXPECT_NE(FormatAggregateReport(*drift).find("2026-03-01"), std::string::npos);

  ASSERT_TRUE(RepairAggregates(*db_, e2).has_value());
  auto after_e2 = VerifyAggregates(*db_, std::nullopt);
  ASSERT_TRUE(after_e2.has_value());
  EXPECT_EQ(after_e2->diffs.size(), 3u);
  ASSERT_TRUE(RepairAggregates(*db_, std::nullopt).has_value());
  ExpectExact("repaired");
}

TEST_P(DailyFlowAggregatesTest, IamWritePathKeepsAggregatesExact) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E");
  domain::Producto np;
  np.nombre = "Tornillo";
  np.empresa_id = e;
  np.stock = 50;
  np.precio_compra = 1.25;
  np.precio_venta = 2.5;
  auto created = InTransaction(*db_, [&](Connection& c) -> Result<domain::Producto> {
    auto p = InsertProduct(c, np);
    if (!p) return p;
    if (auto r = InsertInitialStockMovement(c, *p); !r) return Fail(r.error());
    return p;
  });
  ASSERT_TRUE(created.has_value()) << created.error().message;
  ExpectExact("initial stock");

  std::int64_t now = 1772366400000;  // 2026-03-01T12:00:00Z
  std::vector<domain::Id> ids;
  for (int i = 0; i < 6; ++i) {
    NewMovement m;
    m.empresa_id = e;
    m.producto_id = created->id;
    m.fecha_ms = now - i * 43'200'000LL;
    m.prices.tipo = i % 2 ? "SALIDA" : "ENTRADA";
    m.prices.cantidad = i + 1;
    if (i % 3 == 0) m.prices.precio_unitario = 3.3;
    if (i == 4) m.prices.precio_total = 17.0;
    m.now_ms = now;
    auto r = InTransaction(*db_, [&](Connection& c) { return RecordMovement(c, m); });
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ids.push_back(r->movimiento.id);
  }
  ExpectExact("recorded");
  ASSERT_TRUE(InTransaction(*db_, [&](Connection& c) { return DeleteMovement(c, e, ids[1], now); }).has_value());
  ASSERT_TRUE(InTransaction(*db_, [&](Connection& c) { return DeleteMovement(c, e, ids[2], now); }).has_value());
  ExpectExact("deleted");
  ASSERT_TRUE(InTransaction(*db_, [&](Connection& c) { return RestoreMovement(c, e, ids[1], now); }).has_value());
  ExpectExact("restored");
}

TEST_P(DailyFlowAggregatesTest, VerifyAggregatesCommandExitsOneOnDriftAndRepairs) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E");
  Movement(e, Product(e), "SALIDA", 3, "2026-03-01T10:00:00.000Z", 30.0, std::nullopt, 2.0);
  Exec(R"(UPDATE "iam_tenant_daily_flows" SET "movimientos" = 5)");
  std::string cmd = std::string(IAM_BINARY) + " verify-aggregates --database-url '" + temp_->url() + "'";
  auto run = [&](const std::string& extra) {
    int rc = std::system((cmd + extra + " > /dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(run(""), 1);
  EXPECT_EQ(run(" --empresa " + std::to_string(e) + " --repair"), 0);
  EXPECT_EQ(run(""), 0);
}

IAM_BACKENDS(DailyFlowAggregatesTest);

}  // namespace
}  // namespace iam::store
