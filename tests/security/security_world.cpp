#include "security/security_world.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

#include "api/dashboard_assets.hpp"
#include "api/routes.hpp"
#include "support/test_env.hpp"

namespace iam::security {
namespace {

namespace json = boost::json;

std::string Str(domain::Id id) { return std::to_string(id); }

const char* RolName(unsigned role) {
  switch (role) {
    case kSuper: return "SUPERADMIN";
    case kAdmin: return "ADMIN";
    case kEmpleado: return "EMPLEADO";
    default: return "PROVEEDOR";
  }
}

Request Get(std::string target) { return {"GET", std::move(target), {}, {}, 0, 0}; }
// A request with a JSON body; a null body sends none (the state-change routes take none).
Request With(std::string method, std::string target, const json::value& body = json::object()) {
  return {std::move(method), std::move(target), body.is_null() ? std::string() : json::serialize(body), {}, 0, 0};
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

SecurityWorld::SecurityWorld(test::ApiHarness& harness) : h(harness), builders_(Builders()) {
  secrets.push_back(h.api().auth.jwt.secret);
  for (auto* side : {&a, &b}) {
    side->label = side == &a ? "a" : "b";
    side->marker = side == &a ? "tenant-a" : kMarkerB;
    auto t = h.CreateTenant("Empresa " + side->marker);
    side->empresa = t.empresa_id;
    side->admin = t.admin;
    side->supplier = NewSupplier(*side);
  }
}

std::string SecurityWorld::Unique() { return std::to_string(++counter_); }

Caller SecurityWorld::NewCaller(unsigned role, const Side& side) {
  auto u = NewUser(side.empresa, RolName(role));
  bool sees_b = &side == &b;
  return {std::string(RolName(role)) + " of " + side.label, u.token, role, true, sees_b, u};
}

Caller SecurityWorld::NoTenantCaller(unsigned role) {
  auto u = NewUser(std::nullopt, RolName(role));
  return {std::string(RolName(role)) + " without tenant", u.token, role, false, false, u};
}

test::UserFixture SecurityWorld::NewUser(std::optional<domain::Id> empresa, const std::string& rol) {
  std::string side = empresa == b.empresa ? std::string(kMarkerB) : "a";
  return h.CreateUser(empresa, rol, "u" + Unique() + "-" + side + "@sec.test");
}

json::value SecurityWorld::AdminCall(Side& side, const std::string& method, const std::string& target,
                                     const std::string& body) {
  auto r = h.Request(method, target, body, h.MintToken(side.admin, side.empresa));
  if (r.status < 200 || r.status > 299) {
    ADD_FAILURE() << "setup call " << method << " " << target << " as ADMIN of " << side.label << " answered "
                  << r.status << ": " << r.body;
    return nullptr;
  }
  return r.json;
}

domain::Id SecurityWorld::NewSupplier(Side& side) {
  std::string n = Unique();
  auto j = AdminCall(side, "POST", "/proveedores",
                     json::serialize(json::object{{"nombre", "Proveedor " + n + " " + side.marker},
                                                  {"email", "p" + n + "-" + side.label + "@prov.test"}}));
  return j.is_object() ? j.at("id").to_number<domain::Id>() : 0;
}

domain::Id SecurityWorld::NewProduct(Side& side, std::string* barcode) {
  std::string n = Unique();
  std::string code = "BC-" + side.label + "-" + n;
  auto j = AdminCall(side, "POST", "/productos",
                     json::serialize(json::object{{"nombre", "Producto " + n + " " + side.marker},
                                                  {"descripcion", "Descripcion " + side.marker},
                                                  {"precioCompra", 10},
                                                  {"precioVenta", 15},
                                                  {"stock", 20},
                                                  {"codigoBarras", code},
                                                  {"sku", "SKU-" + side.label + "-" + n},
                                                  {"proveedorId", side.supplier},
                                                  {"etiquetas", json::array{"etiqueta-" + side.marker}}}));
  if (barcode != nullptr) *barcode = code;
  return j.is_object() ? j.at("id").to_number<domain::Id>() : 0;
}

domain::Id SecurityWorld::NewMovement(Side& side, domain::Id product) {
  auto j = AdminCall(side, "POST", "/movimientos",
                     json::serialize(json::object{{"tipo", "ENTRADA"},
                                                  {"cantidad", 2},
                                                  {"productoId", product},
                                                  {"motivo", "Compra " + side.marker}}));
  return j.is_object() ? j.at("movimiento").at("id").to_number<domain::Id>() : 0;
}

domain::Id SecurityWorld::DeletedMovement(Side& side) {
  auto id = NewMovement(side, NewProduct(side));
  AdminCall(side, "DELETE", "/movimientos/" + Str(id));
  return id;
}

domain::Id SecurityWorld::EmptyEmpresa() {
  return h.Sql(R"(INSERT INTO "Empresa" ("nombre", "updatedAt") VALUES ($1, $2) RETURNING "id")",
               {store::Param("Vacia " + Unique()), store::Param(std::string("2026-01-01T00:00:00.000Z"))})[0]
      .Int(0);
}

std::string SecurityWorld::LoginRefreshToken(const test::UserFixture& u) {
  auto r = h.Post("/auth/login", json::object{{"email", u.email}, {"password", u.password}});
  if (r.status != 200) {
    ADD_FAILURE() << "setup login of " << u.email << " answered " << r.status << ": " << r.body;
    return {};
  }
  return std::string(r.json.at("refreshToken").as_string());
}

Request SecurityWorld::Build(const RouteSpec& route, Side& owner) {
  auto it = builders_.find(route.Key());
  if (it == builders_.end()) {
    ADD_FAILURE() << "no request builder for " << route.Key();
    return Get(route.pattern);
  }
  return it->second(*this, owner);
}

test::HttpResult SecurityWorld::Send(const Caller& caller, const Request& r, std::optional<bool> sees_b) {
  auto res = h.Request(r.method, r.target, r.body, caller.token, r.headers);
  std::string where = r.method + " " + r.target + " as " + caller.name;
  EXPECT_LT(res.status, 500) << where << ": " << res.body;
  std::string head;
  for (const auto& [k, v] : res.headers) head += k + ": " + v + "\n";
  for (const auto& leak : FindLeaks(head + res.body, secrets, true))
    ADD_FAILURE() << where << ": the response shows " << leak << ":\n" << head << res.body;
  if (!sees_b.value_or(caller.sees_b) && res.body.find(kMarkerB) != std::string::npos)
    ADD_FAILURE() << where << ": tenant B's data reached a caller of tenant A:\n" << res.body;
  for (const auto& [k, v] : res.headers) {
    if (!caller.token.empty() && v.find(caller.token) != std::string::npos && k != "set-cookie")
      ADD_FAILURE() << where << ": header " << k << " echoes the access token";
  }
  return res;
}

std::string SecurityWorld::Snapshot(domain::Id empresa) {
  std::string out;
  auto dump = [&](const std::string& table, const std::string& where) {
    auto rows = h.Sql("SELECT * FROM \"" + table + "\" WHERE " + where + " ORDER BY \"id\"", {store::Param(empresa)});
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += table + ":";
      for (std::size_t c = 0; c < rows.columns().size(); ++c) out += " " + rows.columns()[c] + "=" + rows[i].Text(c, "NULL");
      out += "\n";
    }
  };
  dump("Empresa", "\"id\" = $1");
  for (const char* table : {"Usuario", "Proveedor", "Producto", "MovimientoInventario"}) dump(table, "\"empresaId\" = $1");
  return out;
}

std::map<std::string, SecurityWorld::Builder> SecurityWorld::Builders() {
  using W = SecurityWorld;
  std::map<std::string, Builder> m;
  // Operations and sessions. The session routes act on the caller's own user; the body only
  // needs what every fresh caller has (password "password123").
  m["GET /health"] = [](W&, Side&) { return Get("/health"); };
  m["GET /health/ready"] = [](W&, Side&) { return Get("/health/ready"); };
  m["GET /metrics"] = [](W&, Side&) { return Get("/metrics"); };
  // The dashboard page's static files.
  m["GET /"] = [](W&, Side&) {
    auto r = Get("/");
    r.status = 302;  // to the page
    return r;
  };
  std::string mount(api::kDashboardMount);
  m["GET " + mount] = [mount](W&, Side&) { return Get(mount); };
  for (const auto& asset : api::DashboardAssets()) {
    std::string path = mount + "/" + std::string(asset.path);
    m["GET " + path] = [path](W&, Side&) { return Get(path); };
  }
  m["POST /auth/login"] = [](W& w, Side& s) {
    auto u = w.NewUser(s.empresa, "EMPLEADO");
    return With("POST", "/auth/login", json::object{{"email", u.email}, {"password", u.password}});
  };
  m["POST /auth/refresh"] = [](W& w, Side& s) {
    return With("POST", "/auth/refresh", json::object{{"refreshToken", w.LoginRefreshToken(w.NewUser(s.empresa, "EMPLEADO"))}});
  };
  m["POST /auth/register"] = [](W& w, Side&) {
    std::string n = w.Unique();
    return With("POST", "/auth/register",
                json::object{{"nombre", "Nuevo " + n}, {"email", "reg" + n + "@sec.test"}, {"password", "password123"}});
  };
  m["POST /auth/register-empresa"] = [](W& w, Side&) {
    std::string n = w.Unique();
    return With("POST", "/auth/register-empresa",
                json::object{{"nombreEmpresa", "Empresa nueva " + n}, {"nombre", "Duena " + n},
                             {"email", "re" + n + "@sec.test"}, {"password", "password123"}});
  };
  m["POST /auth/setup-empresa"] = [](W& w, Side&) {
    auto r = With("POST", "/auth/setup-empresa", json::object{{"nombreEmpresa", "Montada " + w.Unique()}});
    r.status_with_tenant = 409;  // EMPRESA_ALREADY_CONFIGURED
    return r;
  };
  m["POST /auth/logout"] = [](W&, Side&) { return With("POST", "/auth/logout"); };
  m["GET /auth/me"] = [](W&, Side&) { return Get("/auth/me"); };
  m["POST /auth/change-password"] = [](W&, Side&) {
    return With("POST", "/auth/change-password",
                json::object{{"passwordActual", "password123"}, {"passwordNueva", "password456"}});
  };
  // Cache administration
  m["GET /auth/admin/cache-stats"] = [](W&, Side&) { return Get("/auth/admin/cache-stats"); };
  m["GET /dashboard-cqrs/cache/stats"] = [](W&, Side&) { return Get("/dashboard-cqrs/cache/stats"); };
  m["GET /auth/admin/alerts"] = [](W&, Side&) { return Get("/auth/admin/alerts"); };
  m["POST /auth/admin/cache/clear"] = [](W&, Side&) { return With("POST", "/auth/admin/cache/clear"); };
  m["GET /dashboard-cqrs/cache/invalidate"] = [](W&, Side&) { return Get("/dashboard-cqrs/cache/invalidate?cacheType=all"); };
  m["POST /dashboard-cqrs/cache/invalidate"] = [](W&, Side&) {
    return With("POST", "/dashboard-cqrs/cache/invalidate?cacheType=kpis");
  };
  // Dashboard
  for (const char* p : {"/dashboard-cqrs/kpis", "/dashboard-cqrs/financial-kpis", "/dashboard-cqrs/movement-kpis",
                        "/dashboard-cqrs/daily-movements", "/dashboard-cqrs/predictive-kpis", "/dashboard-cqrs/all-kpis"}) {
    m[std::string("GET ") + p] = [p](W&, Side&) { return Get(p); };
  }
  m["GET /dashboard-cqrs/product-kpis/:productoId"] = [](W& w, Side& s) {
    return Get("/dashboard-cqrs/product-kpis/" + Str(w.NewProduct(s)));
  };
  // Tenants
  m["GET /empresas/mia"] = [](W&, Side&) { return Get("/empresas/mia"); };
  m["PATCH /empresas/mia"] = [](W& w, Side&) { return With("PATCH", "/empresas/mia", json::object{{"direccion", "Calle " + w.Unique()}}); };
  m["GET /empresas"] = [](W&, Side&) { return Get("/empresas"); };
  m["GET /empresas/:id"] = [](W&, Side& s) { return Get("/empresas/" + Str(s.empresa)); };
  m["PATCH /empresas/:id"] = [](W& w, Side& s) {
    return With("PATCH", "/empresas/" + Str(s.empresa), json::object{{"direccion", "Avenida " + w.Unique()}});
  };
  m["DELETE /empresas/:id"] = [](W& w, Side&) { return With("DELETE", "/empresas/" + Str(w.EmptyEmpresa()), nullptr); };
  // Products
  m["POST /productos"] = [](W& w, Side& s) {
    std::string n = w.Unique();
    return With("POST", "/productos",
                json::object{{"nombre", "Nuevo " + n}, {"precioCompra", 1}, {"precioVenta", 2},
                             {"sku", "NEW-" + n}, {"proveedorId", s.supplier}});
  };
  m["GET /productos"] = [](W&, Side& s) { return Get("/productos?proveedorId=" + Str(s.supplier)); };
  m["GET /productos/buscar/:codigoBarras"] = [](W& w, Side& s) {
    std::string code;
    w.NewProduct(s, &code);
    return Get("/productos/buscar/" + UrlEncode(code));
  };
  m["GET /productos/:id"] = [](W& w, Side& s) { return Get("/productos/" + Str(w.NewProduct(s))); };
  m["PATCH /productos/:id"] = [](W& w, Side& s) {
    return With("PATCH", "/productos/" + Str(w.NewProduct(s)), json::object{{"descripcion", "Cambiada"}});
  };
  m["PATCH /productos/:id/desactivar"] = [](W& w, Side& s) {
    return With("PATCH", "/productos/" + Str(w.NewProduct(s)) + "/desactivar", nullptr);
  };
  m["PATCH /productos/:id/reactivar"] = [](W& w, Side& s) {
    auto id = Str(w.NewProduct(s));
    w.AdminCall(s, "PATCH", "/productos/" + id + "/desactivar");
    return With("PATCH", "/productos/" + id + "/reactivar", nullptr);
  };
  m["DELETE /productos/:id"] = [](W& w, Side& s) { return With("DELETE", "/productos/" + Str(w.NewProduct(s)), nullptr); };
  m["PATCH /productos/:id/restaurar"] = [](W& w, Side& s) {
    auto id = Str(w.NewProduct(s));
    w.AdminCall(s, "DELETE", "/productos/" + id);
    return With("PATCH", "/productos/" + id + "/restaurar", nullptr);
  };
  // Suppliers
  m["POST /proveedores"] = [](W& w, Side&) { return With("POST", "/proveedores", json::object{{"nombre", "Prov nuevo " + w.Unique()}}); };
  m["GET /proveedores"] = [](W&, Side&) { return Get("/proveedores"); };
  m["GET /proveedores/:id"] = [](W& w, Side& s) { return Get("/proveedores/" + Str(w.NewSupplier(s))); };
  m["PUT /proveedores/:id"] = [](W& w, Side& s) {
    return With("PUT", "/proveedores/" + Str(w.NewSupplier(s)), json::object{{"telefono", "555-0100"}});
  };
  m["PATCH /proveedores/:id/desactivar"] = [](W& w, Side& s) {
    return With("PATCH", "/proveedores/" + Str(w.NewSupplier(s)) + "/desactivar", nullptr);
  };
  m["PATCH /proveedores/:id/reactivar"] = [](W& w, Side& s) {
    auto id = Str(w.NewSupplier(s));
    w.AdminCall(s, "PATCH", "/proveedores/" + id + "/desactivar");
    return With("PATCH", "/proveedores/" + id + "/reactivar", nullptr);
  };
  m["DELETE /proveedores/:id/soft"] = [](W& w, Side& s) {
    return With("DELETE", "/proveedores/" + Str(w.NewSupplier(s)) + "/soft", nullptr);
  };
  m["PATCH /proveedores/:id/restaurar"] = [](W& w, Side& s) {
    auto id = Str(w.NewSupplier(s));
    w.AdminCall(s, "DELETE", "/proveedores/" + id + "/soft");
    return With("PATCH", "/proveedores/" + id + "/restaurar", nullptr);
  };
  // Movements
  m["POST /movimientos"] = [](W& w, Side& s) {
    return With("POST", "/movimientos", json::object{{"tipo", "ENTRADA"}, {"cantidad", 1}, {"productoId", w.NewProduct(s)}});
  };
  m["POST /movimientos/codigo-barras"] = [](W& w, Side& s) {
    std::string code;
    w.NewProduct(s, &code);
    return With("POST", "/movimientos/codigo-barras", json::object{{"tipo", "SALIDA"}, {"cantidad", 1}, {"codigoBarras", code}});
  };
  m["GET /movimientos"] = [](W& w, Side& s) {
    auto product = w.NewProduct(s);
    w.NewMovement(s, product);
    return Get("/movimientos?productoId=" + Str(product));
  };
  m["GET /movimientos/producto/:id"] = [](W& w, Side& s) {
    auto product = w.NewProduct(s);
    w.NewMovement(s, product);
    return Get("/movimientos/producto/" + Str(product));
  };
  m["GET /movimientos/eliminados"] = [](W&, Side&) { return Get("/movimientos/eliminados"); };
  m["GET /movimientos/eliminados/:id"] = [](W& w, Side& s) { return Get("/movimientos/eliminados/" + Str(w.DeletedMovement(s))); };
  m["GET /movimientos/:id"] = [](W& w, Side& s) { return Get("/movimientos/" + Str(w.NewMovement(s, w.NewProduct(s)))); };
  m["PATCH /movimientos/:id"] = [](W& w, Side& s) {
    return With("PATCH", "/movimientos/" + Str(w.NewMovement(s, w.NewProduct(s))), json::object{{"motivo", "Corregido"}});
  };
  m["DELETE /movimientos/:id"] = [](W& w, Side& s) {
    return With("DELETE", "/movimientos/" + Str(w.NewMovement(s, w.NewProduct(s))), nullptr);
  };
  m["PATCH /movimientos/:id/restaurar"] = [](W& w, Side& s) {
    return With("PATCH", "/movimientos/" + Str(w.DeletedMovement(s)) + "/restaurar", nullptr);
  };
  // Users
  m["GET /users"] = [](W&, Side&) { return Get("/users"); };
  m["POST /users"] = [](W& w, Side&) {
    std::string n = w.Unique();
    return With("POST", "/users",
                json::object{{"nombre", "Empleado " + n}, {"email", "e" + n + "@sec.test"}, {"password", "password123"},
                             {"rol", "EMPLEADO"}});
  };
  m["PATCH /users/:id"] = [](W& w, Side& s) {
    return With("PATCH", "/users/" + Str(w.NewUser(s.empresa, "EMPLEADO").id), json::object{{"nombre", "Renombrado"}});
  };
  m["DELETE /users/:id"] = [](W& w, Side& s) {
    return With("DELETE", "/users/" + Str(w.NewUser(s.empresa, "EMPLEADO").id), nullptr);
  };
  return m;
}

void SecurityTest::SetUp() {
  log = std::make_unique<LogCapture>();
  if (GetParam() == "postgres") {
    IAM_REQUIRE_POSTGRES(url);
    h = std::make_unique<test::ApiHarness>("postgres", url);
  } else {
    h = std::make_unique<test::ApiHarness>("sqlite");
  }
  w = std::make_unique<SecurityWorld>(*h);
}

void SecurityTest::TearDown() {
  std::vector<std::string> secrets = w ? w->secrets : std::vector<std::string>{};
  w.reset();
  h.reset();
  if (!log) return;
  ScanLog(log->Take(), secrets);
  log.reset();
}

std::string SecurityTest::TakeLog() {
  std::string text = log->Take();
  ScanLog(text, w->secrets);
  return text;
}

void SecurityTest::ScanLog(const std::string& text, const std::vector<std::string>& secrets) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    for (const auto& leak : FindLeaks(line, secrets, false)) ADD_FAILURE() << "a log line shows " << leak << ": " << line;
    start = end + 1;
  }
}

void SecurityTest::LiftRateLimits() {
  auto& limits = h->api().auth.limits;
  limits.failed_logins = 1 << 30;
  limits.registrations = 1 << 30;
  limits.refreshes = 1 << 30;
}

}  // namespace iam::security
