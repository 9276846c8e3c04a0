#include "store/result_set.hpp"

#include <charconv>
#include <stdexcept>

#include "domain/time_format.hpp"

namespace iam::store {
namespace {

template <typename T>
T ParseNumber(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) throw std::logic_error("ResultSet: not a number: " + s);
  return v;
}

}  // namespace

std::size_t ResultSet::Column(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == name) return i;
  throw std::logic_error("ResultSet: no column " + std::string(name));
}

const Cell& ResultSet::Row::At(std::size_t col) const {
  if (col >= rs_->columns_.size()) throw std::logic_error("ResultSet: column index out of range");
  return rs_->cells_[index_ * rs_->columns_.size() + col];
}

bool ResultSet::Row::IsNull(std::size_t col) const { return std::holds_alternative<std::monostate>(At(col)); }

std::optional<std::int64_t> ResultSet::Row::OptInt(std::size_t col) const {
  const Cell& c = At(col);
  if (auto* i = std::get_if<std::int64_t>(&c)) return *i;
  if (auto* d = std::get_if<double>(&c)) return static_cast<std::int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&c)) return ParseNumber<std::int64_t>(*s);
  return std::nullopt;
}

std::int64_t ResultSet::Row::Int(std::size_t col, std::int64_t if_null) const {
  return OptInt(col).value_or(if_null);
}

std::optional<double> ResultSet::Row::OptDouble(std::size_t col) const {
  const Cell& c = At(col);
  if (auto* d = std::get_if<double>(&c)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&c)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&c)) return ParseNumber<double>(*s);
  return std::nullopt;
}

double ResultSet::Row::Double(std::size_t col, double if_null) const { return OptDouble(col).value_or(if_null); }

std::optional<std::string> ResultSet::Row::OptText(std::size_t col) const {
  const Cell& c = At(col);
  if (auto* s = std::get_if<std::string>(&c)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&c)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&c)) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, p);
  }
  return std::nullopt;
}

std::string ResultSet::Row::Text(std::size_t col, std::string_view if_null) const {
  auto t = OptText(col);
  return t ? std::move(*t) : std::string(if_null);
}

bool ResultSet::Row::Bool(std::size_t col, bool if_null) const {
  const Cell& c = At(col);
  if (auto* i = std::get_if<std::int64_t>(&c)) return *i != 0;
  if (auto* s = std::get_if<std::string>(&c)) return *s == "t" || *s == "true" || *s == "1";
  if (auto* d = std::get_if<double>(&c)) return *d != 0;
  return if_null;
}

std::optional<std::int64_t> ResultSet::Row::OptTimeMs(std::size_t col) const {
  auto t = OptText(col);
  if (!t) return std::nullopt;
  auto ms = ParseTimestampMs(*t);
  if (!ms) throw std::logic_error("ResultSet: not a timestamp: " + *t);
  return ms;
}

}  // namespace iam::store
