// Auth routes of api.md: login, refresh, logout, me, change-password (sign-up routes live in
// detail/signup_routes.cpp). Handlers parse, call the store on the blocking pool, and render.
#include <boost/json/object.hpp>

#include "api/account_json.hpp"
#include "api/auth_cookies.hpp"
#include "api/auth_guard.hpp"
#include "api/auth_throttle.hpp"
#include "api/detail/signup_routes.hpp"
#include "api/detail/store_call.hpp"
#include "api/endpoint.hpp"
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/session_tokens.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/time_format.hpp"
#include "store/refresh_token_repository.hpp"
#include "store/session_repository.hpp"
#include "store/user_repository.hpp"

namespace iam::api {
namespace {

using boost::asio::awaitable;
using http::RequestContext;

// Passwords are taken as typed (no trimming); 128 chars bounds the hashing work.
constexpr StringRule kAnyPassword{.required = true, .max_chars = 128, .trim = false};
constexpr StringRule kNewPassword{.required = true, .min_chars = 8, .max_chars = 128, .trim = false};

Error InvalidCredentials() { return {ErrorKind::kUnauthenticated, "INVALID_CREDENTIALS", "Credenciales inválidas"}; }
Error Unauthorized(std::string code, std::string message) {
  return {ErrorKind::kUnauthenticated, std::move(code), std::move(message)};
}

// An argon2id hash of nothing anyone types, so that an unknown email costs as much as a wrong
// password and response times do not reveal which emails exist.
const std::string& DummyHash() {
  static const std::string hash = crypto::HashPassword(crypto::RandomToken());
  return hash;
}

struct LoginOk {
  domain::Usuario user;
  SessionTokens tokens;
};

// REQUIRES: the blocking pool. nullopt = wrong email, wrong password, no password, or inactive.
// The password is verified with no connection leased: argon2 takes ~0.1 s, and holding a pooled
// connection that long would let a burst of logins starve every other request of the pool.
Result<std::optional<LoginOk>> VerifyAndStartSession(store::Database& db, const std::string& email,
                                                     const std::string& password, const AuthSettings& auth) {
  auto found = store::WithConnection(db, [&](store::Connection& c) { return store::FindUserByEmail(c, email); });
  if (!found) return Fail(found.error());
  const auto& hash = *found && (*found)->password_hash ? *(*found)->password_hash : DummyHash();
  bool ok = crypto::VerifyPassword(password, hash) && *found && (*found)->password_hash && (*found)->activo;
  if (!ok) return std::optional<LoginOk>();
  domain::Usuario user = **found;
  if (crypto::NeedsRehash(hash)) {
    // Legacy bcrypt (or old argon2 limits): upgrade while we hold the plain password. Best effort:
    // a failure here must not fail the login.
    std::string upgraded = crypto::HashPassword(password);
    (void)store::WithConnection(db, [&](store::Connection& c) { return store::SetPasswordHash(c, user.id, upgraded); });
  }
  auto tokens = store::WithConnection(db, [&](store::Connection& c) { return StartSession(c, user, auth); });
  if (!tokens) return Fail(tokens.error());
  return std::optional<LoginOk>(LoginOk{std::move(user), std::move(*tokens)});
}

awaitable<Result<Reply>> Login(ApiContext& api, RequestContext& ctx) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  auto email = body->String("email", {.required = true, .email = true});
  auto password = body->String("password", kAnyPassword);
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  if (auto allowed = co_await CheckLoginAllowed(api, *email, ctx.remote_address); !allowed) co_return Fail(allowed.error());

  auto login = co_await http::RunBlocking(
      api.blocking, [&]() { return VerifyAndStartSession(api.db, *email, *password, api.auth); });
  if (!login) co_return Fail(login.error());
  if (!*login) {
    co_await RecordFailedLogin(api, *email, ctx.remote_address);
    co_return Fail(InvalidCredentials());
  }
  Reply reply = Ok(boost::json::object{{"message", "Login exitoso"},
                                       {"token", (*login)->tokens.access_token},
                                       {"refreshToken", (*login)->tokens.refresh_token},
                                       {"user", UserJson((*login)->user)}});
  reply.headers = SessionCookies((*login)->tokens, api.auth);
  co_return reply;
}

// The refresh token of a body {refreshToken?} or else of cookie `rt`; empty when neither.
Result<std::string> RefreshTokenOf(const RequestContext& ctx) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) return Fail(body.error());
  auto token = body->String("refreshToken", {.max_chars = 512});
  if (auto done = body->Finish(); !done) return Fail(done.error());
  if (token && !token->empty()) return *token;
  return CookieValue(ctx.request, "rt");
}

awaitable<Result<Reply>> Refresh(ApiContext& api, RequestContext& ctx) {
  auto token = RefreshTokenOf(ctx);
  if (!token) co_return Fail(token.error());
  if (token->empty()) co_return Fail(Unauthorized("REFRESH_TOKEN_MISSING", "Refresh token no proporcionado"));

  auto owner = co_await detail::WithConnection(api, [&](store::Connection& conn) {
    return store::FindRefreshToken(conn, *token);
  });
  if (!owner) co_return Fail(owner.error());
  if (!*owner) co_return Fail(Unauthorized("REFRESH_TOKEN_INVALID", "Refresh token inválido"));
  if (auto allowed = co_await CountRefresh(api, (*owner)->user_id); !allowed) co_return Fail(allowed.error());

  auto rotation = co_await http::RunBlocking(api.blocking, [&] { return RotateSession(api.db, *token, api.auth); });
  if (!rotation) co_return Fail(rotation.error());
  switch (rotation->outcome) {
    case RefreshOutcome::kRotated: break;
    case RefreshOutcome::kReused:
      co_return Fail(Unauthorized("REFRESH_TOKEN_REUSED", "Refresh token reutilizado: se cerraron todas las sesiones"));
    case RefreshOutcome::kRaced:
      co_return Fail(Unauthorized("REFRESH_TOKEN_REVOKED", "Refresh token ya utilizado"));
    case RefreshOutcome::kInvalid:
      co_return Fail(Unauthorized("REFRESH_TOKEN_INVALID", "Refresh token inválido o expirado"));
  }
  Reply reply = Ok(boost::json::object{{"token", rotation->tokens.access_token},
                                       {"refreshToken", rotation->tokens.refresh_token}});
  reply.headers = SessionCookies(rotation->tokens, api.auth);
  co_return reply;
}

awaitable<Result<Reply>> Logout(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto token = RefreshTokenOf(ctx);
  if (!token) co_return Fail(token.error());
  auto done = co_await detail::InTransaction(api, [&](store::Connection& conn) -> Result<void> {
    if (me.jti.empty()) {
      // A legacy token without jti cannot be blacklisted alone: end every session instead.
      return store::RevokeAllSessions(conn, me.user_id, NowMs() + 1, "");
    }
    if (auto b = store::BlacklistJti(conn, me.jti, me.user_id, me.expires_s * 1000, "logout"); !b) return b;
    if (!token->empty()) {
      if (auto r = store::RevokeUserRefreshToken(conn, *token, me.user_id); !r) return Fail(r.error());
    }
    if (auto r = store::RevokeSessionRefreshToken(conn, me.jti, me.user_id); !r) return Fail(r.error());
    return {};
  });
  if (!done) co_return Fail(done.error());
  Reply reply = Ok(boost::json::object{{"message", "Sesión cerrada"}});
  reply.headers = ClearedSessionCookies(api.auth);
  co_return reply;
}

awaitable<Result<Reply>> Me(ApiContext& api, const Principal& me) {
  auto user = co_await detail::WithConnection(api, [&](store::Connection& conn) {
    return store::FindUserById(conn, me.user_id);
  });
  if (!user) co_return Fail(user.error());
  if (!*user) co_return Fail(Unauthorized("UNAUTHORIZED", "Usuario inactivo o inexistente"));
  co_return Ok(UserJson(**user));
}

awaitable<Result<Reply>> ChangePassword(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  auto current = body->String("passwordActual", kAnyPassword);
  auto next = body->String("passwordNueva", kNewPassword);
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  // Guessing the current password through this route counts as failed logins of the account.
  if (auto allowed = co_await CheckLoginAllowed(api, me.email, ctx.remote_address); !allowed) co_return Fail(allowed.error());

  // Hashing stays outside the transaction: it takes ~0.1 s and SQLite's write lock is global.
  auto new_hash = co_await detail::WithConnection(api, [&](store::Connection& conn) -> Result<std::optional<std::string>> {
    auto user = store::FindUserById(conn, me.user_id);
    if (!user) return Fail(user.error());
    if (!*user || !(*user)->password_hash || !crypto::VerifyPassword(*current, *(*user)->password_hash))
      return std::optional<std::string>();
    return std::optional<std::string>(crypto::HashPassword(*next));
  });
  if (!new_hash) co_return Fail(new_hash.error());
  if (!*new_hash) {
    co_await RecordFailedLogin(api, me.email, ctx.remote_address);
    co_return Fail(Error::InvalidArgument("passwordActual: la contraseña actual es incorrecta",
                                          "INVALID_CURRENT_PASSWORD"));
  }
  auto stored = co_await detail::InTransaction(api, [&](store::Connection& conn) -> Result<void> {
    if (auto s = store::SetPasswordHash(conn, me.user_id, **new_hash); !s) return s;
    return store::RevokeAllSessions(conn, me.user_id, NowMs() + 1, me.jti);
  });
  if (!stored) co_return Fail(stored.error());
  co_return Ok(boost::json::object{{"message", "Contraseña actualizada"}});
}

}  // namespace

void RegisterAuthRoutes(http::Router& router, ApiContext& api) {
  const Access any_user{.roles = {}, .tenant_required = false};
  router.Post("/auth/login", Public([&api](RequestContext& ctx) { return Login(api, ctx); }));
  // A refresh may detect token reuse and revoke every session of the user.
  router.Post("/auth/refresh", Public([&api](RequestContext& ctx) -> boost::asio::awaitable<Result<Reply>> {
                auto reply = co_await Refresh(api, ctx);
                ForgetAccessChecks(api);
                co_return reply;
              }));
  router.Post("/auth/logout", Authed(api, any_user, [&api](RequestContext& ctx, const Principal& me) {
                return Logout(api, ctx, me);
              }));
  router.Get("/auth/me", Authed(api, any_user, [&api](RequestContext&, const Principal& me) { return Me(api, me); }));
  router.Post("/auth/change-password", Authed(api, any_user, [&api](RequestContext& ctx, const Principal& me) {
                return ChangePassword(api, ctx, me);
              }));
  detail::RegisterSignupRoutes(router, api);
}

}  // namespace iam::api
