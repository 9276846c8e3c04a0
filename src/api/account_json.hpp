// JSON renderings of users and tenants as api.md shows them. A user never carries its password
// hash; timestamps are ISO-8601 UTC with milliseconds and `Z`. Pure functions.
#pragma once

#include <boost/json/object.hpp>

#include "domain/entities.hpp"

namespace iam::api {

// {id, nombre, email, rol, empresaId (number|null), setupCompletado, activo}
boost::json::object UserJson(const domain::Usuario& u);
// {id, nombre, rfc, emailContacto, direccion, fechaCreacion, updatedAt, tipoIndustria}
boost::json::object EmpresaJson(const domain::Empresa& e);

}  // namespace iam::api
