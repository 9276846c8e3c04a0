#include "http/static_assets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace iam::http {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kContentTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"woff2", "font/woff2"},
    {"webmanifest", "application/manifest+json"},
    {"map", "application/json; charset=utf-8"},
}};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Opaque(std::string_view tag) {
  tag = Trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  const auto slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string ext(file_name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& [extension, type] : kContentTypes)
    if (extension == ext) return type;
  return "application/octet-stream";
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (Trim(if_none_match) == "*") return true;
  const std::string_view wanted = Opaque(etag);
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    if (Opaque(if_none_match.substr(0, comma)) == wanted) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

Handler ServeStaticAsset(const StaticAsset& asset, const StaticAssetOptions& options) {
  // Captures: views of static storage and a copy of the options.
  return [asset, options, type = ContentTypeFor(asset.path)](RequestContext& ctx) -> boost::asio::awaitable<Response> {
    const auto inm = ctx.request.find(beast_http::field::if_none_match);
    const bool fresh = inm != ctx.request.end() && EtagMatches(inm->value(), asset.etag);
    Response res{fresh ? beast_http::status::not_modified : beast_http::status::ok, ctx.request.version()};
    res.set(beast_http::field::etag, asset.etag);
    res.set(beast_http::field::cache_control, options.cache_control);
    if (!options.content_security_policy.empty())
      res.set("Content-Security-Policy", options.content_security_policy);
    if (!fresh) {
      res.set(beast_http::field::content_type, type);
      res.body().assign(asset.body.data(), asset.body.size());
    }
    co_return res;
  };
}

void MountStaticAssets(Router& router, std::string_view mount, std::span<const StaticAsset> assets,
                       const StaticAssetOptions& options) {
  for (const StaticAsset& asset : assets) {
    router.Get(std::string(mount) + "/" + std::string(asset.path), ServeStaticAsset(asset, options));
    if (asset.path == "index.html") router.Get(mount, ServeStaticAsset(asset, options));
  }
}

}  // namespace iam::http
