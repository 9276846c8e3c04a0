#include "api/json_body.hpp"

#include <boost/json/parse.hpp>
#include <cmath>
#include <fmt/format.h>

namespace iam::api {
namespace {

std::string Trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool PlausibleEmail(std::string_view e) {
  auto at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) return false;
  auto domain = e.substr(at + 1);
  auto dot = domain.rfind('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 >= domain.size()) return false;
  for (unsigned char c : e)
    if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';') return false;
  return true;
}

// An integral JSON number as int64, whatever its JSON representation (5, 5.0, 5e0).
std::optional<std::int64_t> AsInteger(const boost::json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v.as_uint64());
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<JsonBody> JsonBody::Parse(std::string_view text) {
  if (Trim(text).empty()) return JsonBody(boost::json::object());
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 64;
  auto v = boost::json::parse(text, ec, {}, options);
  if (ec) return Fail(Error::InvalidArgument("El cuerpo no es JSON válido", "MALFORMED_JSON"));
  if (!v.is_object()) return Fail(Error::InvalidArgument("El cuerpo debe ser un objeto JSON"));
  return JsonBody(std::move(v.as_object()));
}

void JsonBody::Problem(std::string_view key, std::string_view what) {
  if (problems_.size() >= 20) return;  // enough to fix the request; bounded whatever the body
  problems_.push_back(fmt::format("{}: {}", key.substr(0, 64), what));
}

const boost::json::value* JsonBody::Declare(std::string_view key, bool required) {
  declared_.emplace(key);
  const auto* v = object_.if_contains(key);
  if (v == nullptr && required) Problem(key, "es obligatorio");
  return v;
}

std::optional<std::string> JsonBody::CheckString(std::string_view key, const boost::json::value& v,
                                                 const StringRule& rule) {
  if (!v.is_string()) {
    Problem(key, "debe ser texto");
    return std::nullopt;
  }
  std::string s = rule.trim ? Trim(v.as_string()) : std::string(v.as_string());
  std::size_t len = Utf8Length(s);
  if (s.find('\0') != std::string::npos) {
    Problem(key, "contiene caracteres no permitidos");
    return std::nullopt;
  }
  if (len < std::max<std::size_t>(rule.min_chars, rule.required ? 1 : 0)) {
    Problem(key, rule.min_chars > 1 ? fmt::format("debe tener al menos {} caracteres", rule.min_chars) : "no puede estar vacío");
    return std::nullopt;
  }
  if (len > rule.max_chars) {
    Problem(key, fmt::format("debe tener como máximo {} caracteres", rule.max_chars));
    return std::nullopt;
  }
  if (rule.email) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!PlausibleEmail(s)) {
      Problem(key, "debe ser un correo electrónico válido");
      return std::nullopt;
    }
  }
  return s;
}

std::optional<std::string> JsonBody::String(std::string_view key, StringRule rule) {
  const auto* v = Declare(key, rule.required);
  if (v == nullptr) return std::nullopt;
  if (v->is_null() && !rule.required) return std::nullopt;
  return CheckString(key, *v, rule);
}

std::optional<std::int64_t> JsonBody::Int(std::string_view key, IntRule rule) {
  const auto* v = Declare(key, rule.required);
  if (v == nullptr || (v->is_null() && !rule.required)) return std::nullopt;
  if (!v->is_number()) {
    Problem(key, "debe ser un número entero");
    return std::nullopt;
  }
  auto n = AsInteger(*v);
  if (!n || *n < rule.min || *n > rule.max) {
    Problem(key, fmt::format("debe ser un número entero entre {} y {}", rule.min, rule.max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> JsonBody::Number(std::string_view key, NumberRule rule) {
  const auto* v = Declare(key, rule.required);
  if (v == nullptr || (v->is_null() && !rule.required)) return std::nullopt;
  if (!v->is_number()) {
    Problem(key, "debe ser un número");
    return std::nullopt;
  }
  double d = v->to_number<double>();
  if (!std::isfinite(d) || d < rule.min || d > rule.max) {
    Problem(key, fmt::format("debe ser un número entre {} y {}", rule.min, rule.max));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> JsonBody::Bool(std::string_view key, bool required) {
  const auto* v = Declare(key, required);
  if (v == nullptr || (v->is_null() && !required)) return std::nullopt;
  if (!v->is_bool()) {
    Problem(key, "debe ser true o false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::string> JsonBody::Enum(std::string_view key, std::span<const std::string_view> values,
                                          bool required) {
  const auto* v = Declare(key, required);
  if (v == nullptr || (v->is_null() && !required)) return std::nullopt;
  if (v->is_string()) {
    for (auto allowed : values)
      if (v->as_string() == allowed) return std::string(allowed);
  }
  std::string list;
  for (auto allowed : values) list += (list.empty() ? "" : ", ") + std::string(allowed);
  Problem(key, "debe ser uno de: " + list);
  return std::nullopt;
}

std::optional<std::vector<std::string>> JsonBody::StringList(std::string_view key, std::size_t max_items,
                                                             std::size_t max_chars) {
  const auto* v = Declare(key, false);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_array() || v->as_array().size() > max_items) {
    Problem(key, fmt::format("debe ser una lista de hasta {} textos", max_items));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    auto s = CheckString(key, item, {.required = true, .max_chars = max_chars});
    if (!s) return std::nullopt;
    out.push_back(*s);
  }
  return out;
}

Patch<std::string> JsonBody::NullableString(std::string_view key, StringRule rule) {
  Patch<std::string> p;
  const auto* v = Declare(key, false);
  if (v == nullptr) return p;
  p.present = true;
  if (v->is_null()) {
    p.is_null = true;
    return p;
  }
  auto s = CheckString(key, *v, rule);
  if (!s) p.present = false;
  else p.value = *s;
  return p;
}

// A nullable number field: absent, null, or read by `read` (which records its own problems).
template <typename T, typename Read>
Patch<T> JsonBody::NullableWith(std::string_view key, Read read) {
  Patch<T> p;
  const auto* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    declared_.emplace(key);
    p.present = v != nullptr;
    p.is_null = p.present;
    return p;
  }
  auto value = read();
  p.present = value.has_value();
  if (value) p.value = *value;
  return p;
}

Patch<std::int64_t> JsonBody::NullableInt(std::string_view key, IntRule rule) {
  return NullableWith<std::int64_t>(key, [&] { return Int(key, rule); });
}

Patch<double> JsonBody::NullableNumber(std::string_view key, NumberRule rule) {
  return NullableWith<double>(key, [&] { return Number(key, rule); });
}

void JsonBody::Forbid(std::string_view key, std::string_view message) {
  declared_.emplace(key);
  if (object_.contains(key)) Problem(key, message);
}

Result<void> JsonBody::Finish() {
  for (const auto& [key, value] : object_) {
    if (!declared_.contains(std::string_view(key))) Problem(key, "no es un campo permitido");
  }
  if (problems_.empty()) return {};
  std::string message;
  for (const auto& p : problems_) message += (message.empty() ? "" : "; ") + p;
  return Fail(Error::InvalidArgument(message, "VALIDATION_ERROR"));
}

}  // namespace iam::api
