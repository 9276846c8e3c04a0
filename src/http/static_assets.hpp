// Files compiled into the binary (cmake/embed_files.cmake generates the table at build time),
// served as GET responses: Content-Type from the file's extension, a strong ETag (a SHA-256 prefix
// of the content, fixed at build time), `Cache-Control: no-cache` (the browser revalidates, and a
// new build changes the ETag), and the Content-Security-Policy the caller gives. A request whose
// If-None-Match names the ETag gets 304 and no body. Asset bytes have static storage; the handlers
// are stateless and safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace iam::http {

struct StaticAsset {
  std::string_view path;  // relative to the mount point, '/'-separated, e.g. "index.html", "js/app.js"
  std::string_view body;
  std::string_view etag;  // quoted, e.g. "\"5f3a…\""
};

struct StaticAssetOptions {
  std::string content_security_policy;  // empty: no header
  std::string cache_control = "no-cache";
};

// The Content-Type for a file name, by its extension (lower-case): text types carry
// `charset=utf-8`; an unknown extension is application/octet-stream.
std::string_view ContentTypeFor(std::string_view file_name);

// True when an If-None-Match header value (a list of entity tags, weak ones included, or "*")
// matches `etag` under the weak comparison of RFC 9110 §13.1.2.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// The handler that serves one asset.
Handler ServeStaticAsset(const StaticAsset& asset, const StaticAssetOptions& options);

// Registers GET `mount/<path>` for each asset, and GET `mount` itself for "index.html" when present.
// REQUIRES: `mount` starts with '/' and does not end with one ("/panel").
void MountStaticAssets(Router& router, std::string_view mount, std::span<const StaticAsset> assets,
                       const StaticAssetOptions& options);

}  // namespace iam::http
