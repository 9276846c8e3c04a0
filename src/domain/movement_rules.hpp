// Movement rules (api.md "Inventory movements"): the pure part of recording, deleting and restoring
// an inventory movement — fecha bounds, price defaults and reconciliation, and stock arithmetic.
// No I/O, no state; safe from any thread. A refused input is a Result error: kInvalidArgument
// (400, the message names the field) or kConflict (409, code STOCK_INSUFICIENTE / STOCK_MAXIMO).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"

namespace iam::domain {

inline constexpr std::int64_t kMinCantidad = 1;
inline constexpr std::int64_t kMaxCantidad = 999999;
inline constexpr std::int64_t kMaxStock = 2147483647;  // "Producto"."stock" is a 32-bit int
inline constexpr std::int64_t kMaxFechaAheadMs = 24LL * 3600 * 1000;
inline constexpr double kPriceTolerance = 0.01;

// The prices a client may send with a movement. REQUIRES: cantidad >= 1, prices >= 0.
struct PriceRequest {
  std::string tipo;  // ENTRADA | SALIDA
  std::int64_t cantidad = 1;
  std::optional<double> precio_unitario, precio_total;
  std::optional<std::string> tipo_precio;  // COMPRA | VENTA | AJUSTE | TRANSFERENCIA
};

struct MovementPrices {
  double precio_unitario = 0;
  double precio_total = 0;
  std::string tipo_precio;
  double costo_unitario = 0;  // the product's precioCompra when recorded
};

// Money rounded to cents, half away from zero.
double RoundMoney(double value);

// 400 naming `precioTotal` when both prices are given and precioUnitario × cantidad differs from
// precioTotal by more than kPriceTolerance. Needs no product, so it runs before any database work.
Result<void> CheckPrices(const PriceRequest& request);

// Fills the defaults. tipoPrecio: as sent, else COMPRA for ENTRADA and VENTA for SALIDA.
// precioUnitario: as sent; else precioTotal / cantidad when only precioTotal is sent; else the
// product's price matching tipoPrecio (COMPRA → precioCompra, VENTA → precioVenta; AJUSTE and
// TRANSFERENCIA follow tipo). precioTotal: as sent, else RoundMoney(precioUnitario × cantidad).
// REQUIRES: CheckPrices(request) succeeded.
MovementPrices ResolvePrices(const PriceRequest& request, double precio_compra, double precio_venta);

// The movement date: now when absent; 400 naming `fecha` when later than now + kMaxFechaAheadMs.
Result<std::int64_t> ResolveFecha(std::optional<std::int64_t> fecha_ms, std::int64_t now_ms);

// What a movement does to its product's stock: recording and restoring apply it (+cantidad for an
// ENTRADA, −cantidad for a SALIDA), deleting reverses it.
enum class StockOp { kRecord, kDelete, kRestore };
std::int64_t StockDelta(std::string_view tipo, std::int64_t cantidad, StockOp op);

// The stock after `delta`: 409 STOCK_INSUFICIENTE when a decrease would leave it below zero (an
// increase of a legacy negative stock is allowed), 409 STOCK_MAXIMO above kMaxStock.
Result<std::int64_t> ApplyStockDelta(std::int64_t stock, std::int64_t delta);

}  // namespace iam::domain
