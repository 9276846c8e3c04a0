#include "store/daily_flow_aggregates.hpp"

#include <fmt/format.h>

namespace iam::store {
namespace {

// A movement's contribution, written once for a row reference `r` ("m", "OLD" or "NEW") and used
// by the triggers, the back-fill and the consistency check alike, so all three agree by
// construction with domain::FlowSums (kpi_flows.hpp).
struct Parts {
  std::string dia, tipo, shard, cantidad, total, sin_total, costo, sin_costo;
};

Parts PartsOf(Dialect d, const std::string& r) {
  auto col = [&](const char* name) { return r + ".\"" + name + "\""; };
  Parts p;
  // timestamp(3) holds UTC, so its date is the UTC day. SQLite text starts with 'YYYY-MM-DD' in
  // every form we write or meet ('…T10:15:00.000Z', '… 10:15:00'); 2440587.5 is julianday(1970-01-01).
  p.dia = d == Dialect::kPostgres ? fmt::format("({}::date - DATE '1970-01-01')", col("fecha"))
                                  : fmt::format("CAST(julianday(substr({}, 1, 10)) - 2440587.5 AS INTEGER)",
                                                col("fecha"));
  p.tipo = d == Dialect::kPostgres ? col("tipo") + "::text" : col("tipo");
  p.shard = fmt::format("({} % {})", col("productoId"), kTenantShards);
  p.cantidad = col("cantidad");
  p.total = fmt::format("CASE WHEN {0} IS NOT NULL THEN {0} WHEN {1} IS NOT NULL THEN {2} * {1} ELSE 0.0 END",
                        col("precioTotal"), col("precioUnitario"), col("cantidad"));
  p.sin_total = fmt::format("CASE WHEN {} IS NULL AND {} IS NULL THEN {} ELSE 0 END", col("precioTotal"),
                            col("precioUnitario"), col("cantidad"));
  p.costo = fmt::format("CASE WHEN {0} IS NOT NULL THEN {1} * {0} ELSE 0.0 END", col("costoUnitario"),
                        col("cantidad"));
  p.sin_costo = fmt::format("CASE WHEN {} IS NULL THEN {} ELSE 0 END", col("costoUnitario"), col("cantidad"));
  return p;
}

constexpr const char* kSums =
    R"("movimientos", "cantidad", "total_conocido", "cantidad_sin_total", "costo_conocido", "cantidad_sin_costo")";
constexpr const char* kAddExcluded =
    R"("movimientos" = {0}"movimientos" + excluded."movimientos",
    "cantidad" = {0}"cantidad" + excluded."cantidad",
    "total_conocido" = {0}"total_conocido" + excluded."total_conocido",
    "cantidad_sin_total" = {0}"cantidad_sin_total" + excluded."cantidad_sin_total",
    "costo_conocido" = {0}"costo_conocido" + excluded."costo_conocido",
    "cantidad_sin_costo" = {0}"cantidad_sin_costo" + excluded."cantidad_sin_costo")";

std::string CreateTables(Dialect d) {
  const char* real = d == Dialect::kPostgres ? "DOUBLE PRECISION" : "REAL";
  return fmt::format(R"SQL(
CREATE TABLE IF NOT EXISTS "iam_product_daily_flows" (
  "empresa_id" INTEGER NOT NULL,
  "producto_id" INTEGER NOT NULL,
  "dia" INTEGER NOT NULL,
  "tipo" TEXT NOT NULL,
  "movimientos" BIGINT NOT NULL DEFAULT 0,
  "cantidad" BIGINT NOT NULL DEFAULT 0,
  "total_conocido" {0} NOT NULL DEFAULT 0,
  "cantidad_sin_total" BIGINT NOT NULL DEFAULT 0,
  "costo_conocido" {0} NOT NULL DEFAULT 0,
  "cantidad_sin_costo" BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY ("producto_id", "dia", "tipo"));
CREATE INDEX IF NOT EXISTS "iam_product_daily_flows_empresa_dia_idx"
  ON "iam_product_daily_flows" ("empresa_id", "dia");
CREATE INDEX IF NOT EXISTS "iam_product_daily_flows_legacy_idx"
  ON "iam_product_daily_flows" ("empresa_id", "dia")
  WHERE "cantidad_sin_total" <> 0 OR "cantidad_sin_costo" <> 0;
CREATE TABLE IF NOT EXISTS "iam_tenant_daily_flows" (
  "empresa_id" INTEGER NOT NULL,
  "dia" INTEGER NOT NULL,
  "tipo" TEXT NOT NULL,
  "shard" INTEGER NOT NULL,
  "movimientos" BIGINT NOT NULL DEFAULT 0,
  "cantidad" BIGINT NOT NULL DEFAULT 0,
  "total_conocido" {0} NOT NULL DEFAULT 0,
  "cantidad_sin_total" BIGINT NOT NULL DEFAULT 0,
  "costo_conocido" {0} NOT NULL DEFAULT 0,
  "cantidad_sin_costo" BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY ("empresa_id", "dia", "tipo", "shard"));
)SQL",
                     real);
}

// PostgreSQL: two helpers applying ±1 movement to one table each, one row trigger, and a
// TRUNCATE trigger. Rows that no movement counts in any more are deleted (a fresh row also resets
// any floating-point residue). The trigger touches the product row(s) first, then the tenant
// row(s), each pair in key order, so two UPDATEs moving movements in opposite directions (tipo,
// day, product) lock in the same order and do not deadlock each other.
std::string PostgresTriggers() {
  constexpr const char* kSumParams =
      "p_sign integer, p_cantidad bigint, p_total double precision, p_sin_total bigint, "
      "p_costo double precision, p_sin_costo bigint";
  constexpr const char* kSumValues =
      "p_sign, p_sign * p_cantidad, p_sign * p_total, p_sign * p_sin_total, p_sign * p_costo, p_sign * p_sin_costo";
  std::string apply = fmt::format(R"SQL(
DROP FUNCTION IF EXISTS "iam_apply_movimiento_flow"(integer, integer, integer, text, integer, bigint,
    double precision, bigint, double precision, bigint);
CREATE OR REPLACE FUNCTION "iam_apply_product_flow"(p_empresa integer, p_producto integer, p_dia integer,
    p_tipo text, {2}) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO "iam_product_daily_flows" AS f ("empresa_id", "producto_id", "dia", "tipo", {0})
  VALUES (p_empresa, p_producto, p_dia, p_tipo, {3})
  ON CONFLICT ("producto_id", "dia", "tipo") DO UPDATE SET {1};
  IF p_sign < 0 THEN
    DELETE FROM "iam_product_daily_flows"
      WHERE "producto_id" = p_producto AND "dia" = p_dia AND "tipo" = p_tipo AND "movimientos" = 0;
  END IF;
END $fn$;
CREATE OR REPLACE FUNCTION "iam_apply_tenant_flow"(p_empresa integer, p_dia integer, p_tipo text,
    p_shard integer, {2}) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO "iam_tenant_daily_flows" AS f ("empresa_id", "dia", "tipo", "shard", {0})
  VALUES (p_empresa, p_dia, p_tipo, p_shard, {3})
  ON CONFLICT ("empresa_id", "dia", "tipo", "shard") DO UPDATE SET {1};
  IF p_sign < 0 THEN
    DELETE FROM "iam_tenant_daily_flows"
      WHERE "empresa_id" = p_empresa AND "dia" = p_dia AND "tipo" = p_tipo AND "shard" = p_shard
        AND "movimientos" = 0;
  END IF;
END $fn$;
)SQL",
                                  kSums, fmt::format(kAddExcluded, "f."), kSumParams, kSumValues);
  auto sums = [](const Parts& p, int sign) {
    return fmt::format("{}, {}, {}, {}, {}, {}", sign, p.cantidad, p.total, p.sin_total, p.costo, p.sin_costo);
  };
  auto product = [&](const char* r, int sign) {
    Parts p = PartsOf(Dialect::kPostgres, r);
    return fmt::format(R"(PERFORM "iam_apply_product_flow"({0}."empresaId", {0}."productoId", {1}, {2}, {3});)", r,
                       p.dia, p.tipo, sums(p, sign));
  };
  auto tenant = [&](const char* r, int sign) {
    Parts p = PartsOf(Dialect::kPostgres, r);
    return fmt::format(R"(PERFORM "iam_apply_tenant_flow"({0}."empresaId", {1}, {2}, {3}, {4});)", r, p.dia, p.tipo,
                       p.shard, sums(p, sign));
  };
  auto product_key = [](const char* r) {
    Parts p = PartsOf(Dialect::kPostgres, r);
    return fmt::format(R"(ROW({}."productoId", {}, {}))", r, p.dia, p.tipo);
  };
  auto tenant_key = [](const char* r) {
    Parts p = PartsOf(Dialect::kPostgres, r);
    return fmt::format(R"(ROW({}."empresaId", {}, {}, {}))", r, p.dia, p.tipo, p.shard);
  };
  // Removes OLD and adds NEW (when they count) on one table, lower key first.
  auto ordered = [](const std::string& new_key, const std::string& old_key, const std::string& remove_old,
                    const std::string& add_new) {
    return fmt::format(R"(
  IF o AND n AND {0} < {1} THEN
    {3}
    {2}
  ELSE
    IF o THEN {2} END IF;
    IF n THEN {3} END IF;
  END IF;)",
                       new_key, old_key, remove_old, add_new);
  };
  constexpr const char* kRelevant =
      R"(({0}."estado", {0}."empresaId", {0}."productoId", {0}."fecha", {0}."tipo", {0}."cantidad",
       {0}."precioTotal", {0}."precioUnitario", {0}."costoUnitario"))";
  std::string trigger = fmt::format(R"SQL(
CREATE OR REPLACE FUNCTION "iam_movimiento_flows_trigger"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  o boolean := false;  -- OLD counted
  n boolean := false;  -- NEW counts
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF {0} IS NOT DISTINCT FROM {1} THEN RETURN NULL; END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    o := OLD."estado" = 'ACTIVO';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    n := NEW."estado" = 'ACTIVO';
  END IF;{2}{3}
  RETURN NULL;
END $fn$;
CREATE OR REPLACE FUNCTION "iam_movimiento_flows_truncate"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM "iam_product_daily_flows";
  DELETE FROM "iam_tenant_daily_flows";
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS "iam_movimiento_flows" ON "MovimientoInventario";
CREATE TRIGGER "iam_movimiento_flows" AFTER INSERT OR UPDATE OR DELETE ON "MovimientoInventario"
  FOR EACH ROW EXECUTE FUNCTION "iam_movimiento_flows_trigger"();
DROP TRIGGER IF EXISTS "iam_movimiento_flows_truncate" ON "MovimientoInventario";
CREATE TRIGGER "iam_movimiento_flows_truncate" AFTER TRUNCATE ON "MovimientoInventario"
  FOR EACH STATEMENT EXECUTE FUNCTION "iam_movimiento_flows_truncate"();
)SQL",
                                    fmt::format(kRelevant, "OLD"), fmt::format(kRelevant, "NEW"),
                                    ordered(product_key("NEW"), product_key("OLD"), product("OLD", -1),
                                            product("NEW", 1)),
                                    ordered(tenant_key("NEW"), tenant_key("OLD"), tenant("OLD", -1),
                                            tenant("NEW", 1)));
  return apply + trigger;
}

// SQLite: the statements of a trigger body adding (sign +1) or removing (-1) row `r` when it is
// ACTIVO. `INSERT … SELECT … WHERE` is an upsert that writes nothing when the row does not count.
std::string SqliteApply(const char* r, int sign) {
  Parts p = PartsOf(Dialect::kSqlite, r);
  std::string values = fmt::format("{1}, {0} * {2}, {0} * ({3}), {0} * ({4}), {0} * ({5}), {0} * ({6})", sign,
                                   sign, p.cantidad, p.total, p.sin_total, p.costo, p.sin_costo);
  std::string out = fmt::format(R"SQL(
  INSERT INTO "iam_product_daily_flows" ("empresa_id", "producto_id", "dia", "tipo", {0})
    SELECT {1}."empresaId", {1}."productoId", {2}, {3}, {4} WHERE {1}."estado" = 'ACTIVO'
    ON CONFLICT ("producto_id", "dia", "tipo") DO UPDATE SET {5};
  INSERT INTO "iam_tenant_daily_flows" ("empresa_id", "dia", "tipo", "shard", {0})
    SELECT {1}."empresaId", {2}, {3}, {6}, {4} WHERE {1}."estado" = 'ACTIVO'
    ON CONFLICT ("empresa_id", "dia", "tipo", "shard") DO UPDATE SET {5};)SQL",
                                kSums, r, p.dia, p.tipo, values, fmt::format(kAddExcluded, ""), p.shard);
  if (sign < 0) {
    out += fmt::format(R"SQL(
  DELETE FROM "iam_product_daily_flows"
    WHERE "producto_id" = {0}."productoId" AND "dia" = {1} AND "tipo" = {2} AND "movimientos" = 0;
  DELETE FROM "iam_tenant_daily_flows"
    WHERE "empresa_id" = {0}."empresaId" AND "dia" = {1} AND "tipo" = {2} AND "shard" = {3}
      AND "movimientos" = 0;)SQL",
                       r, p.dia, p.tipo, p.shard);
  }
  return out;
}

std::string SqliteTriggers() {
  return fmt::format(R"SQL(
DROP TRIGGER IF EXISTS "iam_movimiento_flows_insert";
CREATE TRIGGER "iam_movimiento_flows_insert" AFTER INSERT ON "MovimientoInventario"
BEGIN {0}
END;
DROP TRIGGER IF EXISTS "iam_movimiento_flows_update";
CREATE TRIGGER "iam_movimiento_flows_update" AFTER UPDATE ON "MovimientoInventario"
  WHEN OLD."estado" IS NOT NEW."estado" OR OLD."empresaId" IS NOT NEW."empresaId"
    OR OLD."productoId" IS NOT NEW."productoId" OR OLD."fecha" IS NOT NEW."fecha" OR OLD."tipo" IS NOT NEW."tipo"
    OR OLD."cantidad" IS NOT NEW."cantidad" OR OLD."precioTotal" IS NOT NEW."precioTotal"
    OR OLD."precioUnitario" IS NOT NEW."precioUnitario" OR OLD."costoUnitario" IS NOT NEW."costoUnitario"
BEGIN {1}{0}
END;
DROP TRIGGER IF EXISTS "iam_movimiento_flows_delete";
CREATE TRIGGER "iam_movimiento_flows_delete" AFTER DELETE ON "MovimientoInventario"
BEGIN {1}
END;
)SQL",
                     SqliteApply("NEW", 1), SqliteApply("OLD", -1));
}

std::string TenantFilter(Dialect d, const char* column) {
  return d == Dialect::kPostgres ? fmt::format("($1::integer IS NULL OR {} = $1::integer)", column)
                                 : fmt::format("($1 IS NULL OR {} = $1)", column);
}

Param TenantParam(std::optional<domain::Id> empresa) {
  return empresa ? Param(static_cast<std::int64_t>(*empresa)) : Param(nullptr);
}

}  // namespace

std::string RecomputeProductFlowsSql(Dialect d) {
  Parts p = PartsOf(d, "m");
  return fmt::format(
      R"(SELECT MAX(m."empresaId"), m."productoId", {0}, {1}, COUNT(*), SUM({2}), SUM({3}), SUM({4}), SUM({5}),
       SUM({6}) FROM "MovimientoInventario" m WHERE m."estado" = 'ACTIVO' AND {7} GROUP BY 2, 3, 4)",
      p.dia, p.tipo, p.cantidad, p.total, p.sin_total, p.costo, p.sin_costo, TenantFilter(d, "m.\"empresaId\""));
}

std::string RecomputeTenantFlowsSql(Dialect d) {
  Parts p = PartsOf(d, "m");
  return fmt::format(
      R"(SELECT m."empresaId", {0}, {1}, {8}, COUNT(*), SUM({2}), SUM({3}), SUM({4}), SUM({5}), SUM({6})
       FROM "MovimientoInventario" m WHERE m."estado" = 'ACTIVO' AND {7} GROUP BY 1, 2, 3, 4)",
      p.dia, p.tipo, p.cantidad, p.total, p.sin_total, p.costo, p.sin_costo, TenantFilter(d, "m.\"empresaId\""),
      p.shard);
}

Result<void> RebuildDailyFlowAggregates(Connection& conn, std::optional<domain::Id> empresa) {
  Dialect d = conn.dialect();
  if (d == Dialect::kPostgres) {
    // Writers of movements wait until we commit, so no trigger update can slip between the delete
    // and the recomputation; readers are not blocked.
    if (auto r = conn.Query(R"(LOCK TABLE "MovimientoInventario" IN SHARE MODE)", {}); !r) return Fail(r.error());
  }
  const Param params[] = {TenantParam(empresa)};
  const std::string statements[] = {
      "DELETE FROM \"iam_product_daily_flows\" WHERE " + TenantFilter(d, "\"empresa_id\""),
      "DELETE FROM \"iam_tenant_daily_flows\" WHERE " + TenantFilter(d, "\"empresa_id\""),
      fmt::format(R"(INSERT INTO "iam_product_daily_flows" ("empresa_id", "producto_id", "dia", "tipo", {}) {})",
                  kSums, RecomputeProductFlowsSql(d)),
      fmt::format(R"(INSERT INTO "iam_tenant_daily_flows" ("empresa_id", "dia", "tipo", "shard", {}) {})", kSums,
                  RecomputeTenantFlowsSql(d)),
  };
  for (const auto& sql : statements) {
    if (auto r = conn.Query(sql, params); !r) return Fail(r.error());
  }
  return {};
}

Result<void> InstallDailyFlowAggregates(Connection& conn) {
  Dialect d = conn.dialect();
  if (auto r = conn.ExecScript(CreateTables(d)); !r) return Fail(r.error());
  if (auto r = conn.ExecScript(d == Dialect::kPostgres ? PostgresTriggers() : SqliteTriggers()); !r) {
    return Fail(r.error());
  }
  return RebuildDailyFlowAggregates(conn, std::nullopt);
}

}  // namespace iam::store
