#include "api/routes.hpp"

namespace iam::api {

// TODO(issue 3): routes of this group are being written.
void RegisterSupplierRoutes(http::Router& /*router*/, ApiContext& /*api*/) {}

}  // namespace iam::api
