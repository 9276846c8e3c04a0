#include "http/static_assets.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace iam::http {
namespace {

namespace asio = boost::asio;

constexpr StaticAsset kAssets[] = {
    {"index.html", "<!doctype html><title>x</title>", "\"abc123\""},
    {"app.js", "export const x = 1;\n", "\"def456\""},
    {"img/logo.svg", "<svg/>", "\"0a0b0c\""},
};

Response Fetch(const Router& router, beast_http::verb method, std::string path,
             std::vector<std::pair<beast_http::field, std::string>> headers = {}) {
  RequestContext ctx;
  ctx.request.method(method);
  ctx.request.target(path);
  ctx.path = std::move(path);
  for (auto& [name, value] : headers) ctx.request.set(name, value);
  asio::io_context io;
  auto done = asio::co_spawn(io, router.Dispatch(ctx), asio::use_future);
  io.run();
  return done.get();
}

Router Mounted(const StaticAssetOptions& options) {
  Router router;
  MountStaticAssets(router, "/panel", kAssets, options);
  return router;
}

TEST(StaticAssetsTest, ContentTypeByExtension) {
  struct Case {
    const char* name;
    const char* type;
  } kCases[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"dir/style.CSS", "text/css; charset=utf-8"},
      {"favicon.svg", "image/svg+xml"},
      {"data.json", "application/json; charset=utf-8"},
      {"shot.png", "image/png"},
      {"README", "application/octet-stream"},
      {"dir.v2/noext", "application/octet-stream"},
      {"archive.tar.gz", "application/octet-stream"},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.name);
    EXPECT_EQ(ContentTypeFor(k.name), k.type);
  }
}

TEST(StaticAssetsTest, IfNoneMatchUsesWeakComparison) {
  struct Case {
    const char* header;
    bool match;
  } kCases[] = {
      {"\"abc\"", true},
      {"W/\"abc\"", true},
      {" \"zzz\" , \"abc\" ", true},
      {"*", true},
      {"\"abcd\"", false},
      {"abc", false},
      {"", false},
      {",,", false},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.header);
    EXPECT_EQ(EtagMatches(k.header, "\"abc\""), k.match);
  }
}

TEST(StaticAssetsTest, ServesBodyTypeEtagCacheControlAndCsp) {
  Router router = Mounted({.content_security_policy = "default-src 'self'"});
  Response res = Fetch(router, beast_http::verb::get, "/panel/app.js");
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res.body(), "export const x = 1;\n");
  EXPECT_EQ(res[beast_http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[beast_http::field::etag], "\"def456\"");
  EXPECT_EQ(res[beast_http::field::cache_control], "no-cache");
  EXPECT_EQ(res["Content-Security-Policy"], "default-src 'self'");

  Response nested = Fetch(router, beast_http::verb::get, "/panel/img/logo.svg");
  EXPECT_EQ(nested.result(), beast_http::status::ok);
  EXPECT_EQ(nested[beast_http::field::content_type], "image/svg+xml");
}

TEST(StaticAssetsTest, IndexIsServedAtTheMountItself) {
  Router router = Mounted({});
  for (const char* path : {"/panel", "/panel/", "/panel/index.html"}) {
    SCOPED_TRACE(path);
    Response res = Fetch(router, beast_http::verb::get, path);
    EXPECT_EQ(res.result(), beast_http::status::ok);
    EXPECT_EQ(res.body(), "<!doctype html><title>x</title>");
    EXPECT_EQ(res[beast_http::field::content_type], "text/html; charset=utf-8");
    // No policy asked for, none sent.
    EXPECT_EQ(res.find("Content-Security-Policy"), res.end());
  }
}

TEST(StaticAssetsTest, MatchingIfNoneMatchIs304WithoutBody) {
  Router router = Mounted({.content_security_policy = "default-src 'self'"});
  Response res = Fetch(router, beast_http::verb::get, "/panel/app.js", {{beast_http::field::if_none_match, "\"def456\""}});
  EXPECT_EQ(res.result(), beast_http::status::not_modified);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[beast_http::field::etag], "\"def456\"");
  EXPECT_EQ(res[beast_http::field::cache_control], "no-cache");

  Response stale = Fetch(router, beast_http::verb::get, "/panel/app.js", {{beast_http::field::if_none_match, "\"old\""}});
  EXPECT_EQ(stale.result(), beast_http::status::ok);
  EXPECT_EQ(stale.body(), "export const x = 1;\n");
}

TEST(StaticAssetsTest, UnknownFileIs404AndOtherMethodsAre405) {
  Router router = Mounted({});
  EXPECT_EQ(Fetch(router, beast_http::verb::get, "/panel/missing.js").result(), beast_http::status::not_found);
  EXPECT_EQ(Fetch(router, beast_http::verb::get, "/panel/../app.js").result(), beast_http::status::not_found);
  Response post = Fetch(router, beast_http::verb::post, "/panel/app.js");
  EXPECT_EQ(post.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(post[beast_http::field::allow], "GET");
}

}  // namespace
}  // namespace iam::http
