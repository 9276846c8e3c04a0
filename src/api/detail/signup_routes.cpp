// POST /auth/register, /auth/setup-empresa, /auth/register-empresa (api.md "Auth"). Each answers
// 201 with a fresh session (body and cookies). Passwords are hashed before the transaction, which
// then checks the email, creates the rows and stores the refresh token atomically.
#include "api/detail/signup_routes.hpp"

#include <boost/json/object.hpp>

#include "api/account_json.hpp"
#include "api/auth_cookies.hpp"
#include "api/auth_throttle.hpp"
#include "api/detail/store_call.hpp"
#include "api/endpoint.hpp"
#include "api/json_body.hpp"
#include "api/session_tokens.hpp"
#include "crypto/password_hasher.hpp"
#include "domain/enums.hpp"
#include "store/empresa_repository.hpp"
#include "store/user_repository.hpp"

namespace iam::api::detail {
namespace {

using boost::asio::awaitable;
using http::RequestContext;

constexpr StringRule kNewPassword{.required = true, .min_chars = 8, .max_chars = 128, .trim = false};

struct Account {
  std::string nombre, email, password;
};

struct Signup {
  std::optional<domain::Empresa> empresa;
  domain::Usuario user;
  SessionTokens tokens;
};

Account ReadAccount(JsonBody& body) {
  Account a;
  a.nombre = body.String("nombre", {.required = true}).value_or("");
  a.email = body.String("email", {.required = true, .email = true}).value_or("");
  a.password = body.String("password", kNewPassword).value_or("");
  return a;
}

// Empty optional strings mean "not given" (an empty rfc would collide in the unique index).
std::optional<std::string> NonEmpty(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

std::optional<std::string> UpperRfc(std::optional<std::string> rfc) {
  rfc = NonEmpty(std::move(rfc));
  if (rfc)
    for (auto& c : *rfc) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return rfc;
}

store::NewEmpresa ReadEmpresa(JsonBody& body, bool with_contact) {
  store::NewEmpresa e;
  e.nombre = body.String("nombreEmpresa", {.required = true}).value_or("");
  e.tipo_industria = body.Enum("tipoIndustria", domain::kTiposIndustria).value_or("GENERICA");
  e.rfc = UpperRfc(body.String("rfc", {.max_chars = 20}));
  if (with_contact) {
    e.direccion = NonEmpty(body.String("direccion"));
    e.email_contacto = NonEmpty(body.String("emailContacto", {.email = true}));
  }
  return e;
}

Result<domain::Usuario> InsertNewUser(store::Connection& conn, const store::NewUser& user) {
  auto existing = store::FindUserByEmail(conn, user.email);
  if (!existing) return Fail(existing.error());
  if (*existing) return Fail(Error::Conflict("El email ya está registrado", "EMAIL_EXISTS"));
  return store::InsertUser(conn, user);
}

Reply SignupReply(const Signup& s, const std::string& message, const AuthSettings& auth) {
  boost::json::object body{{"message", message},
                           {"token", s.tokens.access_token},
                           {"refreshToken", s.tokens.refresh_token},
                           {"user", UserJson(s.user)}};
  if (s.empresa) body["empresa"] = EmpresaJson(*s.empresa);
  Reply reply = Created(std::move(body));
  reply.headers = SessionCookies(s.tokens, auth);
  return reply;
}

awaitable<Result<Reply>> Register(ApiContext& api, RequestContext& ctx) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  Account account = ReadAccount(*body);
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  if (auto allowed = co_await CountRegistration(api, ctx.remote_address); !allowed) co_return Fail(allowed.error());

  std::string hash = co_await http::RunBlocking(api.blocking, [&] { return crypto::HashPassword(account.password); });
  auto signup = co_await InTransaction(api, [&](store::Connection& conn) -> Result<Signup> {
    auto user = InsertNewUser(conn, {.empresa_id = std::nullopt, .nombre = account.nombre, .email = account.email,
                                     .password_hash = hash, .rol = "ADMIN", .setup_completado = false});
    if (!user) return Fail(user.error());
    auto tokens = StartSession(conn, *user, api.auth);
    if (!tokens) return Fail(tokens.error());
    return Signup{std::nullopt, std::move(*user), std::move(*tokens)};
  });
  if (!signup) co_return Fail(signup.error());
  co_return SignupReply(*signup, "Usuario registrado", api.auth);
}

awaitable<Result<Reply>> SetupEmpresa(ApiContext& api, RequestContext& ctx, const Principal& me) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  store::NewEmpresa empresa = ReadEmpresa(*body, /*with_contact=*/true);
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  const Error already = Error::Conflict("El usuario ya tiene una empresa configurada", "EMPRESA_ALREADY_CONFIGURED");
  if (me.empresa_id) co_return Fail(already);

  auto signup = co_await InTransaction(api, [&](store::Connection& conn) -> Result<Signup> {
    auto created = store::InsertEmpresa(conn, empresa);
    if (!created) return Fail(created.error());
    auto attached = store::AttachUserToEmpresa(conn, me.user_id, created->id);
    if (!attached) return Fail(attached.error());
    if (!*attached) return Fail(already);  // a concurrent setup won
    auto user = store::FindUserById(conn, me.user_id);
    if (!user) return Fail(user.error());
    if (!*user) return Fail(Error::NotFound("Usuario no encontrado"));
    auto tokens = StartSession(conn, **user, api.auth);
    if (!tokens) return Fail(tokens.error());
    return Signup{std::move(*created), std::move(**user), std::move(*tokens)};
  });
  if (!signup) co_return Fail(signup.error());
  co_return SignupReply(*signup, "Empresa configurada", api.auth);
}

awaitable<Result<Reply>> RegisterEmpresa(ApiContext& api, RequestContext& ctx) {
  auto body = JsonBody::Parse(ctx.request.body());
  if (!body) co_return Fail(body.error());
  store::NewEmpresa empresa = ReadEmpresa(*body, /*with_contact=*/false);
  Account account = ReadAccount(*body);
  if (auto done = body->Finish(); !done) co_return Fail(done.error());
  if (auto allowed = co_await CountRegistration(api, ctx.remote_address); !allowed) co_return Fail(allowed.error());

  std::string hash = co_await http::RunBlocking(api.blocking, [&] { return crypto::HashPassword(account.password); });
  auto signup = co_await InTransaction(api, [&](store::Connection& conn) -> Result<Signup> {
    auto created = store::InsertEmpresa(conn, empresa);
    if (!created) return Fail(created.error());
    auto user = InsertNewUser(conn, {.empresa_id = created->id, .nombre = account.nombre, .email = account.email,
                                     .password_hash = hash, .rol = "ADMIN", .setup_completado = true});
    if (!user) return Fail(user.error());
    auto tokens = StartSession(conn, *user, api.auth);
    if (!tokens) return Fail(tokens.error());
    return Signup{std::move(*created), std::move(*user), std::move(*tokens)};
  });
  if (!signup) co_return Fail(signup.error());
  co_return SignupReply(*signup, "Empresa y administrador registrados", api.auth);
}

}  // namespace

void RegisterSignupRoutes(http::Router& router, ApiContext& api) {
  router.Post("/auth/register", Public([&api](RequestContext& ctx) { return Register(api, ctx); }));
  router.Post("/auth/register-empresa", Public([&api](RequestContext& ctx) { return RegisterEmpresa(api, ctx); }));
  router.Post("/auth/setup-empresa",
              Authed(api, {.roles = {}, .tenant_required = false},
                     [&api](RequestContext& ctx, const Principal& me) { return SetupEmpresa(api, ctx, me); }));
}

}  // namespace iam::api::detail
