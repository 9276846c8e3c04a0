// JsonBody: strict validation of a JSON request body. Parse() accepts only a JSON object (UTF-8,
// at most 64 levels deep). Each reader declares one allowed field and validates its type and rule;
// Finish() refuses fields nobody declared (as the old backend's forbidNonWhitelisted did) and
// returns every problem found as one 400 VALIDATION_ERROR whose message names each field.
// Integers must be integral JSON numbers within range (no overflow, no 1.5, no "3"); numbers must
// be finite. Strings are trimmed when the rule says so and measured in characters.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.hpp"

namespace iam::api {

// A field of a PATCH-like body: absent (unchanged), null (cleared) or a value.
template <typename T>
struct Patch {
  bool present = false;
  bool is_null = false;
  T value{};
  bool HasValue() const { return present && !is_null; }
};

struct StringRule {
  bool required = false;
  std::size_t min_chars = 0;
  std::size_t max_chars = 200;
  bool trim = true;
  bool email = false;  // a plausible email address (something@something.tld), lower-cased
};

struct IntRule {
  bool required = false;
  std::int64_t min = 0;
  std::int64_t max = 2147483647;
};

struct NumberRule {
  bool required = false;
  double min = 0;
  double max = 1e12;
};

class JsonBody {
 public:
  // 400 MALFORMED_JSON for invalid JSON, 400 VALIDATION_ERROR when the body is not an object.
  // An empty body reads as {}.
  static Result<JsonBody> Parse(std::string_view text);

  std::optional<std::string> String(std::string_view key, StringRule rule = {});
  std::optional<std::int64_t> Int(std::string_view key, IntRule rule = {});
  std::optional<double> Number(std::string_view key, NumberRule rule = {});
  std::optional<bool> Bool(std::string_view key, bool required = false);
  std::optional<std::string> Enum(std::string_view key, std::span<const std::string_view> values,
                                  bool required = false);
  std::optional<std::vector<std::string>> StringList(std::string_view key, std::size_t max_items = 50,
                                                     std::size_t max_chars = 50);

  // Nullable variants for PATCH bodies.
  Patch<std::string> NullableString(std::string_view key, StringRule rule = {});
  Patch<std::int64_t> NullableInt(std::string_view key, IntRule rule = {});
  Patch<double> NullableNumber(std::string_view key, NumberRule rule = {});

  // Marks a field as known but refused with `message` when present (e.g. "stock" in a PATCH).
  void Forbid(std::string_view key, std::string_view message);
  bool Has(std::string_view key) const { return object_.contains(key); }

  // Refuses undeclared fields; returns all errors as one VALIDATION_ERROR.
  Result<void> Finish();

 private:
  explicit JsonBody(boost::json::object o) : object_(std::move(o)) {}
  const boost::json::value* Declare(std::string_view key, bool required);
  void Problem(std::string_view key, std::string_view what);
  template <typename T, typename Read>
  Patch<T> NullableWith(std::string_view key, Read read);
  std::optional<std::string> CheckString(std::string_view key, const boost::json::value& v, const StringRule& rule);

  boost::json::object object_;
  std::set<std::string, std::less<>> declared_;
  std::vector<std::string> problems_;
};

// Characters (code points) of a valid UTF-8 string.
std::size_t Utf8Length(std::string_view s);

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
// U+10FFFF). Text from a path or query string must be checked: unlike a JSON body, nothing else
// has, and PostgreSQL refuses such bytes with an error.
bool IsValidUtf8(std::string_view s);

}  // namespace iam::api
