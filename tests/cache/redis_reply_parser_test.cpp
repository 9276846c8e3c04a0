// RedisReplyParser: every RESP2 type, nested arrays, frames fed whole and byte by byte, several
// replies in one feed, and malformed input, which must fail (for good) rather than crash or guess.
#include "cache/redis_reply_parser.hpp"

#include <gtest/gtest.h>

#include "cache/redis_error.hpp"

namespace iam::cache {
namespace {

using R = RedisReply;

struct Case {
  const char* name;
  std::string wire;
  RedisReply want;
};

std::vector<Case> GoodCases() {
  return {
      {"status", "+OK\r\n", R::Status("OK")},
      {"empty status", "+\r\n", R::Status("")},
      {"error", "-ERR unknown command 'X'\r\n", R::ErrorReply("ERR unknown command 'X'")},
      {"integer", ":42\r\n", R::Integer(42)},
      {"negative integer", ":-7\r\n", R::Integer(-7)},
      {"int64 max", ":9223372036854775807\r\n", R::Integer(INT64_MAX)},
      {"bulk string", "$5\r\nhello\r\n", R::String("hello")},
      {"empty bulk string", "$0\r\n\r\n", R::String("")},
      {"binary bulk string", std::string("$6\r\na\0\r\nb\n\r\n", 12), R::String(std::string("a\0\r\nb\n", 6))},
      {"nil bulk string", "$-1\r\n", R::Nil()},
      {"nil array", "*-1\r\n", R::Nil()},
      {"empty array", "*0\r\n", R::Array({})},
      {"flat array", "*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", R::Array({R::String("a"), R::Integer(1), R::Nil()})},
      {"nested arrays", "*3\r\n*2\r\n:1\r\n*1\r\n+deep\r\n*0\r\n-ERR inner\r\n",
       R::Array({R::Array({R::Integer(1), R::Array({R::Status("deep")})}), R::Array({}), R::ErrorReply("ERR inner")})},
      {"eight arrays deep (hiredis' limit)", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:8\r\n",
       R::Array({R::Array({R::Array({R::Array({R::Array({R::Array({R::Array({R::Array({R::Integer(8)})})})})})})})})},
  };
}

TEST(RedisReplyParserTest, EveryTypeFedWhole) {
  for (const auto& c : GoodCases()) {
    SCOPED_TRACE(c.name);
    RedisReplyParser p;
    ASSERT_TRUE(p.Feed(c.wire));
    auto r = p.Next();
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, c.want);
    auto none = p.Next();
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(p.Buffered(), 0u);
  }
}

TEST(RedisReplyParserTest, EveryTypeFedByteByByteWaitsForTheLastByte) {
  for (const auto& c : GoodCases()) {
    SCOPED_TRACE(c.name);
    RedisReplyParser p;
    for (std::size_t i = 0; i + 1 < c.wire.size(); ++i) {
      ASSERT_TRUE(p.Feed(c.wire.substr(i, 1)));
      auto r = p.Next();
      ASSERT_TRUE(r) << "at byte " << i << ": " << r.error().message;
      ASSERT_FALSE(r->has_value()) << "complete after only " << i + 1 << " bytes";
    }
    ASSERT_TRUE(p.Feed(c.wire.substr(c.wire.size() - 1)));
    auto r = p.Next();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, c.want);
  }
}

TEST(RedisReplyParserTest, SeveralRepliesInOneFeedComeOutInOrder) {
  std::string wire;
  auto cases = GoodCases();
  for (const auto& c : cases) wire += c.wire;
  RedisReplyParser p;
  // Split at an awkward place: the second feed completes a reply begun in the first.
  ASSERT_TRUE(p.Feed(wire.substr(0, wire.size() / 2)));
  std::vector<RedisReply> got;
  for (auto r = p.Next(); r && r->has_value(); r = p.Next()) got.push_back(**r);
  ASSERT_TRUE(p.Feed(wire.substr(wire.size() / 2)));
  for (auto r = p.Next(); r && r->has_value(); r = p.Next()) got.push_back(**r);
  ASSERT_EQ(got.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    EXPECT_EQ(got[i], cases[i].want);
  }
}

TEST(RedisReplyParserTest, MalformedInputFailsAndStaysFailed) {
  struct Bad {
    const char* name;
    std::string wire;
  };
  const Bad kCases[] = {
      {"unknown type byte", "?x\r\n"},
      {"letters as bulk length", "$abc\r\nxx\r\n"},
      {"negative bulk length", "$-2\r\n"},
      {"negative array length", "*-5\r\n"},
      {"bulk length overflow", "$99999999999999999999\r\n"},
      {"letters in an integer", ":12a\r\n"},
      {"integer overflow", ":99999999999999999999\r\n"},
      {"empty integer", ":\r\n"},
      {"letters as array length", "*abc\r\n"},
      {"nine arrays deep", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:9\r\n"},
      {"bad type byte inside an array", "*2\r\n:1\r\n!oops\r\n"},
      // A bulk string longer than announced: "a" is taken, then "b\r" is skipped as the
      // terminator, and the leftover "\n" is not a reply.
      {"bulk longer than its length", "$1\r\nab\r\n"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    RedisReplyParser p;
    ASSERT_TRUE(p.Feed(c.wire));
    bool failed = false;
    for (int i = 0; i < 4 && !failed; ++i) {
      auto r = p.Next();
      if (!r) {
        failed = true;
        EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
        EXPECT_EQ(r.error().code, kRedisProtocol);
      } else if (!r->has_value()) {
        break;
      }
    }
    EXPECT_TRUE(failed) << "accepted malformed input";
    // Failed for good: more (valid) input does not revive it.
    EXPECT_FALSE(p.Feed("+OK\r\n"));
    EXPECT_FALSE(p.Next());
  }
}

TEST(RedisReplyParserTest, PartialFrameIsNotAFailure) {
  RedisReplyParser p;
  ASSERT_TRUE(p.Feed("*2\r\n$5\r\nhel"));
  auto r = p.Next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_GT(p.Buffered(), 0u);
  ASSERT_TRUE(p.Feed("lo\r\n:1\r\n"));
  r = p.Next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, R::Array({R::String("hello"), R::Integer(1)}));
}

TEST(RedisReplyParserTest, LargeBulkStringAcrossManyFeeds) {
  std::string value(300'000, 'x');
  for (std::size_t i = 0; i < value.size(); i += 7) value[i] = '\n';
  std::string wire = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  RedisReplyParser p;
  std::optional<RedisReply> got;
  for (std::size_t i = 0; i < wire.size(); i += 4096) {
    ASSERT_TRUE(p.Feed(std::string_view(wire).substr(i, 4096)));
    auto r = p.Next();
    ASSERT_TRUE(r);
    if (r->has_value()) {
      ASSERT_FALSE(got) << "two replies";
      got = **r;
    }
  }
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->str == value);
}

// An array takes memory as its elements arrive, not as announced: "*2147483647\r\n" from a hostile
// or broken server used to allocate 2^31 replies (~150 GB) at once (fuzz/resp_reader.cpp found
// "*155555557", 11 GB; fuzz/regressions/resp_reader/ keeps it).
TEST(RedisReplyParserTest, AnAnnouncedArrayLengthAllocatesNothingUpFront) {
  for (const char* count : {"2147483647", "155555557"}) {
    SCOPED_TRACE(count);
    RedisReplyParser p;
    ASSERT_TRUE(p.Feed(std::string("*") + count + "\r\n:1\r\n*2\r\n$1\r\na\r\n"));
    auto r = p.Next();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->has_value()) << "waits for the other elements";
  }
}

TEST(RedisReplyParserTest, ALongArrayNestedInOthersArrivesWhole) {
  std::string wire = "*3\r\n:7\r\n*100000\r\n";
  std::vector<RedisReply> inner;
  for (int i = 0; i < 100000; ++i) {
    wire += i % 3 == 0 ? "$-1\r\n" : "*1\r\n:" + std::to_string(i) + "\r\n";
    inner.push_back(i % 3 == 0 ? R::Nil() : R::Array({R::Integer(i)}));
  }
  wire += "+end\r\n";
  RedisReplyParser p;
  std::optional<RedisReply> got;
  for (std::size_t i = 0; i < wire.size(); i += 1000) {
    ASSERT_TRUE(p.Feed(std::string_view(wire).substr(i, 1000)));
    auto r = p.Next();
    ASSERT_TRUE(r) << r.error().message;
    if (r->has_value()) got = **r;
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, R::Array({R::Integer(7), R::Array(std::move(inner)), R::Status("end")}));
}

}  // namespace
}  // namespace iam::cache
