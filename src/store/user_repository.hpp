// Usuario rows: lookups, inserts, filtered pages and updates. Functions take a Connection so the
// api layer can compose them inside one InTransaction; all block (run them via RunBlocking).
// "Not found" is an empty optional (or affected rows 0), never an Error; a duplicate email is
// kConflict with code EMAIL_EXISTS. Tenant-scoped calls take the tenant; nullopt = every tenant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

struct NewUser {
  std::optional<domain::Id> empresa_id;
  std::string nombre, email, password_hash, rol;
  bool setup_completado = false;
};

struct UserFilter {
  std::optional<domain::Id> empresa_id;  // nullopt: every tenant (SUPERADMIN)
  std::optional<std::string> search;     // case-insensitive substring of nombre or email
  std::optional<std::string> rol;
  std::optional<bool> activo;
  std::int64_t limit = 50, offset = 0;
};

struct UserPage {
  std::vector<domain::Usuario> items;
  std::int64_t total = 0;
};

// Fields of a PATCH; absent ones are left unchanged.
struct UserChanges {
  std::optional<std::string> nombre, rol;
  std::optional<bool> activo;
};

Result<std::optional<domain::Usuario>> FindUserById(Connection& conn, domain::Id id);
// `email` must already be lower-cased (as JsonBody's email rule leaves it).
Result<std::optional<domain::Usuario>> FindUserByEmail(Connection& conn, const std::string& email);
// The user when it belongs to `empresa_id` (any tenant when nullopt).
Result<std::optional<domain::Usuario>> FindUserInTenant(Connection& conn, domain::Id id,
                                                        std::optional<domain::Id> empresa_id);
Result<domain::Usuario> InsertUser(Connection& conn, const NewUser& user);
Result<UserPage> ListUsers(Connection& conn, const UserFilter& filter);
// false when no such user in `empresa_id` (any tenant when nullopt).
Result<bool> UpdateUser(Connection& conn, domain::Id id, std::optional<domain::Id> empresa_id,
                        const UserChanges& changes);
Result<void> SetPasswordHash(Connection& conn, domain::Id id, const std::string& hash);
// Makes the user ADMIN (a SUPERADMIN stays one) of `empresa_id` with setupCompletado = true. false when the user already
// has a tenant (checked in the same statement, so two concurrent setups cannot both attach).
Result<bool> AttachUserToEmpresa(Connection& conn, domain::Id user_id, domain::Id empresa_id);

}  // namespace iam::store
