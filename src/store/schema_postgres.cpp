#include "store/schema_sql.hpp"

namespace iam::store::sql {

// Legacy tables exactly as Prisma created them (schema.md). CREATE TABLE IF NOT EXISTS leaves an
// existing table untouched, so on an attached database only missing objects are created.
const char* const kPostgresLegacySchema = R"SQL(
DO $$ BEGIN CREATE TYPE "Rol" AS ENUM ('SUPERADMIN', 'ADMIN', 'EMPLEADO', 'PROVEEDOR');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "TipoIndustria" AS ENUM ('GENERICA', 'ROPA', 'ALIMENTOS', 'ELECTRONICA', 'FARMACIA');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "TipoProducto" AS ENUM ('GENERICO', 'ROPA', 'ALIMENTO', 'ELECTRONICO', 'MEDICAMENTO',
  'SUPLEMENTO', 'EQUIPO_MEDICO', 'CUIDADO_PERSONAL', 'BIOLOGICO', 'MATERIAL_QUIRURGICO', 'SOFTWARE', 'HARDWARE');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "UnidadMedida" AS ENUM ('UNIDAD', 'KILO', 'KILOGRAMO', 'LITRO', 'LITROS', 'CAJA', 'PAQUETE',
  'METRO', 'METROS', 'GRAMO', 'GRAMOS', 'MILILITRO', 'MILILITROS', 'CENTIMETRO', 'CENTIMETROS', 'LICENCIA');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "EstadoProducto" AS ENUM ('ACTIVO', 'INACTIVO', 'ELIMINADO');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "EstadoProveedor" AS ENUM ('ACTIVO', 'INACTIVO', 'ELIMINADO');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "TipoMovimiento" AS ENUM ('ENTRADA', 'SALIDA');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "EstadoMovimiento" AS ENUM ('ACTIVO', 'ELIMINADO');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE "TipoPrecioMovimiento" AS ENUM ('COMPRA', 'VENTA', 'AJUSTE', 'TRANSFERENCIA');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE TABLE IF NOT EXISTS "Empresa" (
  "id" SERIAL NOT NULL,
  "nombre" TEXT NOT NULL,
  "rfc" TEXT,
  "emailContacto" TEXT,
  "direccion" TEXT,
  "fechaCreacion" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" TIMESTAMP(3) NOT NULL,
  "TipoIndustria" "TipoIndustria" NOT NULL DEFAULT 'GENERICA',
  CONSTRAINT "Empresa_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "Empresa_rfc_key" ON "Empresa"("rfc");

CREATE TABLE IF NOT EXISTS "Usuario" (
  "id" SERIAL NOT NULL,
  "empresaId" INTEGER,
  "nombre" TEXT NOT NULL,
  "email" TEXT NOT NULL,
  "password" TEXT,
  "rol" "Rol" NOT NULL,
  "activo" BOOLEAN NOT NULL DEFAULT true,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "authProvider" TEXT NOT NULL DEFAULT 'local',
  "googleId" TEXT,
  "setupCompletado" BOOLEAN NOT NULL DEFAULT false,
  "telefono" TEXT,
  CONSTRAINT "Usuario_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "Usuario_empresaId_fkey" FOREIGN KEY ("empresaId") REFERENCES "Empresa"("id")
    ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "Usuario_email_key" ON "Usuario"("email");

CREATE TABLE IF NOT EXISTS "Proveedor" (
  "id" SERIAL NOT NULL,
  "nombre" TEXT NOT NULL,
  "email" TEXT,
  "telefono" TEXT,
  "empresaId" INTEGER NOT NULL,
  "estado" "EstadoProveedor" NOT NULL DEFAULT 'ACTIVO',
  CONSTRAINT "Proveedor_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "Proveedor_empresaId_fkey" FOREIGN KEY ("empresaId") REFERENCES "Empresa"("id")
    ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "Proveedor_empresaId_nombre_key" ON "Proveedor"("empresaId", "nombre");
CREATE UNIQUE INDEX IF NOT EXISTS "Proveedor_empresaId_email_key" ON "Proveedor"("empresaId", "email");

CREATE TABLE IF NOT EXISTS "Producto" (
  "id" SERIAL NOT NULL,
  "nombre" TEXT NOT NULL,
  "descripcion" TEXT,
  "stock" INTEGER NOT NULL DEFAULT 0,
  "stockMinimo" INTEGER NOT NULL DEFAULT 10,
  "precioCompra" DOUBLE PRECISION NOT NULL,
  "precioVenta" DOUBLE PRECISION NOT NULL,
  "empresaId" INTEGER NOT NULL,
  "proveedorId" INTEGER,
  "creadoEn" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "actualizadoEn" TIMESTAMP(3) NOT NULL,
  "codigoBarras" TEXT,
  "rfid" TEXT,
  "sku" TEXT,
  "ubicacion" TEXT,
  "temperaturaOptima" DOUBLE PRECISION,
  "humedadOptima" DOUBLE PRECISION,
  "color" TEXT,
  "talla" TEXT,
  "tipoProducto" "TipoProducto" NOT NULL DEFAULT 'GENERICO',
  "unidad" "UnidadMedida" NOT NULL DEFAULT 'UNIDAD',
  "estado" "EstadoProducto" NOT NULL DEFAULT 'ACTIVO',
  "etiquetas" TEXT[],
  "version" INTEGER NOT NULL DEFAULT 1,
  "ubicacionId" INTEGER,
  CONSTRAINT "Producto_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "Producto_empresaId_fkey" FOREIGN KEY ("empresaId") REFERENCES "Empresa"("id")
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "Producto_proveedorId_fkey" FOREIGN KEY ("proveedorId") REFERENCES "Proveedor"("id")
    ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_codigoBarras_key" ON "Producto"("codigoBarras");
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_rfid_key" ON "Producto"("rfid");
CREATE UNIQUE INDEX IF NOT EXISTS "Producto_sku_key" ON "Producto"("sku");

CREATE TABLE IF NOT EXISTS "MovimientoInventario" (
  "id" SERIAL NOT NULL,
  "cantidad" INTEGER NOT NULL,
  "productoId" INTEGER NOT NULL,
  "proveedorId" INTEGER,
  "fecha" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "motivo" TEXT,
  "descripcion" TEXT,
  "tipo" "TipoMovimiento" NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "empresaId" INTEGER NOT NULL,
  "estado" "EstadoMovimiento" NOT NULL DEFAULT 'ACTIVO',
  "precioUnitario" DOUBLE PRECISION,
  "precioTotal" DOUBLE PRECISION,
  "tipoPrecio" "TipoPrecioMovimiento",
  CONSTRAINT "MovimientoInventario_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "MovimientoInventario_productoId_fkey" FOREIGN KEY ("productoId") REFERENCES "Producto"("id")
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "MovimientoInventario_proveedorId_fkey" FOREIGN KEY ("proveedorId") REFERENCES "Proveedor"("id")
    ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "MovimientoInventario_empresaId_fkey" FOREIGN KEY ("empresaId") REFERENCES "Empresa"("id")
    ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX IF NOT EXISTS "MovimientoInventario_empresaId_fecha_idx" ON "MovimientoInventario"("empresaId", "fecha" DESC);
CREATE INDEX IF NOT EXISTS "MovimientoInventario_productoId_fecha_idx" ON "MovimientoInventario"("productoId", "fecha" DESC);

CREATE TABLE IF NOT EXISTS "refresh_tokens" (
  "id" SERIAL NOT NULL,
  "token" TEXT NOT NULL,
  "user_id" INTEGER NOT NULL,
  "expires_at" TIMESTAMP(3) NOT NULL,
  "is_revoked" BOOLEAN NOT NULL DEFAULT false,
  "jti" TEXT NOT NULL,
  "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "Usuario"("id")
    ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "refresh_tokens_token_key" ON "refresh_tokens"("token");
CREATE UNIQUE INDEX IF NOT EXISTS "refresh_tokens_jti_key" ON "refresh_tokens"("jti");

CREATE TABLE IF NOT EXISTS "BlacklistedToken" (
  "id" SERIAL NOT NULL,
  "jti" TEXT NOT NULL,
  "userId" INTEGER NOT NULL,
  "reason" TEXT NOT NULL DEFAULT 'manual_revocation',
  "expiresAt" TIMESTAMP(3) NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "BlacklistedToken_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "BlacklistedToken_jti_key" ON "BlacklistedToken"("jti");
)SQL";

}  // namespace iam::store::sql
