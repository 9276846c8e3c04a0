// Keeping PostgreSQL passwords out of logs and errors: the password of a libpq URL in both forms
// it may take, and a redaction of any text that might echo it. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace iam::store::detail {

// The password as written in the URL's userinfo (possibly percent-encoded) and as libpq decodes
// it (also from `?password=`). Mirrors libpq: the userinfo ends at the first '@' before any '/'.
std::vector<std::string> PasswordsIn(const std::string& url);

// `text` with every occurrence of each non-empty secret replaced by "***". libpq messages can echo
// pieces of the URL (e.g. a badly percent-encoded password), so every libpq-originated text that
// reaches a log or an Error goes through here.
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace iam::store::detail
