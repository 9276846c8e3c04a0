// ResultSet: the rows of one statement, owned by value. Cells are typed as the driver returned
// them (SQLite: integer/real/text; PostgreSQL: text), and the accessors convert, so callers read
// both backends alike. Accessors on a NULL cell return the fallback / nullopt; a cell that cannot
// be converted throws std::logic_error (a schema bug, not an input error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace iam::store {

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

class ResultSet {
 public:
  class Row {
   public:
    Row(const ResultSet* rs, std::size_t index) : rs_(rs), index_(index) {}
    bool IsNull(std::size_t col) const;
    std::int64_t Int(std::size_t col, std::int64_t if_null = 0) const;
    std::optional<std::int64_t> OptInt(std::size_t col) const;
    double Double(std::size_t col, double if_null = 0) const;
    std::optional<double> OptDouble(std::size_t col) const;
    std::string Text(std::size_t col, std::string_view if_null = {}) const;
    std::optional<std::string> OptText(std::size_t col) const;
    bool Bool(std::size_t col, bool if_null = false) const;
    // Milliseconds since the epoch of a UTC timestamp stored as PostgreSQL `timestamp` text
    // ("2026-11-27 10:15:00.123") or ISO-8601 text ("2026-11-27T10:15:00.123Z").
    std::optional<std::int64_t> OptTimeMs(std::size_t col) const;
    const Cell& At(std::size_t col) const;

   private:
    const ResultSet* rs_;
    std::size_t index_;
  };

  ResultSet() = default;
  explicit ResultSet(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  std::size_t size() const { return columns_.empty() ? 0 : cells_.size() / columns_.size(); }
  bool empty() const { return size() == 0; }
  Row operator[](std::size_t i) const { return Row(this, i); }
  const std::vector<std::string>& columns() const { return columns_; }
  // Index of a column by name; throws std::logic_error when absent.
  std::size_t Column(std::string_view name) const;

  std::int64_t affected_rows() const { return affected_rows_; }
  void set_affected_rows(std::int64_t n) { affected_rows_ = n; }
  void AddCell(Cell c) { cells_.push_back(std::move(c)); }

 private:
  std::vector<std::string> columns_;
  std::vector<Cell> cells_;
  std::int64_t affected_rows_ = 0;
};

}  // namespace iam::store
