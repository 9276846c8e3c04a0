// Encoding of a list of strings in a column: PostgreSQL `text[]` literals ({"a","b"}) and the JSON
// array text SQLite stores (["a","b"]), both ways. Pure functions. Decoding is lenient: NULL array
// elements are skipped, and text that is not a well-formed list reads as empty (legacy rows must
// be readable, never fail a request).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace iam::store::detail {

std::string PgArrayLiteral(const std::vector<std::string>& items);
std::string JsonStringArray(const std::vector<std::string>& items);
std::vector<std::string> ParsePgArrayLiteral(std::string_view text);
std::vector<std::string> ParseJsonStringArray(std::string_view text);

// The column value of `items` for `dialect`, and back.
std::string EncodeTextList(Dialect dialect, const std::vector<std::string>& items);
std::vector<std::string> DecodeTextList(Dialect dialect, std::string_view text);

}  // namespace iam::store::detail
