// Plain values of the inventory: tenants, users, suppliers, products, movements, as stored (field
// names follow the legacy columns). Enum-typed columns are kept as their text (see enums.hpp).
// Timestamps are epoch milliseconds (UTC). No behaviour here; rules live in their own files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iam::domain {

using Id = std::int64_t;

struct Empresa {
  Id id = 0;
  std::string nombre;
  std::optional<std::string> rfc, email_contacto, direccion;
  std::string tipo_industria = "GENERICA";
  std::int64_t fecha_creacion_ms = 0, updated_at_ms = 0;
};

struct Usuario {
  Id id = 0;
  std::optional<Id> empresa_id;
  std::string nombre, email;
  std::optional<std::string> password_hash;  // never rendered
  std::string rol;
  bool activo = true;
  bool setup_completado = false;
  std::int64_t created_at_ms = 0;
};

struct Proveedor {
  Id id = 0;
  std::string nombre;
  std::optional<std::string> email, telefono;
  Id empresa_id = 0;
  std::string estado = "ACTIVO";
};

struct Producto {
  Id id = 0;
  std::string nombre;
  std::optional<std::string> descripcion;
  std::int64_t stock = 0;
  std::int64_t stock_minimo = 10;
  double precio_compra = 0, precio_venta = 0;
  Id empresa_id = 0;
  std::optional<Id> proveedor_id;
  std::int64_t creado_en_ms = 0, actualizado_en_ms = 0;
  std::optional<std::string> codigo_barras, rfid, sku, ubicacion, color, talla;
  std::optional<double> temperatura_optima, humedad_optima;
  std::string tipo_producto = "GENERICO", unidad = "UNIDAD", estado = "ACTIVO";
  std::vector<std::string> etiquetas;  // a legacy NULL reads as empty
  std::int64_t version = 1;
};

struct Movimiento {
  Id id = 0;
  std::string tipo;  // ENTRADA | SALIDA
  std::int64_t cantidad = 0;
  Id producto_id = 0;
  std::optional<Id> proveedor_id;
  std::int64_t fecha_ms = 0;
  std::optional<std::string> motivo, descripcion;
  std::string estado = "ACTIVO";
  std::optional<double> precio_unitario, precio_total;
  std::optional<std::string> tipo_precio;
  std::optional<double> costo_unitario;  // null on legacy rows
  Id empresa_id = 0;
  std::int64_t created_at_ms = 0;
};

}  // namespace iam::domain
