// Demo data for `iam seed`: a pure, deterministic generator of one tenant at a time (company, two
// users, suppliers, products and their movement history) as plain values; it touches no database.
// The same options and tenant index give the same tenant on every platform (own PRNG, no std
// distributions). Generating tenant by tenant keeps memory bounded (about 60 bytes per movement).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace iam::domain {

struct DemoOptions {
  int products = 50;              // per tenant; REQUIRES: 1..1000000
  std::int64_t movements = 5000;  // per tenant, "Stock inicial" entries included (at least one per product)
  int history_days = 180;         // movements fall in [now_ms - history_days, now_ms]; REQUIRES: >= 1
  std::uint64_t seed = 42;
  std::int64_t now_ms = 0;  // end of the window: NowMs() in production, a fixed value in tests
};

struct DemoCompany {
  std::string nombre;
  std::string rfc;  // unique per tenant index
  std::string tipo_industria;
  std::string email_contacto;
  std::string direccion;
  std::int64_t fecha_creacion_ms = 0;
};

struct DemoUser {
  std::string nombre;
  std::string email;  // admin@demo.iam / empleado@demo.iam for tenant 1, …@tenantK.demo.iam after
  std::string rol;    // "ADMIN" or "EMPLEADO"
};

struct DemoSupplier {
  std::string nombre;  // unique within the tenant
  std::string email;   // unique within the tenant
  std::string telefono;
};

struct DemoProduct {
  std::string nombre;
  std::string descripcion;
  std::string sku;            // globally unique: includes the tenant index
  std::string codigo_barras;  // EAN-13, globally unique: includes the tenant index
  std::string tipo_producto;
  std::string unidad;
  std::string ubicacion;
  std::vector<std::string> etiquetas;
  double precio_compra = 0;  // > 0, two decimals
  double precio_venta = 0;   // precio_compra x 1.1..1.8, two decimals
  int stock = 0;             // = sum of its movements (ENTRADA - SALIDA)
  int stock_minimo = 0;
  int supplier_index = -1;             // into DemoTenant::suppliers; -1 = none
  std::int64_t creado_en_ms = 0;       // its first movement ("Stock inicial")
  std::int64_t actualizado_en_ms = 0;  // its last movement
};

enum class DemoMovementType : std::uint8_t { kEntrada, kSalida };

struct DemoMovement {
  std::int64_t fecha_ms = 0;
  double precio_unitario = 0;      // ENTRADA: precioCompra; SALIDA: precioVenta
  double precio_total = 0;         // precio_unitario x cantidad
  double costo_unitario = 0;       // the product's precioCompra
  std::int32_t product_index = 0;  // into DemoTenant::products
  std::int32_t cantidad = 0;       // >= 1
  std::int32_t supplier_index = -1;
  DemoMovementType tipo = DemoMovementType::kEntrada;
  const char* motivo = "";  // static text
};

const char* TipoMovimiento(DemoMovementType t);  // "ENTRADA" / "SALIDA"
const char* TipoPrecio(DemoMovementType t);      // "COMPRA" / "VENTA"

struct DemoTenant {
  int index = 0;  // 0-based; tenant number index + 1 is what users see
  DemoCompany company;
  std::vector<DemoUser> users;  // users[0] ADMIN, users[1] EMPLEADO
  std::vector<DemoSupplier> suppliers;
  std::vector<DemoProduct> products;
  std::vector<DemoMovement> movements;  // all estado ACTIVO, sorted by fecha (stable per product)
};

// Emails of the demo logins of tenant `index` (0-based).
std::string DemoAdminEmail(int index);
std::string DemoEmployeeEmail(int index);

// REQUIRES: 0 <= index <= 99999 and the option ranges above.
DemoTenant GenerateDemoTenant(const DemoOptions& options, int index);

}  // namespace iam::domain
