#include "api/request_params.hpp"

#include <charconv>
#include <fmt/format.h>

#include "api/json_body.hpp"
#include "domain/time_format.hpp"

namespace iam::api {
namespace {

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Error Bad(std::string_view name, std::string_view what) {
  return Error::InvalidArgument(fmt::format("{}: {}", name, what));
}

}  // namespace

Result<domain::Id> PathId(const http::RequestContext& ctx, std::string_view name) {
  auto v = ParseInt(ctx.Param(name));
  if (!v || *v < 1 || *v > 2147483647) return Fail(Bad(name, "debe ser un identificador numérico"));
  return *v;
}

Result<std::optional<std::int64_t>> QueryInt(const http::RequestContext& ctx, std::string_view name, std::int64_t min,
                                             std::int64_t max) {
  auto raw = ctx.QueryParam(name);
  if (!raw || raw->empty()) return std::optional<std::int64_t>();
  auto v = ParseInt(*raw);
  if (!v || *v < min || *v > max) return Fail(Bad(name, fmt::format("debe ser un número entero entre {} y {}", min, max)));
  return std::optional<std::int64_t>(*v);
}

Result<Page> PageParams(const http::RequestContext& ctx) {
  auto page = QueryInt(ctx, "page", 1, 1000000);
  if (!page) return Fail(page.error());
  auto limit = QueryInt(ctx, "limit", 1, 100);
  if (!limit) return Fail(limit.error());
  return Page{page->value_or(1), limit->value_or(50)};
}

Result<std::optional<bool>> QueryBool(const http::RequestContext& ctx, std::string_view name) {
  auto raw = ctx.QueryParam(name);
  if (!raw || raw->empty()) return std::optional<bool>();
  if (*raw == "true" || *raw == "1") return std::optional<bool>(true);
  if (*raw == "false" || *raw == "0") return std::optional<bool>(false);
  return Fail(Bad(name, "debe ser true o false"));
}

Result<std::optional<std::string>> QueryEnum(const http::RequestContext& ctx, std::string_view name,
                                             std::span<const std::string_view> values) {
  auto raw = ctx.QueryParam(name);
  if (!raw || raw->empty()) return std::optional<std::string>();
  for (auto v : values)
    if (*raw == v) return std::optional<std::string>(std::string(v));
  std::string list;
  for (auto v : values) list += (list.empty() ? "" : ", ") + std::string(v);
  return Fail(Bad(name, "debe ser uno de: " + list));
}

Result<std::optional<std::string>> QueryText(const http::RequestContext& ctx, std::string_view name,
                                             std::size_t max_chars) {
  auto raw = ctx.QueryParam(name);
  if (!raw) return std::optional<std::string>();
  auto b = raw->find_first_not_of(" \t");
  if (b == std::string::npos) return std::optional<std::string>();
  auto e = raw->find_last_not_of(" \t");
  std::string s = raw->substr(b, e - b + 1);
  if (!IsValidUtf8(s) || s.find('\0') != std::string::npos) return Fail(Bad(name, "contiene caracteres no permitidos"));
  if (Utf8Length(s) > max_chars) return Fail(Bad(name, fmt::format("debe tener como máximo {} caracteres", max_chars)));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<std::int64_t>> QueryTime(const http::RequestContext& ctx, std::string_view name) {
  auto raw = ctx.QueryParam(name);
  if (!raw || raw->empty()) return std::optional<std::int64_t>();
  auto ms = ParseTimestampMs(*raw);
  if (!ms) return Fail(Bad(name, "debe ser una fecha ISO-8601 (AAAA-MM-DD o AAAA-MM-DDTHH:MM:SSZ)"));
  return std::optional<std::int64_t>(*ms);
}

}  // namespace iam::api
