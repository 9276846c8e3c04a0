// The state changes of products and suppliers (estado ACTIVO / INACTIVO / ELIMINADO), one rule for
// both: desactivar ACTIVO→INACTIVO, reactivar INACTIVO→ACTIVO, eliminar (soft) ACTIVO|INACTIVO→
// ELIMINADO, restaurar ELIMINADO→ACTIVO. Asking for the state a row is already in is a no-op that
// succeeds; any other source state is refused (409 ESTADO_INVALIDO). Pure data.
#pragma once

#include <string_view>

namespace iam::domain {

struct EstadoTransition {
  std::string_view to;
  std::string_view from_a, from_b;  // the allowed source states; from_b may repeat from_a
};

inline constexpr EstadoTransition kDesactivar = {"INACTIVO", "ACTIVO", "ACTIVO"};
inline constexpr EstadoTransition kReactivar = {"ACTIVO", "INACTIVO", "INACTIVO"};
inline constexpr EstadoTransition kEliminar = {"ELIMINADO", "ACTIVO", "INACTIVO"};
inline constexpr EstadoTransition kRestaurar = {"ACTIVO", "ELIMINADO", "ELIMINADO"};

}  // namespace iam::domain
