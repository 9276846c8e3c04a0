// PostgreSQL implementation of store::Database over libpq: a lazily grown pool of at most
// options.pool_size connections, each caching its prepared statements by SQL text. A connection
// lost while idle, or during a statement run outside a transaction, is reset and the statement
// retried once; inside a transaction the loss is reported (kUnavailable). Client-facing errors and
// logs never carry parameter values or the connection password.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store {

// Opens the pool and one connection eagerly, so a bad URL or an unreachable server fails here:
// kUnavailable naming host and port (never the password); kInvalidArgument for a URL libpq cannot
// parse or a pool_size below 1. The URL goes to libpq as is (postgres:// or postgresql://).
Result<std::unique_ptr<Database>> OpenPostgresDatabase(const DatabaseOptions& options);

// `url` with `connect_timeout=<seconds, rounded up>` added as a query parameter, unless the URL
// already sets one or `timeout` is not positive (libpq then waits indefinitely). Exposed for tests.
std::string WithConnectTimeout(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace iam::store
