// What every libpq user here needs: owning handles for libpq objects, libpq text made fit for a
// one-line log record, and the PostgreSQL password kept out of logs and errors. Pure; thread-safe.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace iam::store::detail {

struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* res) const noexcept { PQclear(res); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// libpq's messages span lines; a log record stays one line (runs of whitespace become one space).
std::string OneLine(std::string_view text);

// The password as written in the URL's userinfo (possibly percent-encoded) and as libpq decodes
// it (also from `?password=`). Mirrors libpq: the userinfo ends at the first '@' before any '/'.
std::vector<std::string> PasswordsIn(const std::string& url);

// `text` with every occurrence of each non-empty secret replaced by "***". libpq messages can echo
// pieces of the URL (e.g. a badly percent-encoded password), so every libpq-originated text that
// reaches a log or an Error goes through here.
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace iam::store::detail
