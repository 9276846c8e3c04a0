// Principal: who is calling, established by Authenticate() from a verified, unrevoked access token.
// `rol` and `empresa_id` are read fresh from the database on every request (not trusted from the
// token), so a role change or deactivation takes effect at once.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "domain/entities.hpp"

namespace iam::api {

struct Principal {
  domain::Id user_id = 0;
  std::string email;
  std::string rol;
  std::optional<domain::Id> empresa_id;
  std::string jti;
  std::int64_t expires_s = 0;
  std::int64_t issued_ms = 0;

  bool IsSuperAdmin() const { return rol == "SUPERADMIN"; }
  bool HasRole(std::initializer_list<std::string_view> roles) const {
    for (auto r : roles)
      if (rol == r) return true;
    return false;
  }
};

}  // namespace iam::api
