// ContainsPattern: a user's search text as a LIKE pattern that matches it anywhere, with `%`, `_`
// and `\` escaped so they match themselves under `ESCAPE '\'` (both dialects). Pure.
#pragma once

#include <string>

namespace iam::store {

inline std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace iam::store
