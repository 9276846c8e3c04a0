#include "store/detail/libpq_support.hpp"

#include <cstring>

namespace iam::store::detail {

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> PasswordsIn(const std::string& url) {
  std::vector<std::string> out;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    const auto begin = scheme + 3;
    const auto at = url.find_first_of("@/", begin);
    if (at != std::string::npos && url[at] == '@') {
      const auto colon = url.find(':', begin);
      if (colon < at && colon + 1 < at) out.push_back(url.substr(colon + 1, at - colon - 1));
    }
  }
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  PQfreemem(err);
  for (auto* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr && *o->val != '\0') out.emplace_back(o->val);
  }
  PQconninfoFree(options);
  return out;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace iam::store::detail
