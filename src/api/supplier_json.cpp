#include "api/supplier_json.hpp"

namespace iam::api {

boost::json::object SupplierJson(const domain::Proveedor& p) {
  boost::json::object o;
  o["id"] = p.id;
  o["nombre"] = p.nombre;
  o["email"] = p.email ? boost::json::value(*p.email) : boost::json::value(nullptr);
  o["telefono"] = p.telefono ? boost::json::value(*p.telefono) : boost::json::value(nullptr);
  o["empresaId"] = p.empresa_id;
  o["estado"] = p.estado;
  return o;
}

}  // namespace iam::api
