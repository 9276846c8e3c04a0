// The enum values of the legacy schema (schema.md) with their exact spelling, and lookups that
// say whether a string is one of them. Pure; the text is what the database and the API carry.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace iam::domain {

inline constexpr std::array<std::string_view, 4> kRoles = {"SUPERADMIN", "ADMIN", "EMPLEADO", "PROVEEDOR"};
inline constexpr std::array<std::string_view, 5> kTiposIndustria = {"GENERICA", "ROPA", "ALIMENTOS", "ELECTRONICA",
                                                                    "FARMACIA"};
inline constexpr std::array<std::string_view, 12> kTiposProducto = {
    "GENERICO",  "ROPA",           "ALIMENTO",         "ELECTRONICO", "MEDICAMENTO",         "SUPLEMENTO",
    "EQUIPO_MEDICO", "CUIDADO_PERSONAL", "BIOLOGICO", "MATERIAL_QUIRURGICO", "SOFTWARE", "HARDWARE"};
inline constexpr std::array<std::string_view, 16> kUnidadesMedida = {
    "UNIDAD", "KILO",    "KILOGRAMO", "LITRO",      "LITROS",     "CAJA",       "PAQUETE",     "METRO",
    "METROS", "GRAMO",   "GRAMOS",    "MILILITRO",  "MILILITROS", "CENTIMETRO", "CENTIMETROS", "LICENCIA"};
inline constexpr std::array<std::string_view, 3> kEstadosProducto = {"ACTIVO", "INACTIVO", "ELIMINADO"};
inline constexpr std::array<std::string_view, 3> kEstadosProveedor = {"ACTIVO", "INACTIVO", "ELIMINADO"};
inline constexpr std::array<std::string_view, 2> kTiposMovimiento = {"ENTRADA", "SALIDA"};
inline constexpr std::array<std::string_view, 2> kEstadosMovimiento = {"ACTIVO", "ELIMINADO"};
inline constexpr std::array<std::string_view, 4> kTiposPrecio = {"COMPRA", "VENTA", "AJUSTE", "TRANSFERENCIA"};

template <std::size_t N>
constexpr bool IsOneOf(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace iam::domain
