#include "store/schema_sql.hpp"

namespace iam::store::sql {

// The same tables for the embedded default. SQLite has no enum or array types: enums are TEXT
// with a CHECK, `etiquetas` a JSON array in TEXT, booleans 0/1, timestamps ISO-8601 UTC text with
// milliseconds ("2026-11-27T10:15:00.000Z"), which sorts and compares correctly as text.
const char* const kSqliteLegacySchema = R"SQL(
CREATE TABLE IF NOT EXISTS "Empresa" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "nombre" TEXT NOT NULL,
  "rfc" TEXT,
  "emailContacto" TEXT,
  "direccion" TEXT,
  "fechaCreacion" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  "updatedAt" TEXT NOT NULL,
  "TipoIndustria" TEXT NOT NULL DEFAULT 'GENERICA'
    CHECK ("TipoIndustria" IN ('GENERICA', 'ROPA', 'ALIMENTOS', 'ELECTRONICA', 'FARMACIA'))
);
CREATE UNIQUE INDEX IF NOT EXISTS "Empresa_rfc_key" ON "Empresa"("rfc");

CREATE TABLE IF NOT EXISTS "Usuario" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "empresaId" INTEGER REFERENCES "Empresa"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "nombre" TEXT NOT NULL,
  "email" TEXT NOT NULL,
  "password" TEXT,
  "rol" TEXT NOT NULL CHECK ("rol" IN ('SUPERADMIN', 'ADMIN', 'EMPLEADO', 'PROVEEDOR')),
  "activo" INTEGER NOT NULL DEFAULT 1,
  "createdAt" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  "authProvider" TEXT NOT NULL DEFAULT 'local',
  "googleId" TEXT,
  "setupCompletado" INTEGER NOT NULL DEFAULT 0,
  "telefono" TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS "Usuario_email_key" ON "Usuario"("email");

CREATE TABLE IF NOT EXISTS "Proveedor" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "nombre" TEXT NOT NULL,
  "email" TEXT,
  "telefono" TEXT,
  "empresaId" INTEGER NOT NULL REFERENCES "Empresa"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "estado" TEXT NOT NULL DEFAULT 'ACTIVO' CHECK ("estado" IN ('ACTIVO', 'INACTIVO', 'ELIMINADO'))
);
CREATE UNIQUE INDEX IF NOT EXISTS "Proveedor_empresaId_nombre_key" ON "Proveedor"("empresaId", "nombre");
CREATE UNIQUE INDEX IF NOT EXISTS "Proveedor_empresaId_email_key" ON "Proveedor"("empresaId", "email");

CREATE TABLE IF NOT EXISTS "Producto" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "nombre" TEXT NOT NULL,
  "descripcion" TEXT,
  "stock" INTEGER NOT NULL DEFAULT 0,
  "stockMinimo" INTEGER NOT NULL DEFAULT 10,
  "precioCompra" REAL NOT NULL,
  "precioVenta" REAL NOT NULL,
  "empresaId" INTEGER NOT NULL REFERENCES "Empresa"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "proveedorId" INTEGER REFERENCES "Proveedor"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "creadoEn" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  "actualizadoEn" TEXT NOT NULL,
  "codigoBarras" TEXT,
  "rfid" TEXT,
  "sku" TEXT,
  "ubicacion" TEXT,
  "temperaturaOptima" REAL,
  "humedadOptima" REAL,
  "color" TEXT,
  "talla" TEXT,
  "tipoProducto" TEXT NOT NULL DEFAULT 'GENERICO' CHECK ("tipoProducto" IN ('GENERICO', 'ROPA', 'ALIMENTO',
    'ELECTRONICO', 'MEDICAMENTO', 'SUPLEMENTO', 'EQUIPO_MEDICO', 'CUIDADO_PERSONAL', 'BIOLOGICO',
    'MATERIAL_QUIRURGICO', 'SOFTWARE', 'HARDWARE')),
  "unidad" TEXT NOT NULL DEFAULT 'UNIDAD' CHECK ("unidad" IN ('UNIDAD', 'KILO', 'KILOGRAMO', 'LITRO', 'LITROS',
    'CAJA', 'PAQUETE', 'METRO', 'METROS', 'GRAMO', 'GRAMOS', 'MILILITRO', 'MILILITROS', 'CENTIMETRO',
    'CENTIMETROS', 'LICENCIA')),
  "estado" TEXT NOT NULL DEFAULT 'ACTIVO' CHECK ("estado" IN ('ACTIVO', 'INACTIVO', 'ELIMINADO')),
  "etiquetas" TEXT,
  "version" INTEGER NOT NULL DEFAULT 1,
  "ubicacionId" INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_codigoBarras_key" ON "Producto"("codigoBarras");
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_rfid_key" ON "Producto"("rfid");
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_sku_key" ON "Producto"("sku");

CREATE TABLE IF NOT EXISTS "MovimientoInventario" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "cantidad" INTEGER NOT NULL,
  "productoId" INTEGER NOT NULL REFERENCES "Producto"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "proveedorId" INTEGER REFERENCES "Proveedor"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "fecha" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  "motivo" TEXT,
  "descripcion" TEXT,
  "tipo" TEXT NOT NULL CHECK ("tipo" IN ('ENTRADA', 'SALIDA')),
  "createdAt" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  "empresaId" INTEGER NOT NULL REFERENCES "Empresa"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "estado" TEXT NOT NULL DEFAULT 'ACTIVO' CHECK ("estado" IN ('ACTIVO', 'ELIMINADO')),
  "precioUnitario" REAL,
  "precioTotal" REAL,
  "tipoPrecio" TEXT CHECK ("tipoPrecio" IN ('COMPRA', 'VENTA', 'AJUSTE', 'TRANSFERENCIA'))
);
CREATE INDEX IF NOT EXISTS "MovimientoInventario_empresaId_fecha_idx" ON "MovimientoInventario"("empresaId", "fecha" DESC);
CREATE INDEX IF NOT EXISTS "MovimientoInventario_productoId_fecha_idx" ON "MovimientoInventario"("productoId", "fecha" DESC);

CREATE TABLE IF NOT EXISTS "refresh_tokens" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "token" TEXT NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "Usuario"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "expires_at" TEXT NOT NULL,
  "is_revoked" INTEGER NOT NULL DEFAULT 0,
  "jti" TEXT NOT NULL,
  "created_at" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX IF NOT EXISTS "refresh_tokens_token_key" ON "refresh_tokens"("token");
CREATE UNIQUE INDEX IF NOT EXISTS "refresh_tokens_jti_key" ON "refresh_tokens"("jti");

CREATE TABLE IF NOT EXISTS "BlacklistedToken" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "jti" TEXT NOT NULL,
  "userId" INTEGER NOT NULL,
  "reason" TEXT NOT NULL DEFAULT 'manual_revocation',
  "expiresAt" TEXT NOT NULL,
  "createdAt" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX IF NOT EXISTS "BlacklistedToken_jti_key" ON "BlacklistedToken"("jti");
)SQL";

}  // namespace iam::store::sql
