// RedisReply: one RESP2 reply as a plain tree of values (arrays own their elements). A Redis
// error reply ("-ERR …") is a value of type kError, not a failure: whether it is one is the
// caller's decision. Plain value; copy or move freely, no thread affinity.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace iam::cache {

struct RedisReply {
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };

  Type type = Type::kNil;
  std::int64_t integer = 0;          // kInteger
  std::string str;                   // kStatus, kError, kString (binary-safe)
  std::vector<RedisReply> elements;  // kArray

  bool IsNil() const { return type == Type::kNil; }
  bool IsError() const { return type == Type::kError; }
  bool IsString() const { return type == Type::kString; }
  // A "+<status>" reply with this text (e.g. IsStatus("OK"), IsStatus("PONG")).
  bool IsStatus(std::string_view s) const { return type == Type::kStatus && str == s; }

  bool operator==(const RedisReply&) const = default;

  static RedisReply Nil() { return {}; }
  static RedisReply Status(std::string s) { return {Type::kStatus, 0, std::move(s), {}}; }
  static RedisReply ErrorReply(std::string s) { return {Type::kError, 0, std::move(s), {}}; }
  static RedisReply Integer(std::int64_t v) { return {Type::kInteger, v, {}, {}}; }
  static RedisReply String(std::string s) { return {Type::kString, 0, std::move(s), {}}; }
  static RedisReply Array(std::vector<RedisReply> e) { return {Type::kArray, 0, {}, std::move(e)}; }
};

std::string_view RedisReplyTypeName(RedisReply::Type t);

// A short human-readable rendering ("\"abc\"", "(integer) 3", "(error) ERR …", "[…]") with
// non-printable bytes escaped: for messages and test output, never for parsing.
std::string DescribeRedisReply(const RedisReply& r);

// gtest prints replies with this.
void PrintTo(const RedisReply& r, std::ostream* os);

}  // namespace iam::cache
