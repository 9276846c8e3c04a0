#include "api/account_json.hpp"

#include "domain/time_format.hpp"

namespace iam::api {
namespace {

boost::json::value OrNull(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object UserJson(const domain::Usuario& u) {
  return {{"id", u.id},
          {"nombre", u.nombre},
          {"email", u.email},
          {"rol", u.rol},
          {"empresaId", u.empresa_id ? boost::json::value(*u.empresa_id) : boost::json::value(nullptr)},
          {"setupCompletado", u.setup_completado},
          {"activo", u.activo}};
}

boost::json::object EmpresaJson(const domain::Empresa& e) {
  return {{"id", e.id},
          {"nombre", e.nombre},
          {"rfc", OrNull(e.rfc)},
          {"emailContacto", OrNull(e.email_contacto)},
          {"direccion", OrNull(e.direccion)},
          {"fechaCreacion", FormatIsoMs(e.fecha_creacion_ms)},
          {"updatedAt", FormatIsoMs(e.updated_at_ms)},
          {"tipoIndustria", e.tipo_industria}};
}

}  // namespace iam::api
