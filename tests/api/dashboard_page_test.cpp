// The operator dashboard page served by the API's own router (docs/dashboard.md): the embedded
// files are byte-for-byte those of web/dashboard/, every file the page references is served with
// its type, the Content-Security-Policy forbids inline code, and no page file holds inline script,
// inline style or an off-origin URL. The browser behaviour itself is tested end to end in
// tests/e2e/ (headless Chromium against the real binary).
#include "api/routes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "api/dashboard_assets.hpp"
#include "api/harness/api_harness.hpp"

namespace iam::api {
namespace {

namespace fs = std::filesystem;

const fs::path kWebDir = fs::path(IAM_SOURCE_DIR) / "web" / "dashboard";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class DashboardPageTest : public ::testing::Test {
 protected:
  test::ApiHarness h{"sqlite"};
};

TEST(DashboardAssetsTest, EmbeddedFilesAreThoseOfTheWebFolder) {
  std::set<std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(kWebDir)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), kWebDir).generic_string();
    if (rel.starts_with(".")) continue;
    on_disk.insert(rel);
  }
  std::set<std::string> embedded;
  for (const auto& asset : DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    embedded.insert(std::string(asset.path));
    EXPECT_EQ(asset.body, ReadFile(kWebDir / asset.path)) << "rebuild: the binary embeds an older copy";
    EXPECT_EQ(asset.etag.size(), 34u);  // 32 hex digits in quotes
  }
  EXPECT_EQ(embedded, on_disk);
  EXPECT_TRUE(embedded.contains("index.html"));
}

TEST(DashboardAssetsTest, NoInlineCodeNoStyleAttributesNoOtherOrigin) {
  for (const auto& asset : DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    // The SVG namespace is a name, not an address.
    const std::string body = std::regex_replace(std::string(asset.body), std::regex("http://www\\.w3\\.org/2000/svg"), "");
    EXPECT_EQ(body.find("http://"), std::string::npos);
    EXPECT_EQ(body.find("https://"), std::string::npos);
    EXPECT_EQ(body.find("localStorage"), std::string::npos);
    EXPECT_EQ(body.find("sessionStorage"), std::string::npos);
    EXPECT_EQ(body.find("innerHTML"), std::string::npos);
    if (asset.path.ends_with(".html")) {
      // Every <script> has a src; no element carries style="…" or an on…="…" handler.
      EXPECT_FALSE(std::regex_search(body, std::regex("<script(?![^>]*\\bsrc=)[^>]*>")));
      EXPECT_FALSE(std::regex_search(body, std::regex("<style\\b")));
      EXPECT_FALSE(std::regex_search(body, std::regex("\\sstyle\\s*=")));
      EXPECT_FALSE(std::regex_search(body, std::regex("\\son[a-z]+\\s*=")));
    }
  }
}

TEST_F(DashboardPageTest, PageIsServedWithAStrictPolicy) {
  for (const char* path : {"/panel", "/panel/", "/panel/index.html"}) {
    SCOPED_TRACE(path);
    auto r = h.Get(path);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.body, ReadFile(kWebDir / "index.html"));
    const std::string csp = r.Header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
    EXPECT_EQ(r.Header("cache-control"), "no-cache");
    EXPECT_FALSE(r.Header("etag").empty());
  }
}

TEST_F(DashboardPageTest, EveryReferencedFileIsServedWithItsType) {
  // Files named by index.html (src/href) and by the modules' imports.
  std::set<std::string> referenced;
  const std::string index = ReadFile(kWebDir / "index.html");
  const std::regex attr("(?:src|href)=\"(/panel/[^\"]+)\"");
  for (std::sregex_iterator it(index.begin(), index.end(), attr), end; it != end; ++it) referenced.insert((*it)[1]);
  const std::regex import_from("from '\\./([^']+)'");
  for (const auto& asset : DashboardAssets()) {
    if (!asset.path.ends_with(".js")) continue;
    const std::string body(asset.body);
    for (std::sregex_iterator it(body.begin(), body.end(), import_from), end; it != end; ++it)
      referenced.insert("/panel/" + std::string((*it)[1]));
  }
  ASSERT_GE(referenced.size(), 4u);
  for (const auto& path : referenced) {
    SCOPED_TRACE(path);
    auto r = h.Get(path);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), std::string(http::ContentTypeFor(path)));
    EXPECT_FALSE(r.Header("content-security-policy").empty());
  }
}

TEST_F(DashboardPageTest, RevalidationAnswers304) {
  auto first = h.Get("/panel/app.js");
  ASSERT_EQ(first.status, 200);
  auto again = h.Request("GET", "/panel/app.js", {}, {}, {{"If-None-Match", first.Header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(DashboardPageTest, RootRedirectsToThePanel) {
  auto r = h.Get("/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location"), "/panel/");
}

TEST_F(DashboardPageTest, ApiRoutesAreUnchanged) {
  // The page's policy is the page's: JSON answers and errors keep theirs.
  auto health = h.Get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(health.Header("content-security-policy"), "");
  auto missing = h.Get("/panel/nope.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json.at("code").as_string(), "ROUTE_NOT_FOUND");
  auto kpis = h.Get("/dashboard-cqrs/kpis");
  EXPECT_EQ(kpis.status, 401);
}

}  // namespace
}  // namespace iam::api
