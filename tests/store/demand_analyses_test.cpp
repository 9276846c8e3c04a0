// Kept demand analyses of predictive-kpis: reused while a product's sales, creadoEn and the day
// are unchanged; recomputed after plain-SQL writes to the ledger (the version trigger), per
// tenant; never left stale by writers racing a reader. The reference is computed here from the
// aggregate rows with domain::AnalyzeDemand, bypassing the kept table.
#include "store/demand_analyses.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "domain/time_format.hpp"
#include "store/flow_repository.hpp"
#include "store/ledger_fixture.hpp"
#include "store/migrations.hpp"
#include "support/backend_test.hpp"

namespace iam::store {
namespace {

constexpr domain::EpochDay kMar1 = 20513;     // 2026-03-01
constexpr domain::EpochDay kToday = kMar1 + 20;  // 2026-03-21

std::string OnDay(domain::EpochDay day) { return FormatIsoMs(day * 86'400'000 + 36'000'000); }

class DemandAnalysesTest : public test::LedgerTest {
 protected:
  struct Loaded {
    std::map<domain::Id, domain::DemandAnalysis> analyses;  // ACTIVO products only
    DemandAnalysesStats stats;
  };

  Loaded Load(std::int64_t empresa, domain::EpochDay today = kToday,
              const std::unordered_map<domain::Id, domain::EpochDay>& creado = {}) {
    auto lease = db_->Acquire();
    Loaded out;
    auto products = ReadProductSnapshots(**lease, empresa);
    EXPECT_TRUE(products.has_value());
    auto r = LoadDemandAnalyses(**lease, empresa, *products, Creado(empresa, creado), today, &out.stats);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    if (r)
      for (const auto& a : *r)
        if (a.producto.estado == "ACTIVO") out.analyses[a.producto.id] = a.demanda;
    return out;
  }

  // Every product created on kMar1 unless overridden.
  std::unordered_map<domain::Id, domain::EpochDay> Creado(std::int64_t empresa,
                                                          const std::unordered_map<domain::Id, domain::EpochDay>& over) {
    auto lease = db_->Acquire();
    auto products = ReadProductSnapshots(**lease, empresa);
    std::unordered_map<domain::Id, domain::EpochDay> out;
    for (const auto& p : *products) out[p.id] = over.contains(p.id) ? over.at(p.id) : kMar1;
    return out;
  }

  // From the aggregates, without the kept table.
  std::map<domain::Id, domain::DemandAnalysis> Reference(std::int64_t empresa, domain::EpochDay today = kToday,
                                                         const std::unordered_map<domain::Id, domain::EpochDay>& over = {}) {
    auto creado = Creado(empresa, over);
    auto lease = db_->Acquire();
    auto rows = ReadDemandUnits(**lease, empresa, today - 179, today);
    EXPECT_TRUE(rows.has_value());
    std::map<domain::Id, std::vector<domain::DailyUnits>> sales;
    for (const auto& r : *rows) sales[r.producto_id].push_back({r.dia, r.unidades});
    std::map<domain::Id, domain::DemandAnalysis> out;
    auto products = ReadProductSnapshots(**lease, empresa);
    for (const auto& p : *products)
      if (p.estado == "ACTIVO") out[p.id] = domain::AnalyzeDemand(sales[p.id], creado[p.id], today);
    return out;
  }

  void Sale(std::int64_t empresa, std::int64_t producto, std::int64_t units, domain::EpochDay day,
            const char* tipo = "SALIDA") {
    Movement(empresa, producto, tipo, units, OnDay(day), 10.0 * static_cast<double>(units), std::nullopt, 1.0);
  }
};

TEST_P(DemandAnalysesTest, KeptUntilSalesCreadoOrDayChange) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E"), other = Empresa("Other");
  auto p1 = Product(e), p2 = Product(e), p3 = Product(e), q = Product(other);
  for (int d = 0; d < 15; ++d) Sale(e, p1, 3 + d % 4, kMar1 + d);
  Sale(e, p2, 40, kMar1 + 5);
  Sale(e, p2, 2, kMar1 + 12);
  Sale(other, q, 7, kMar1 + 3);

  auto first = Load(e);
  EXPECT_EQ(first.stats.recomputed, 3u);
  EXPECT_TRUE(first.stats.saved);
  EXPECT_EQ(first.analyses, Reference(e));

  auto second = Load(e);
  EXPECT_EQ(second.stats.recomputed, 0u) << "nothing changed: every analysis is kept";
  EXPECT_EQ(second.stats.kept, 3u);
  EXPECT_EQ(second.analyses, first.analyses);

  Sale(e, p2, 9, kMar1 + 19);  // a plain-SQL sale bumps p2's version
  auto after_sale = Load(e);
  EXPECT_EQ(after_sale.stats.recomputed, 1u);
  EXPECT_EQ(after_sale.analyses, Reference(e));
  EXPECT_NE(after_sale.analyses[p2], first.analyses[p2]);

  Sale(e, p1, 50, kMar1 + 19, "ENTRADA");  // entradas are not demand
  EXPECT_EQ(Load(e).stats.recomputed, 0u);

  Exec(R"(UPDATE "MovimientoInventario" SET "cantidad" = 1 WHERE "productoId" = )" + std::to_string(p1) +
       R"( AND "tipo" = 'SALIDA')");
  auto after_update = Load(e);
  EXPECT_EQ(after_update.stats.recomputed, 1u);
  EXPECT_EQ(after_update.analyses, Reference(e));

  Exec(R"(DELETE FROM "MovimientoInventario" WHERE "productoId" = )" + std::to_string(p2));
  auto after_delete = Load(e);
  EXPECT_EQ(after_delete.stats.recomputed, 1u);
  EXPECT_EQ(after_delete.analyses, Reference(e));
  EXPECT_EQ(after_delete.analyses[p2], domain::DemandAnalysis{});

  // creadoEn moved: the series starts elsewhere.
  auto moved = Load(e, kToday, {{p1, kMar1 + 10}});
  EXPECT_EQ(moved.stats.recomputed, 1u);
  EXPECT_EQ(moved.analyses, Reference(e, kToday, {{p1, kMar1 + 10}}));

  // A new day: every analysis is recomputed once, then kept again.
  auto tomorrow = Load(e, kToday + 1);
  EXPECT_EQ(tomorrow.stats.recomputed, 3u);
  EXPECT_EQ(tomorrow.analyses, Reference(e, kToday + 1));
  EXPECT_EQ(Load(e, kToday + 1).stats.recomputed, 0u);

  // The other tenant was never read nor written by the calls above.
  auto theirs = Load(other);
  EXPECT_EQ(theirs.stats.recomputed, 1u);
  EXPECT_EQ(theirs.analyses, Reference(other));
  EXPECT_EQ(theirs.analyses.size(), 1u);
}

TEST_P(DemandAnalysesTest, ProductsLeavingAndReturningToActivo) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E");
  auto p = Product(e);
  Sale(e, p, 5, kMar1 + 1);
  Sale(e, p, 6, kMar1 + 2);
  EXPECT_EQ(Load(e).stats.recomputed, 1u);
  Exec(R"(UPDATE "Producto" SET "estado" = 'INACTIVO' WHERE "id" = )" + std::to_string(p));
  EXPECT_TRUE(Load(e).analyses.empty());
  Sale(e, p, 30, kMar1 + 3);  // sold while INACTIVO (legacy data does that)
  Exec(R"(UPDATE "Producto" SET "estado" = 'ACTIVO' WHERE "id" = )" + std::to_string(p));
  auto back = Load(e);
  EXPECT_EQ(back.stats.recomputed, 1u);
  EXPECT_EQ(back.analyses, Reference(e));
}

TEST_P(DemandAnalysesTest, WritersRacingReadersNeverLeaveAStaleAnalysis) {
  ASSERT_TRUE(Migrate(*db_).has_value());
  auto e = Empresa("E");
  std::vector<std::int64_t> products;
  for (int i = 0; i < 12; ++i) products.push_back(Product(e));
  std::atomic<bool> writing{true};
  std::atomic<int> loads{0};
  std::thread reader([&] {
    while (writing.load()) {
      Load(e);
      loads.fetch_add(1);
    }
  });
  std::mt19937 rng(7);
  for (int i = 0; i < 150; ++i) {
    const auto p = products[rng() % products.size()];
    Sale(e, p, 1 + static_cast<std::int64_t>(rng() % 20), kMar1 + static_cast<domain::EpochDay>(rng() % 20));
  }
  writing.store(false);
  reader.join();
  EXPECT_GT(loads.load(), 0);
  // Whatever interleaving happened, what is kept now must be exact.
  auto final_load = Load(e);
  EXPECT_EQ(final_load.analyses, Reference(e));
  auto again = Load(e);
  EXPECT_EQ(again.stats.recomputed, 0u);
  EXPECT_EQ(again.analyses, Reference(e));
}

IAM_BACKENDS(DemandAnalysesTest);

}  // namespace
}  // namespace iam::store
