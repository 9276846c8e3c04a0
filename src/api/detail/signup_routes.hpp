// The sign-up half of the auth routes (register, setup-empresa, register-empresa), registered by
// RegisterAuthRoutes. REQUIRES: `api` outlives the router.
#pragma once

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace iam::api::detail {

void RegisterSignupRoutes(http::Router& router, ApiContext& api);

}  // namespace iam::api::detail
