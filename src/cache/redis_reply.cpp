#include "cache/redis_reply.hpp"

#include <fmt/format.h>

#include <ostream>

namespace iam::cache {

std::string_view RedisReplyTypeName(RedisReply::Type t) {
  switch (t) {
    case RedisReply::Type::kNil: return "nil";
    case RedisReply::Type::kStatus: return "status";
    case RedisReply::Type::kError: return "error";
    case RedisReply::Type::kInteger: return "integer";
    case RedisReply::Type::kString: return "string";
    case RedisReply::Type::kArray: return "array";
  }
  return "?";
}

namespace {

std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace

std::string DescribeRedisReply(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil: return "(nil)";
    case RedisReply::Type::kStatus: return Escape(r.str);
    case RedisReply::Type::kError: return "(error) " + Escape(r.str);
    case RedisReply::Type::kInteger: return fmt::format("(integer) {}", r.integer);
    case RedisReply::Type::kString: return "\"" + Escape(r.str) + "\"";
    case RedisReply::Type::kArray: {
      std::string out = "[";
      for (std::size_t i = 0; i < r.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += DescribeRedisReply(r.elements[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

void PrintTo(const RedisReply& r, std::ostream* os) { *os << DescribeRedisReply(r); }

}  // namespace iam::cache
