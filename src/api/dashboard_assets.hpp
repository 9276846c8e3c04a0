// The files of the operator dashboard page (web/dashboard/), compiled into the binary: the
// definition is generated at build time by cmake/embed_files.cmake. Static storage; the span is
// valid for the life of the process. Paths are relative to web/dashboard ("index.html", "app.js").
#pragma once

#include <span>

#include "http/static_assets.hpp"

namespace iam::api {

std::span<const http::StaticAsset> DashboardAssets();

}  // namespace iam::api
