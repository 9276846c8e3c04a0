// Key slots as the Redis Cluster specification defines them (CRC16-XMODEM mod 16384, hash tags),
// the key a command is routed by, and the slot map read from a CLUSTER SLOTS reply. Pure; the same
// slots are checked against a real cluster's CLUSTER KEYSLOT in redis_cluster_client_test.cpp.
#include "cache/redis_slot.hpp"

#include <gtest/gtest.h>

#include "cache/redis_slot_map.hpp"

namespace iam::cache {
namespace {

TEST(RedisSlotTest, Crc16OfTheSpecificationsExample) {
  // The cluster specification: "the output of CRC16 for the string 123456789 is 0x31C3".
  EXPECT_EQ(Crc16Xmodem("123456789"), 0x31C3);
  EXPECT_EQ(Crc16Xmodem(""), 0);
  EXPECT_EQ(RedisKeySlot("123456789"), 0x31C3 % 16384);
}

TEST(RedisSlotTest, HashTagsAsTheSpecificationSaysThem) {
  // "{user1000}.following and {user1000}.followers will hash to the same slot".
  EXPECT_EQ(RedisKeySlot("{user1000}.following"), RedisKeySlot("{user1000}.followers"));
  EXPECT_EQ(RedisKeySlot("{user1000}.following"), RedisKeySlot("user1000"));
  // "foo{}{bar}": the first {} is empty, so the whole key is hashed.
  EXPECT_EQ(RedisKeySlot("foo{}{bar}"), Crc16Xmodem("foo{}{bar}") % 16384);
  EXPECT_NE(RedisKeySlot("foo{}{bar}"), RedisKeySlot("bar"));
  // "foo{{bar}}zap": the substring between the first { and the first } after it is "{bar".
  EXPECT_EQ(RedisKeySlot("foo{{bar}}zap"), RedisKeySlot("{bar"));
  EXPECT_EQ(RedisKeySlot("foo{{bar}}zap"), Crc16Xmodem("{bar") % 16384);
  // "foo{bar}{zap}": only the first tag counts.
  EXPECT_EQ(RedisKeySlot("foo{bar}{zap}"), RedisKeySlot("bar"));
  // No closing brace, or one before the opening one: the whole key.
  EXPECT_EQ(RedisKeySlot("foo{bar"), Crc16Xmodem("foo{bar") % 16384);
  EXPECT_EQ(RedisKeySlot("}foo{"), Crc16Xmodem("}foo{") % 16384);
}

TEST(RedisSlotTest, EverySlotIsInRange) {
  for (int i = 0; i < 20000; ++i) {
    int s = RedisKeySlot("key:" + std::to_string(i));
    ASSERT_GE(s, 0);
    ASSERT_LT(s, kRedisClusterSlots);
  }
}

TEST(RedisSlotTest, TheKeyACommandIsRoutedBy) {
  using V = std::vector<std::string>;
  EXPECT_EQ(RedisCommandKey(V{"GET", "k"}), "k");
  EXPECT_EQ(RedisCommandKey(V{"set", "k", "v"}), "k");
  EXPECT_EQ(RedisCommandKey(V{"EVALSHA", "abc", "1", "k", "arg"}), "k");
  EXPECT_EQ(RedisCommandKey(V{"eval", "return 1", "2", "k1", "k2"}), "k1");
  EXPECT_EQ(RedisCommandKey(V{"EVAL", "return 1", "0", "arg"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"EVAL", "return 1", "x", "k"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"PING"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"INFO", "memory"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"SCAN", "0", "MATCH", "x*"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"CLUSTER", "SLOTS"}), std::nullopt);
  EXPECT_EQ(RedisCommandKey(V{"DBSIZE"}), std::nullopt);
}

RedisReply Range(int from, int to, const std::string& host, int port) {
  return RedisReply::Array({RedisReply::Integer(from), RedisReply::Integer(to),
                            RedisReply::Array({RedisReply::String(host), RedisReply::Integer(port),
                                               RedisReply::String("id")}),
                            RedisReply::Array({RedisReply::String(host), RedisReply::Integer(port + 100),
                                               RedisReply::String("replica")})});
}

TEST(RedisSlotMapTest, ReadsClusterSlots) {
  auto reply = RedisReply::Array({Range(0, 5460, "10.0.0.1", 7000), Range(5461, 10922, "", 7001),
                                  Range(10923, 16383, "10.0.0.3", 7002), Range(100, 100, "10.0.0.3", 7002)});
  auto map = RedisSlotMap::FromClusterSlots(reply, "10.0.0.9");
  ASSERT_TRUE(map) << map.error().message;
  EXPECT_EQ(map->CoveredSlots(), 16384u);
  EXPECT_EQ(map->NodeFor(0)->Name(), "10.0.0.1:7000");
  EXPECT_EQ(map->NodeFor(100)->Name(), "10.0.0.3:7002");  // a later range wins
  EXPECT_EQ(map->NodeFor(5461)->Name(), "10.0.0.9:7001");  // empty host: the node that answered
  EXPECT_EQ(map->NodeFor(16383)->Name(), "10.0.0.3:7002");
  EXPECT_EQ(map->NodeFor(16384), nullptr);
  ASSERT_EQ(map->Masters().size(), 3u);  // replicas are not masters
  map->Assign(0, {"10.0.0.4", 7003});
  EXPECT_EQ(map->NodeFor(0)->Name(), "10.0.0.4:7003");
  EXPECT_EQ(map->Masters().size(), 4u);
}

TEST(RedisSlotMapTest, RejectsMalformedReplies) {
  EXPECT_FALSE(RedisSlotMap::FromClusterSlots(RedisReply::ErrorReply("ERR This instance has cluster support disabled"), "h"));
  EXPECT_FALSE(RedisSlotMap::FromClusterSlots(RedisReply::Array({}), "h"));
  EXPECT_FALSE(RedisSlotMap::FromClusterSlots(RedisReply::Array({Range(5, 3, "h", 1)}), "h"));
  EXPECT_FALSE(RedisSlotMap::FromClusterSlots(RedisReply::Array({Range(0, 16384, "h", 1)}), "h"));
  EXPECT_FALSE(RedisSlotMap::FromClusterSlots(RedisReply::Array({RedisReply::Integer(1)}), "h"));
}

TEST(RedisSlotMapTest, ParsesNodeAddresses) {
  EXPECT_EQ(ParseRedisNodeAddress("127.0.0.1:7000"), (RedisNodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(ParseRedisNodeAddress("[::1]:7000"), (RedisNodeAddress{"::1", 7000}));
  EXPECT_EQ(ParseRedisNodeAddress("[::1]:7000")->Name(), "[::1]:7000");
  EXPECT_FALSE(ParseRedisNodeAddress("host"));
  EXPECT_FALSE(ParseRedisNodeAddress("host:0"));
  EXPECT_FALSE(ParseRedisNodeAddress("host:70000"));
  EXPECT_FALSE(ParseRedisNodeAddress(":7000"));
}

}  // namespace
}  // namespace iam::cache
