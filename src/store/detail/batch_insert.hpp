// BatchInsert: multi-row INSERT statements built from a row template, for bulk loads. Each
// statement binds some shared parameters ($1..$S) once, then K parameters per row. Row counts are
// drawn from a few fixed sizes (NextBatchSize) so a load uses a handful of distinct SQL texts,
// each prepared once per connection. Not thread-safe (caches SQL text); one per loading thread.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "store/database.hpp"

namespace iam::store::detail {

// Row template syntax: `?k` is the row's k-th parameter (0-based), `$n` a shared parameter as
// written, and `{…}` text kept on PostgreSQL only (casts such as `{::timestamp(3)}`).
struct InsertTemplate {
  const char* head;     // "INSERT INTO … (…) VALUES "
  const char* row;      // "($1, ?0, ?1{::\"Rol\"})"
  const char* tail;     // "" or " RETURNING …"
  std::size_t shared;   // S
  std::size_t per_row;  // K
};

// The SQL text of an insert of `rows` rows (exposed for tests).
std::string BuildInsertSql(const InsertTemplate& t, Dialect dialect, std::size_t rows);

// Largest size in {max_batch, 64, 8, 1} that fits in `remaining`. REQUIRES: remaining >= 1.
std::size_t NextBatchSize(std::size_t remaining, std::size_t max_batch);

class BatchInsert {
 public:
  BatchInsert(const InsertTemplate& t, Dialect dialect) : template_(t), dialect_(dialect) {}
  // REQUIRES: params.size() == shared + rows * per_row.
  Result<ResultSet> Run(Connection& conn, std::size_t rows, std::span<const Param> params);

 private:
  InsertTemplate template_;
  Dialect dialect_;
  std::map<std::size_t, std::string> sql_by_rows_;
};

}  // namespace iam::store::detail
