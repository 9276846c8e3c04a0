// FormatCommand: the RESP2 encoding of commands, binary-safe, checked byte for byte and by a round
// trip through RedisReplyParser.
#include "cache/redis_command.hpp"

#include <gtest/gtest.h>

#include "cache/redis_reply_parser.hpp"

namespace iam::cache {
namespace {

TEST(RedisCommandTest, EncodesArraysOfBulkStrings) {
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::string wire;
  };
  const Case kCases[] = {
      {"no arguments", {"PING"}, "*1\r\n$4\r\nPING\r\n"},
      {"set", {"SET", "k", "v"}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
      {"empty argument", {"SET", "k", ""}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"},
      {"binary argument",
       {"SET", std::string("a\0b", 3), "\r\n"},
       std::string("*3\r\n$3\r\nSET\r\n$3\r\na\0b\r\n$2\r\n\r\n\r\n", 30)},
      {"protocol-looking argument", {"ECHO", "*1\r\n$1\r\nx"}, "*2\r\n$4\r\nECHO\r\n$9\r\n*1\r\n$1\r\nx\r\n"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(FormatCommand(c.args), c.wire);
    std::vector<std::string_view> views(c.args.begin(), c.args.end());
    EXPECT_EQ(FormatCommand(std::span<const std::string_view>(views)), c.wire);
  }
}

TEST(RedisCommandTest, RoundTripsThroughTheParser) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::vector<std::string> args = {"MSET", all, std::string(100'000, 'z'), "", std::string(1, '\0')};
  RedisReplyParser p;
  ASSERT_TRUE(p.Feed(FormatCommand(args)));
  auto r = p.Next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  ASSERT_EQ((*r)->type, RedisReply::Type::kArray);
  ASSERT_EQ((*r)->elements.size(), args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ((*r)->elements[i], RedisReply::String(args[i]));
  }
}

}  // namespace
}  // namespace iam::cache
