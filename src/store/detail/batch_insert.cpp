#include "store/detail/batch_insert.hpp"

#include <stdexcept>

namespace iam::store::detail {
namespace {

void AppendRow(std::string& out, std::string_view row, Dialect dialect, std::size_t first_param) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    char c = row[i];
    if (c == '?') {
      std::size_t k = 0;
      while (i + 1 < row.size() && row[i + 1] >= '0' && row[i + 1] <= '9')
        k = k * 10 + static_cast<std::size_t>(row[++i] - '0');
      out += '$';
      out += std::to_string(first_param + k);
    } else if (c == '{') {
      std::size_t end = row.find('}', i);
      if (end == std::string_view::npos) throw std::logic_error("unbalanced { in insert template");
      if (dialect == Dialect::kPostgres) out.append(row.substr(i + 1, end - i - 1));
      i = end;
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string BuildInsertSql(const InsertTemplate& t, Dialect dialect, std::size_t rows) {
  std::string sql = t.head;
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ", ";
    AppendRow(sql, t.row, dialect, t.shared + r * t.per_row + 1);
  }
  sql += t.tail;
  return sql;
}

std::size_t NextBatchSize(std::size_t remaining, std::size_t max_batch) {
  if (remaining >= max_batch) return max_batch;
  for (std::size_t size : {std::size_t{64}, std::size_t{8}}) {
    if (remaining >= size && size < max_batch) return size;
  }
  return 1;
}

Result<ResultSet> BatchInsert::Run(Connection& conn, std::size_t rows, std::span<const Param> params) {
  if (params.size() != template_.shared + rows * template_.per_row) throw std::logic_error("batch parameter count");
  auto it = sql_by_rows_.find(rows);
  if (it == sql_by_rows_.end()) it = sql_by_rows_.emplace(rows, BuildInsertSql(template_, dialect_, rows)).first;
  return conn.Query(it->second, params);
}

}  // namespace iam::store::detail
