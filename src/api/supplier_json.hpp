// JSON of a supplier as api.md defines it: {id, nombre, email, telefono, empresaId, estado}, absent
// optionals as null. Pure; shared by the supplier handlers and whoever embeds a supplier.
#pragma once

#include <boost/json/object.hpp>

#include "domain/entities.hpp"

namespace iam::api {

boost::json::object SupplierJson(const domain::Proveedor& p);

}  // namespace iam::api
