// ParseRedisUrl and MaskRedisUrl: the URL forms cache.md documents, the ones it does not (which must
// fail without echoing the password), and masking of whatever a user may type.
#include "cache/redis_options.hpp"

#include <gtest/gtest.h>

namespace iam::cache {
namespace {

TEST(RedisUrlTest, ParsesGoodUrls) {
  struct Case {
    std::string url;
    std::string host;
    int port;
    std::string username, password;
    int db;
    bool tls;
  };
  const Case kCases[] = {
      {"redis://127.0.0.1:6379", "127.0.0.1", 6379, "", "", 0, false},
      {"redis://localhost", "localhost", 6379, "", "", 0, false},
      {"redis://cache.internal:7000/", "cache.internal", 7000, "", "", 0, false},
      {"redis://h:1/15", "h", 1, "", "", 15, false},
      {"redis://:secret@h:6380/2", "h", 6380, "", "secret", 2, false},
      {"redis://alice:secret@h/3", "h", 6379, "alice", "secret", 3, false},
      {"redis://alice@h", "h", 6379, "alice", "", 0, false},
      {"redis://u%20x:p%40ss%3Aw%2Frd%25@h:1/0", "h", 1, "u x", "p@ss:w/rd%", 0, false},
      {"rediss://h:6380/1", "h", 6380, "", "", 1, true},
      {"REDISS://h", "h", 6379, "", "", 0, true},
      {"redis://[::1]:6379/4", "::1", 6379, "", "", 4, false},
      {"redis://10.0.0.5:65535", "10.0.0.5", 65535, "", "", 0, false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.url);
    auto o = ParseRedisUrl(c.url);
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->host, c.host);
    EXPECT_EQ(o->port, c.port);
    EXPECT_EQ(o->username, c.username);
    EXPECT_EQ(o->password, c.password);
    EXPECT_EQ(o->db, c.db);
    EXPECT_EQ(o->tls, c.tls);
    // Everything else keeps its default.
    EXPECT_EQ(o->connections, RedisOptions{}.connections);
    EXPECT_EQ(o->command_timeout, RedisOptions{}.command_timeout);
  }
}

TEST(RedisUrlTest, RejectsBadUrlsWithoutShowingThePassword) {
  const char* kCases[] = {
      "",
      "localhost:6379",
      "http://h:6379",
      "redis:/h",
      "redis://",
      "redis://:topsecret@",
      "redis://h:notaport",
      "redis://h:0",
      "redis://h:70000",
      "redis://h/abc",
      "redis://h/-1",
      "redis://h/1/2",
      "redis://h/1?timeout=5",
      "redis://h/1#x",
      "redis://u:topsecret@h:99999",
      "redis://u:topsecret@h/db",
      // An unencoded '@' in the password: parsers split such a userinfo at the first or at the last
      // '@', so part of the password could become the host (found by the url_config fuzz target).
      "redis://u:top@topsecret@h:6379",
      "redis://u:x@topsecret=@12",
  };
  for (const char* url : kCases) {
    SCOPED_TRACE(url);
    auto o = ParseRedisUrl(url);
    ASSERT_FALSE(o) << "accepted, host=" << o->host;
    EXPECT_EQ(o.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(o.error().message.find("topsecret"), std::string::npos) << o.error().message;
  }
}

TEST(RedisUrlTest, MasksThePassword) {
  struct Case {
    std::string url, masked;
  };
  const Case kCases[] = {
      {"redis://u:secret@h:1/0", "redis://u:***@h:1/0"},
      {"redis://:secret@h", "redis://:***@h"},
      {"rediss://u:p%40ss@h:6380", "rediss://u:***@h:6380"},
      {"redis://u:p@ss:w@h/1", "redis://u:***@h/1"},  // unencoded '@' and ':' in the password
      {"redis://u@h:1", "redis://u@h:1"},             // no password
      {"redis://h:6379/0", "redis://h:6379/0"},
      {"not a url", "not a url"},
      {"", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(MaskRedisUrl(c.url), c.masked);
  }
}

TEST(RedisUrlTest, EndpointName) {
  RedisOptions o;
  o.host = "::1";
  o.port = 7;
  EXPECT_EQ(RedisEndpointName(o), "[::1]:7");
  o.host = "h";
  EXPECT_EQ(RedisEndpointName(o), "h:7");
}

}  // namespace
}  // namespace iam::cache
