#include "domain/movement_rules.hpp"

#include <cmath>

namespace iam::domain {

double RoundMoney(double value) { return std::round(value * 100.0) / 100.0; }  // std::round: half away from 0

Result<void> CheckPrices(const PriceRequest& r) {
  if (!r.precio_unitario || !r.precio_total) return {};
  double expected = *r.precio_unitario * static_cast<double>(r.cantidad);
  // The absolute 0.01 of api.md, plus a relative hair so that a consistent pair of large values
  // is not refused for double rounding alone.
  double slack = kPriceTolerance + std::fabs(*r.precio_total) * 1e-12;
  if (std::fabs(expected - *r.precio_total) > slack)
    return Fail(Error::InvalidArgument("precioTotal: no coincide con precioUnitario × cantidad"));
  return {};
}

MovementPrices ResolvePrices(const PriceRequest& r, double precio_compra, double precio_venta) {
  MovementPrices out;
  out.costo_unitario = precio_compra;
  out.tipo_precio = r.tipo_precio.value_or(r.tipo == "SALIDA" ? "VENTA" : "COMPRA");
  auto q = static_cast<double>(r.cantidad);
  if (r.precio_unitario) {
    out.precio_unitario = *r.precio_unitario;
  } else if (r.precio_total) {
    out.precio_unitario = *r.precio_total / q;
  } else if (out.tipo_precio == "COMPRA" || out.tipo_precio == "VENTA") {
    out.precio_unitario = out.tipo_precio == "COMPRA" ? precio_compra : precio_venta;
  } else {
    out.precio_unitario = r.tipo == "SALIDA" ? precio_venta : precio_compra;
  }
  out.precio_total = r.precio_total ? *r.precio_total : RoundMoney(out.precio_unitario * q);
  return out;
}

Result<std::int64_t> ResolveFecha(std::optional<std::int64_t> fecha_ms, std::int64_t now_ms) {
  if (!fecha_ms) return now_ms;
  if (*fecha_ms > now_ms + kMaxFechaAheadMs)
    return Fail(Error::InvalidArgument("fecha: no puede ser posterior a mañana (ahora + 1 día)"));
  return *fecha_ms;
}

std::int64_t StockDelta(std::string_view tipo, std::int64_t cantidad, StockOp op) {
  std::int64_t applied = tipo == "SALIDA" ? -cantidad : cantidad;
  return op == StockOp::kDelete ? -applied : applied;
}

Result<std::int64_t> ApplyStockDelta(std::int64_t stock, std::int64_t delta) {
  std::int64_t next = stock + delta;
  // Only a decrease is refused for going below zero: an entrada into legacy negative stock is fine.
  if (delta < 0 && next < 0)
    return Fail(Error::Conflict("Stock insuficiente: el stock no puede quedar negativo", "STOCK_INSUFICIENTE"));
  if (next > kMaxStock) return Fail(Error::Conflict("El stock superaría el máximo permitido", "STOCK_MAXIMO"));
  return next;
}

}  // namespace iam::domain
