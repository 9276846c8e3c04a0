#include "store/demand_analyses.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "domain/kpi_window.hpp"
#include "store/flow_repository.hpp"

namespace iam::store {
namespace {

using domain::DemandAnalysis;
using domain::DemandClass;
using domain::ForecastMethod;

std::string CreateTable(Dialect d) {
  const char* real = d == Dialect::kPostgres ? "DOUBLE PRECISION" : "REAL";
  return fmt::format(R"SQL(
CREATE TABLE IF NOT EXISTS "iam_product_demand" (
  "producto_id" INTEGER PRIMARY KEY,
  "empresa_id" INTEGER NOT NULL,
  "version" BIGINT NOT NULL DEFAULT 0,
  "computed_version" BIGINT,
  "computed_day" INTEGER,
  "creado_day" INTEGER,
  "metodo" TEXT,
  "clasificacion" TEXT,
  "alpha" {0},
  "adi" {0},
  "cv2" {0},
  "demanda_diaria" {0},
  "sigma" {0},
  "units_180" BIGINT);
CREATE INDEX IF NOT EXISTS "iam_product_demand_empresa_idx" ON "iam_product_demand" ("empresa_id");
)SQL",
                     real);
}

// Any change to a SALIDA aggregate row of a product (the triggers of daily_flow_aggregates.cpp
// insert, update and delete them) bumps that product's version, creating its row if needed.
constexpr const char* kPostgresTrigger = R"SQL(
CREATE OR REPLACE FUNCTION "iam_product_demand_bump"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  p integer;
  e integer;
  t text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    p := OLD."producto_id"; e := OLD."empresa_id"; t := OLD."tipo";
  ELSE
    p := NEW."producto_id"; e := NEW."empresa_id"; t := NEW."tipo";
  END IF;
  IF t = 'SALIDA' THEN
    INSERT INTO "iam_product_demand" AS d ("producto_id", "empresa_id", "version") VALUES (p, e, 1)
      ON CONFLICT ("producto_id") DO UPDATE SET "version" = d."version" + 1;
  END IF;
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS "iam_product_demand_bump" ON "iam_product_daily_flows";
CREATE TRIGGER "iam_product_demand_bump" AFTER INSERT OR UPDATE OR DELETE ON "iam_product_daily_flows"
  FOR EACH ROW EXECUTE FUNCTION "iam_product_demand_bump"();
)SQL";

std::string SqliteTrigger(const char* name, const char* event, const char* row) {
  return fmt::format(R"SQL(
DROP TRIGGER IF EXISTS "iam_product_demand_bump_{0}";
CREATE TRIGGER "iam_product_demand_bump_{0}" AFTER {1} ON "iam_product_daily_flows" WHEN {2}."tipo" = 'SALIDA'
BEGIN
  INSERT INTO "iam_product_demand" ("producto_id", "empresa_id", "version") VALUES ({2}."producto_id", {2}."empresa_id", 1)
    ON CONFLICT ("producto_id") DO UPDATE SET "version" = "version" + 1;
END;
)SQL",
                     name, event, row);
}

constexpr const char* kSelectKept =
    R"(SELECT "producto_id", "version", "computed_version", "computed_day", "creado_day", "metodo", "clasificacion",
              "alpha", "adi", "cv2", "demanda_diaria", "sigma", "units_180"
       FROM "iam_product_demand" WHERE "empresa_id" = $1)";

// The SALIDA units of some products: one primary-key range per product.
constexpr const char* kSelectUnitsOfPostgres =
    R"(SELECT "producto_id", "dia", "cantidad" FROM "iam_product_daily_flows"
       WHERE "producto_id" = ANY($1::integer[]) AND "empresa_id" = $2 AND "tipo" = 'SALIDA'
         AND "dia" BETWEEN $3 AND $4 AND "cantidad" <> 0)";
// SQLite's planner would rather take the tenant-wide demand index (a scan of every product-day of
// the tenant); the unary `+` keeps those two terms off any index, so the primary key is used.
constexpr const char* kSelectUnitsOfSqlite =
    R"(SELECT "producto_id", "dia", "cantidad" FROM "iam_product_daily_flows"
       WHERE "producto_id" IN (SELECT "value" FROM json_each($1)) AND +"empresa_id" = $2 AND +"tipo" = 'SALIDA'
         AND "dia" BETWEEN $3 AND $4 AND "cantidad" <> 0)";

// Written only over the version it was computed from (a missing row is created with it): when a
// writer bumped the version meanwhile, the analysis is already outdated and is not kept.
constexpr const char* kUpsertSet =
    R"(ON CONFLICT ("producto_id") DO UPDATE SET
         "empresa_id" = excluded."empresa_id", "computed_version" = excluded."computed_version",
         "computed_day" = excluded."computed_day", "creado_day" = excluded."creado_day",
         "metodo" = excluded."metodo", "clasificacion" = excluded."clasificacion", "alpha" = excluded."alpha",
         "adi" = excluded."adi", "cv2" = excluded."cv2", "demanda_diaria" = excluded."demanda_diaria",
         "sigma" = excluded."sigma", "units_180" = excluded."units_180"
       WHERE "iam_product_demand"."version" = excluded."computed_version")";
constexpr const char* kColumns =
    R"("producto_id", "empresa_id", "version", "computed_version", "computed_day", "creado_day", "metodo",
       "clasificacion", "alpha", "adi", "cv2", "demanda_diaria", "sigma", "units_180")";

// Recomputing this share of a tenant's products (or more) reads the whole tenant's sales in one
// index range instead of one range per product.
constexpr std::size_t kReadAllFraction = 8;

struct Kept {
  std::int64_t version = 0;
  std::optional<std::int64_t> computed_version;
  std::optional<domain::EpochDay> computed_day, creado_day;
  std::optional<DemandAnalysis> analysis;  // nullopt when the row has none or an unknown name
};

struct Fresh {
  domain::Id producto_id = 0;
  std::int64_t version = 0;  // the version read before the sales were
  domain::EpochDay creado_day = 0;
  DemandAnalysis analysis;
};

std::optional<ForecastMethod> MethodNamed(std::string_view name) {
  for (ForecastMethod m : {ForecastMethod::kSma, ForecastMethod::kSes, ForecastMethod::kSba})
    if (domain::ForecastMethodName(m) == name) return m;
  return std::nullopt;
}

std::optional<DemandClass> ClassNamed(std::string_view name) {
  for (DemandClass c : {DemandClass::kSmooth, DemandClass::kIntermittent, DemandClass::kErratic, DemandClass::kLumpy,
                        DemandClass::kInsufficientData})
    if (domain::DemandClassName(c) == name) return c;
  return std::nullopt;
}

Result<std::unordered_map<domain::Id, Kept>> ReadKept(Connection& conn, domain::Id empresa) {
  auto rs = conn.Query(kSelectKept, {Param(static_cast<std::int64_t>(empresa))});
  if (!rs) return Fail(rs.error());
  std::unordered_map<domain::Id, Kept> out;
  out.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    Kept k{.version = r.Int(1), .computed_version = r.OptInt(2), .computed_day = r.OptInt(3),
           .creado_day = r.OptInt(4), .analysis = std::nullopt};
    auto metodo = MethodNamed(r.Text(5));
    auto clase = ClassNamed(r.Text(6));
    if (metodo && clase) {
      k.analysis = DemandAnalysis{.forecast = {.metodo = *metodo,
                                               .clasificacion = *clase,
                                               .alpha = r.OptDouble(7),
                                               .adi = r.OptDouble(8),
                                               .cv2 = r.OptDouble(9),
                                               .demanda_diaria = r.Double(10)},
                                  .units_180 = r.Int(12),
                                  .sigma = r.Double(11)};
    }
    out.emplace(r.Int(0), std::move(k));
  }
  return out;
}

bool IsCurrent(const Kept& k, domain::EpochDay today, domain::EpochDay creado_day) {
  return k.analysis && k.computed_version == k.version && k.computed_day == today && k.creado_day == creado_day;
}

// "{a,b,NULL}" literals for PostgreSQL array parameters.
template <typename Fmt>
std::string ArrayLiteral(std::span<const Fresh> rows, Fmt&& cell) {
  std::string out = "{";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += cell(rows[i]);
  }
  out += '}';
  return out;
}

std::string Number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that round-trips
  return std::string(buf, end);
}

std::string Number(const std::optional<double>& v) { return v ? Number(*v) : "NULL"; }

Result<ResultSet> SaveOnPostgres(Connection& conn, domain::Id empresa, domain::EpochDay today,
                                 std::span<const Fresh> rows) {
  const std::string sql = fmt::format(
      R"(INSERT INTO "iam_product_demand" ({0})
         SELECT p, $1::integer, v, v, $2::integer, c, m, k, a, i, q, f, s, u
         FROM unnest($3::integer[], $4::bigint[], $5::integer[], $6::text[], $7::text[], $8::float8[],
                     $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::bigint[])
              AS t(p, v, c, m, k, a, i, q, f, s, u)
         {1})",
      kColumns, kUpsertSet);
  auto ints = [&](auto member) {
    return ArrayLiteral(rows, [&](const Fresh& f) { return std::to_string(member(f)); });
  };
  auto reals = [&](auto member) {
    return ArrayLiteral(rows, [&](const Fresh& f) { return Number(member(f)); });
  };
  auto names = [&](auto member) {
    return ArrayLiteral(rows, [&](const Fresh& f) { return std::string(member(f)); });
  };
  const std::vector<Param> params{
      Param(static_cast<std::int64_t>(empresa)),
      Param(today),
      Param(ints([](const Fresh& f) { return f.producto_id; })),
      Param(ints([](const Fresh& f) { return f.version; })),
      Param(ints([](const Fresh& f) { return f.creado_day; })),
      Param(names([](const Fresh& f) { return domain::ForecastMethodName(f.analysis.forecast.metodo); })),
      Param(names([](const Fresh& f) { return domain::DemandClassName(f.analysis.forecast.clasificacion); })),
      Param(reals([](const Fresh& f) { return f.analysis.forecast.alpha; })),
      Param(reals([](const Fresh& f) { return f.analysis.forecast.adi; })),
      Param(reals([](const Fresh& f) { return f.analysis.forecast.cv2; })),
      Param(reals([](const Fresh& f) { return f.analysis.forecast.demanda_diaria; })),
      Param(reals([](const Fresh& f) { return f.analysis.sigma; })),
      Param(ints([](const Fresh& f) { return f.analysis.units_180; })),
  };
  // A reader never waits long behind a writer holding a product's row: it gives up the write-back.
  if (auto r = conn.Query("SELECT set_config('lock_timeout', '200ms', true)"); !r) return r;
  return conn.Query(sql, params);
}

Result<void> SaveOnSqlite(Connection& conn, domain::Id empresa, domain::EpochDay today, std::span<const Fresh> rows) {
  const std::string sql =
      fmt::format(R"(INSERT INTO "iam_product_demand" ({0}) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                     {1})",
                  kColumns, kUpsertSet);
  auto opt = [](const std::optional<double>& v) { return v ? Param(*v) : Param(nullptr); };
  for (const Fresh& f : rows) {
    const auto& fc = f.analysis.forecast;
    auto r = conn.Query(sql, {Param(static_cast<std::int64_t>(f.producto_id)), Param(static_cast<std::int64_t>(empresa)),
                              Param(f.version), Param(today), Param(f.creado_day),
                              Param(std::string(domain::ForecastMethodName(fc.metodo))),
                              Param(std::string(domain::DemandClassName(fc.clasificacion))), opt(fc.alpha), opt(fc.adi),
                              opt(fc.cv2), Param(fc.demanda_diaria), Param(f.analysis.sigma), Param(f.analysis.units_180)});
    if (!r) return Fail(r.error());
  }
  return {};
}

bool Save(Connection& conn, domain::Id empresa, domain::EpochDay today, std::span<const Fresh> rows) {
  if (rows.empty()) return true;
  if (!conn.Begin()) return false;
  bool ok = conn.dialect() == Dialect::kPostgres ? SaveOnPostgres(conn, empresa, today, rows).has_value()
                                                 : SaveOnSqlite(conn, empresa, today, rows).has_value();
  if (ok) ok = conn.Commit().has_value();
  if (!ok) (void)conn.Rollback();
  return ok;
}

Result<std::vector<ProductDayUnits>> ReadUnitsOf(Connection& conn, domain::Id empresa,
                                                 std::span<const domain::Id> products, domain::DayWindow w) {
  std::string list = conn.dialect() == Dialect::kPostgres ? "{" : "[";
  for (std::size_t i = 0; i < products.size(); ++i) list += (i ? "," : "") + std::to_string(products[i]);
  list += conn.dialect() == Dialect::kPostgres ? "}" : "]";
  auto rs = conn.Query(conn.dialect() == Dialect::kPostgres ? kSelectUnitsOfPostgres : kSelectUnitsOfSqlite,
                       {Param(std::move(list)), Param(static_cast<std::int64_t>(empresa)), Param(w.first), Param(w.last)});
  if (!rs) return Fail(rs.error());
  std::vector<ProductDayUnits> out;
  out.reserve(rs->size());
  for (std::size_t i = 0; i < rs->size(); ++i) {
    auto r = (*rs)[i];
    out.push_back(ProductDayUnits{.producto_id = r.Int(0), .dia = r.Int(1), .unidades = r.Int(2)});
  }
  return out;
}

}  // namespace

Result<void> InstallDemandAnalyses(Connection& conn) {
  std::string script = CreateTable(conn.dialect());
  if (conn.dialect() == Dialect::kPostgres) {
    script += kPostgresTrigger;
  } else {
    script += SqliteTrigger("insert", "INSERT", "NEW") + SqliteTrigger("update", "UPDATE", "NEW") +
              SqliteTrigger("delete", "DELETE", "OLD");
  }
  return conn.ExecScript(script);
}

Result<std::vector<domain::AnalyzedProduct>> LoadDemandAnalyses(
    Connection& conn, domain::Id empresa, std::span<const domain::ProductSnapshot> products,
    const std::unordered_map<domain::Id, domain::EpochDay>& creado_en, domain::EpochDay today,
    DemandAnalysesStats* stats) {
  auto kept = ReadKept(conn, empresa);
  if (!kept) return Fail(kept.error());
  auto creado_of = [&](domain::Id id) {
    auto it = creado_en.find(id);
    return it != creado_en.end() ? it->second : today;
  };

  std::vector<domain::AnalyzedProduct> out;
  out.reserve(products.size());
  std::vector<std::size_t> stale;  // indexes into `out`
  for (const domain::ProductSnapshot& p : products) {
    out.push_back(domain::AnalyzedProduct{p, {}});
    if (p.estado != "ACTIVO") continue;
    auto it = kept->find(p.id);
    if (it != kept->end() && IsCurrent(it->second, today, creado_of(p.id))) {
      out.back().demanda = *it->second.analysis;
    } else {
      stale.push_back(out.size() - 1);
    }
  }
  DemandAnalysesStats local{.kept = products.size() - stale.size(), .recomputed = stale.size(), .saved = true};
  if (!stale.empty()) {
    const domain::DayWindow history = domain::LastDays(today, domain::kDemandHistoryDays);
    std::vector<domain::Id> ids;
    ids.reserve(stale.size());
    for (std::size_t i : stale) ids.push_back(out[i].producto.id);
    auto rows = stale.size() * kReadAllFraction >= products.size()
                    ? ReadDemandUnits(conn, empresa, history.first, history.last)
                    : ReadUnitsOf(conn, empresa, ids, history);
    if (!rows) return Fail(rows.error());

    std::unordered_map<domain::Id, std::vector<domain::DailyUnits>> sales;
    sales.reserve(stale.size());
    for (domain::Id id : ids) sales.try_emplace(id);
    for (const ProductDayUnits& r : *rows)
      if (auto it = sales.find(r.producto_id); it != sales.end())
        it->second.push_back(domain::DailyUnits{.dia = r.dia, .unidades = r.unidades});

    std::vector<Fresh> fresh;
    fresh.reserve(stale.size());
    for (std::size_t i : stale) {
      const domain::Id id = out[i].producto.id;
      const domain::EpochDay creado = creado_of(id);
      out[i].demanda = domain::AnalyzeDemand(sales[id], creado, today);
      auto it = kept->find(id);
      fresh.push_back(Fresh{.producto_id = id,
                            .version = it != kept->end() ? it->second.version : 0,
                            .creado_day = creado,
                            .analysis = out[i].demanda});
    }
    local.saved = Save(conn, empresa, today, fresh);
  }
  if (stats) *stats = local;
  return out;
}

}  // namespace iam::store
