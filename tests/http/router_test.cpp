#include "http/router.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace iam::http {
namespace {

using verb = beast_http::verb;

// A handler that knows its name, so a test can tell which route's handler a match points at.
struct NamedHandler {
  std::string name;
  boost::asio::awaitable<Response> operator()(RequestContext&) const { co_return Response{}; }
};
Handler Named(std::string name) { return NamedHandler{std::move(name)}; }
std::string NameOf(const Router::Match& m) {
  if (m.handler == nullptr) return "";
  const auto* named = m.handler->target<NamedHandler>();
  return named == nullptr ? "?" : named->name;
}

Router MakeRouter() {
  Router r;
  for (const char* p : {"/health", "/health/ready", "/productos", "/productos/:id", "/productos/buscar/:codigoBarras",
                        "/movimientos/:id", "/movimientos/eliminados", "/movimientos/eliminados/:id",
                        "/movimientos/producto/:id"})
    r.Get(p, Named(p));
  r.Post("/productos", Named("post"));
  r.Patch("/productos/:id", Named("patch"));
  r.Patch("/productos/:id/desactivar", Named("patch-des"));
  r.Delete("/movimientos/:id", Named("del"));
  return r;
}

TEST(RouterTest, MatchesTable) {
  Router r = MakeRouter();
  struct Case {
    verb method;
    const char* path;
    Router::Outcome outcome;
    const char* pattern;
    const char* param_value;  // value of the first param, if any
    const char* allow;
  } kCases[] = {
      {verb::get, "/health", Router::Outcome::kMatched, "/health", nullptr, ""},
      {verb::get, "/health/", Router::Outcome::kMatched, "/health", nullptr, ""},
      {verb::get, "/health/ready", Router::Outcome::kMatched, "/health/ready", nullptr, ""},
      {verb::get, "/productos/42", Router::Outcome::kMatched, "/productos/:id", "42", ""},
      {verb::get, "/productos/buscar/750100", Router::Outcome::kMatched, "/productos/buscar/:codigoBarras", "750100", ""},
      {verb::get, "/movimientos/eliminados", Router::Outcome::kMatched, "/movimientos/eliminados", nullptr, ""},
      {verb::get, "/movimientos/eliminados/7", Router::Outcome::kMatched, "/movimientos/eliminados/:id", "7", ""},
      {verb::get, "/movimientos/9", Router::Outcome::kMatched, "/movimientos/:id", "9", ""},
      {verb::delete_, "/movimientos/9", Router::Outcome::kMatched, "/movimientos/:id", "9", ""},
      // A literal path that exists only for GET is not swallowed by DELETE /movimientos/:id.
      {verb::delete_, "/movimientos/eliminados", Router::Outcome::kMethodNotAllowed, "", nullptr, "GET"},
      {verb::put, "/productos", Router::Outcome::kMethodNotAllowed, "", nullptr, "GET, POST"},
      {verb::patch, "/productos/3/desactivar", Router::Outcome::kMatched, "/productos/:id/desactivar", "3", ""},
      {verb::get, "/productos/3/desactivar", Router::Outcome::kMethodNotAllowed, "", nullptr, "PATCH"},
      {verb::get, "/nope", Router::Outcome::kNotFound, "", nullptr, ""},
      {verb::get, "/productos/1/2/3", Router::Outcome::kNotFound, "", nullptr, ""},
      {verb::get, "/", Router::Outcome::kNotFound, "", nullptr, ""},
      // Decoded after splitting: an encoded '/' stays inside its segment.
      {verb::get, "/productos/buscar/A%2FB", Router::Outcome::kMatched, "/productos/buscar/:codigoBarras", "A/B", ""},
      {verb::get, "/productos/caf%C3%A9", Router::Outcome::kMatched, "/productos/:id", "café", ""},
      {verb::get, "/h%65alth", Router::Outcome::kMatched, "/health", nullptr, ""},
      // A path equal to a literal pattern is looked up directly; the scan still decides the rest.
      {verb::post, "/productos", Router::Outcome::kMatched, "/productos", nullptr, ""},
      {verb::get, "//productos", Router::Outcome::kMatched, "/productos", nullptr, ""},
      {verb::patch, "/productos", Router::Outcome::kMethodNotAllowed, "", nullptr, "GET, POST"},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(std::string(beast_http::to_string(k.method)) + " " + k.path);
    auto m = r.Find(k.method, k.path);
    EXPECT_EQ(m.outcome, k.outcome);
    EXPECT_EQ(m.pattern, k.pattern);
    EXPECT_EQ(m.allow, k.allow);
    if (k.param_value) {
      ASSERT_EQ(m.params.size(), 1u);
      EXPECT_EQ(m.params[0].second, k.param_value);
    } else {
      EXPECT_TRUE(m.params.empty());
    }
  }
}

// Routes of one path for several methods: the direct lookup of a literal path picks the handler of
// the request's method, as the scan does for the others.
TEST(RouterTest, EachMethodGetsItsOwnHandler) {
  Router r = MakeRouter();
  struct Case {
    verb method;
    const char* path;
    const char* handler;
  } kCases[] = {
      {verb::get, "/productos", "/productos"},
      {verb::post, "/productos", "post"},
      {verb::get, "/productos/", "/productos"},
      {verb::post, "/product%6Fs", "post"},
      {verb::get, "/productos/3", "/productos/:id"},
      {verb::patch, "/productos/3", "patch"},
      {verb::delete_, "/movimientos/9", "del"},
      {verb::get, "/movimientos/eliminados", "/movimientos/eliminados"},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(std::string(beast_http::to_string(k.method)) + " " + k.path);
    EXPECT_EQ(NameOf(r.Find(k.method, k.path)), k.handler);
  }
}

TEST(RouterTest, DuplicateRouteIsABug) {
  Router r;
  r.Get("/a/:id", Named("a"));
  EXPECT_THROW(r.Get("/a/:other", Named("b")), std::logic_error);
  EXPECT_NO_THROW(r.Post("/a/:id", Named("c")));
}

}  // namespace
}  // namespace iam::http
