// Path and query parameters, validated: ids, pagination (`page` ≥ 1, 1 ≤ `limit` ≤ 100, default
// 1 and 50; out of range → 400), integers, booleans and enums from the query string. Every
// failure is a 400 VALIDATION_ERROR naming the parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/entities.hpp"
#include "domain/error.hpp"
#include "http/types.hpp"

namespace iam::api {

struct Page {
  std::int64_t page = 1;
  std::int64_t limit = 50;
  std::int64_t offset() const { return (page - 1) * limit; }
  std::int64_t total_pages(std::int64_t total) const { return total == 0 ? 0 : (total + limit - 1) / limit; }
};

Result<domain::Id> PathId(const http::RequestContext& ctx, std::string_view name = "id");
Result<Page> PageParams(const http::RequestContext& ctx);
// nullopt when absent or empty.
Result<std::optional<std::int64_t>> QueryInt(const http::RequestContext& ctx, std::string_view name, std::int64_t min,
                                             std::int64_t max);
Result<std::optional<bool>> QueryBool(const http::RequestContext& ctx, std::string_view name);
Result<std::optional<std::string>> QueryEnum(const http::RequestContext& ctx, std::string_view name,
                                             std::span<const std::string_view> values);
// A free-text query parameter, trimmed, at most max_chars; nullopt when absent or empty.
Result<std::optional<std::string>> QueryText(const http::RequestContext& ctx, std::string_view name,
                                             std::size_t max_chars = 200);
// An ISO date or timestamp query parameter as epoch ms.
Result<std::optional<std::int64_t>> QueryTime(const http::RequestContext& ctx, std::string_view name);

}  // namespace iam::api
