// RedisClusterClient against a real 3-master + 3-replica cluster the test starts
// (support/redis_cluster.hpp): slots agree with the server's CLUSTER KEYSLOT, every key goes to the
// master the cluster says serves it (no redirection needed), a tenant's keys share one slot, a
// pipeline across slots is refused, every master is reachable for keyless commands, MOVED is
// followed after a slot moved under the client, and ASK during a migration (single commands and
// a pipeline, on the importing node); a killed master's slots reach its promoted replica and the
// dead node's pool is closed.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "cache/redis_slot.hpp"
#include "cache/redis_tier.hpp"
#include "redis_cluster_fixture.hpp"

namespace iam::cache::cluster_test {
namespace {

class RedisClusterClientTest : public ClusterSuite<RedisClusterClientTest> {
 protected:
  std::string Unique(const std::string& what) {
    std::mt19937_64 rng{std::random_device{}()};
    return "cc-test:" + what + ":" + std::to_string(rng() % 1'000'000'000ULL);
  }
  // A master other than the one on `port`.
  int OtherMaster(int port) {
    for (const auto& n : cluster_->Nodes())
      if (n.master && !n.failed && !n.slots.empty() && n.port != port) return n.port;
    return 0;
  }
};

TEST_F(RedisClusterClientTest, SlotsAgreeWithTheServer) {
  auto& c = Client();
  std::vector<std::string> keys = {"123456789", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap",
                                   "foo{bar}{zap}", "{", "}", "{}", "a{b", "", "ñandú", "iam:{t42}:gen"};
  std::mt19937 rng{12345};
  for (int i = 0; i < 200; ++i) {
    std::string k;
    const int len = static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) k += "ab{}:xyz0123"[rng() % 12];
    keys.push_back(k);
  }
  for (const auto& k : keys) {
    RedisReply r = Exec(c, {"CLUSTER", "KEYSLOT", k});
    ASSERT_EQ(r.type, RedisReply::Type::kInteger) << DescribeRedisReply(r);
    EXPECT_EQ(RedisKeySlot(k), r.integer) << "key '" << k << "'";
  }
}

TEST_F(RedisClusterClientTest, LoadsTheSlotMapAndRoutesEveryKeyToItsMaster) {
  auto& c = Client();
  auto map = c.slot_map();
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->CoveredSlots(), 16384u);
  EXPECT_EQ(map->Masters().size(), 3u);
  EXPECT_EQ(c.Nodes().size(), 3u);
  for (int slot : {0, 1, 5460, 5461, 8000, 10922, 10923, 16383})
    EXPECT_EQ(map->NodeFor(slot)->port, cluster_->MasterOf(slot)) << "slot " << slot;

  const std::string base = Unique("route");
  std::set<int> masters_used;
  for (int i = 0; i < 300; ++i) {
    const std::string key = base + ":" + std::to_string(i);
    ASSERT_TRUE(Exec(c, {"SET", key, std::to_string(i), "EX", "60"}).IsStatus("OK")) << key;
    masters_used.insert(map->NodeFor(RedisKeySlot(key))->port);
  }
  for (int i = 0; i < 300; ++i) EXPECT_EQ(Exec(c, {"GET", base + ":" + std::to_string(i)}).str, std::to_string(i));
  EXPECT_EQ(masters_used.size(), 3u);
  EXPECT_EQ(c.Stats().redirects, 0u) << "the map was right: no redirection needed";
  // Each key is where the cluster says it is: on its master, read directly.
  const std::string k7 = base + ":7";
  EXPECT_EQ(cluster_->Cli(cluster_->MasterOf(RedisKeySlot(k7)), {"GET", k7}), "7\n");
}

TEST_F(RedisClusterClientTest, ATenantsKeysShareOneSlot) {
  auto& c = Client();
  RedisTier tier(c, "iam", 3600s);
  for (domain::Id t : {1, 2, 42, 1000, 123456789}) {
    const int slot = RedisKeySlot(tier.GenerationKey(t));
    for (Category cat : {Category::kKpis, Category::kProductos, Category::kSession})
      for (const char* variant : {"", "a", "x:{y}:z"})
        EXPECT_EQ(RedisKeySlot(tier.EntryKey(t, cat, variant)), slot) << t;
    EXPECT_EQ(RedisKeySlot(tier.TenantTag(t) + "anything"), slot);
    EXPECT_EQ(Exec(c, {"CLUSTER", "KEYSLOT", tier.EntryKey(t, Category::kKpis, "v")}).integer, slot);
  }
}

TEST_F(RedisClusterClientTest, APipelineMustStayInOneSlot) {
  auto& c = Client();
  std::vector<std::vector<std::string>> cross{{"SET", "a", "1"}, {"SET", "b", "2"}};
  ASSERT_NE(RedisKeySlot("a"), RedisKeySlot("b"));
  auto r = io_->Run(c.ExecutePipeline(cross));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
  const std::string tag = "{" + Unique("pipe") + "}";
  std::vector<std::vector<std::string>> same{{"SET", tag + "a", "1"}, {"SET", tag + "b", "2"}, {"MGET", tag + "a", tag + "b"}};
  auto ok = io_->Run(c.ExecutePipeline(same));
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[2], RedisReply::Array({RedisReply::String("1"), RedisReply::String("2")}));
}

TEST_F(RedisClusterClientTest, EveryMasterTakesKeylessCommands) {
  auto& c = Client();
  std::set<std::string> names;
  for (const auto& node : c.Nodes()) {
    std::vector<std::string> ping{"PING"}, role_cmd{"ROLE"};
    auto pong = io_->Run(c.ExecuteOn(node, ping));
    ASSERT_TRUE(pong) << pong.error().message;
    EXPECT_TRUE(pong->IsStatus("PONG"));
    auto role = io_->Run(c.ExecuteOn(node, role_cmd));
    ASSERT_TRUE(role);
    ASSERT_FALSE(role->elements.empty());
    EXPECT_EQ(role->elements[0].str, "master") << node;
    names.insert(node);
  }
  EXPECT_EQ(names.size(), 3u);
  EXPECT_TRUE(Exec(c, {"PING"}).IsStatus("PONG"));
}

TEST_F(RedisClusterClientTest, FollowsMovedAfterASlotMoved) {
  auto& c = Client();
  const std::string key = Unique("moved");
  const int slot = RedisKeySlot(key);
  ASSERT_TRUE(Exec(c, {"SET", key, "before the move"}).IsStatus("OK"));
  const int from = cluster_->MasterOf(slot), to = OtherMaster(from);
  ASSERT_NE(to, 0);
  ASSERT_TRUE(cluster_->BeginMigration(slot, from, to));
  ASSERT_TRUE(cluster_->MigrateKeys(slot, from, to));
  ASSERT_TRUE(cluster_->FinishMigration(slot, from, to));
  ASSERT_EQ(c.slot_map()->NodeFor(slot)->port, from) << "the client has not seen the move yet";

  const auto before = c.Stats().redirects;
  EXPECT_EQ(Exec(c, {"GET", key}).str, "before the move");
  EXPECT_GE(c.Stats().redirects, before + 1) << "a MOVED was followed";
  EXPECT_EQ(c.slot_map()->NodeFor(slot)->port, to) << "the map learned the new owner from MOVED";
  ASSERT_TRUE(Exec(c, {"SET", key, "after the move"}).IsStatus("OK"));
  EXPECT_EQ(cluster_->Cli(to, {"GET", key}), "after the move\n");
  // The background refresh agrees with what MOVED taught, and nothing more is redirected.
  const auto refreshes = c.Stats().topology_refreshes;
  for (int i = 0; i < 200 && c.Stats().topology_refreshes == refreshes; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GT(c.Stats().topology_refreshes, refreshes) << "MOVED asked for a reload of the map";
  EXPECT_EQ(c.slot_map()->NodeFor(slot)->port, to);
  const auto settled = c.Stats().redirects;
  EXPECT_EQ(Exec(c, {"GET", key}).str, "after the move");
  EXPECT_EQ(c.Stats().redirects, settled);
}

TEST_F(RedisClusterClientTest, FollowsAskDuringAMigration) {
  auto& c = Client();
  const std::string tag = "{" + Unique("ask") + "}";
  const int slot = RedisKeySlot(tag);
  ASSERT_TRUE(Exec(c, {"SET", tag + "moved", "moved early"}).IsStatus("OK"));
  ASSERT_TRUE(Exec(c, {"SET", tag + "stays", "not moved yet"}).IsStatus("OK"));
  const int from = cluster_->MasterOf(slot), to = OtherMaster(from);
  ASSERT_TRUE(cluster_->BeginMigration(slot, from, to));
  // Move one key only: the slot is half on each node, as in the middle of a resharding.
  ASSERT_EQ(cluster_->Cli(from, {"MIGRATE", "127.0.0.1", std::to_string(to), tag + "moved", "0", "5000"}), "OK\n");

  const auto before = c.Stats().redirects;
  EXPECT_EQ(Exec(c, {"GET", tag + "stays"}).str, "not moved yet");  // still on the source: no redirection
  EXPECT_EQ(c.Stats().redirects, before);
  EXPECT_EQ(Exec(c, {"GET", tag + "moved"}).str, "moved early");  // ASK, then ASKING + GET on the target
  EXPECT_EQ(c.Stats().redirects, before + 1);
  // A new key goes to the importing node (the source does not have it).
  ASSERT_TRUE(Exec(c, {"SET", tag + "new", "written during the migration"}).IsStatus("OK"));
  EXPECT_EQ(cluster_->Cli(to, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}), "2\n");
  // A pipeline whose commands are all asked elsewhere: ASKING before each, on one connection.
  std::vector<std::vector<std::string>> pipe{{"GET", tag + "new"}, {"GET", tag + "moved"}};
  auto r = io_->Run(c.ExecutePipeline(pipe));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].str, "written during the migration");
  EXPECT_EQ((*r)[1].str, "moved early");
  EXPECT_EQ(c.slot_map()->NodeFor(slot)->port, from) << "ASK does not change the map";

  ASSERT_TRUE(cluster_->MigrateKeys(slot, from, to));
  ASSERT_TRUE(cluster_->FinishMigration(slot, from, to));
  for (const char* k : {"moved", "stays", "new"}) EXPECT_FALSE(Exec(c, {"GET", tag + k}).IsNil()) << k;
  EXPECT_EQ(c.slot_map()->NodeFor(slot)->port, to);
}

TEST_F(RedisClusterClientTest, FailsClearlyWithoutAReachableSeed) {
  std::vector<RedisNodeAddress> seeds{{"127.0.0.1", test::PickFreeLoopbackPort()}};
  RedisOptions o = NodeOptions(200ms);
  o.connect_timeout = 200ms;
  RedisClusterClient c(io_->ioc().get_executor(), o, seeds);
  c.Start();
  auto up = io_->Run(c.WaitConnected(3s));
  ASSERT_FALSE(up);
  EXPECT_NE(up.error().message.find("CLUSTER SLOTS"), std::string::npos) << up.error().message;
  std::vector<std::string> get{"GET", "k"};
  auto r = io_->Run(c.Execute(get));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_FALSE(c.Connected());
  c.Shutdown();
}

// Last: it kills a node.
TEST_F(RedisClusterClientTest, ReachesThePromotedReplicaAndRetiresTheDeadMastersPool) {
  int victim = 0;
  std::vector<int> others;
  for (const auto& n : cluster_->Nodes()) {
    if (!n.master || n.failed || n.slots.empty()) continue;
    if (victim == 0) {
      victim = n.port;
    } else {
      others.push_back(n.port);
    }
  }
  const int replica = cluster_->WaitForReplicaOf(victim, std::chrono::seconds(10));
  ASSERT_NE(replica, 0);
  auto& c = Client(NodeOptions(500ms), {}, others);  // the victim is not a seed
  std::string key;
  for (int i = 0; key.empty(); ++i)
    if (c.NodeFor("k" + std::to_string(i)) == "127.0.0.1:" + std::to_string(victim)) key = "k" + std::to_string(i);
  // The write and a WAIT for one replica on the same connection: the replica has it before the kill.
  std::vector<std::vector<std::string>> write{{"SET", key, "survives"}, {"WAIT", "1", "2000"}};
  auto w = io_->Run(c.ExecutePipeline(write));
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_EQ((*w)[1].integer, 1) << "one replica acknowledged";
  auto pools = c.Pools();
  ASSERT_NE(std::find(pools.begin(), pools.end(), "127.0.0.1:" + std::to_string(victim)), pools.end());

  ASSERT_TRUE(cluster_->Kill(victim));
  ASSERT_TRUE(cluster_->WaitHealthy());
  // Calls fail while the client's map names the dead master; a failed call reloads the map.
  std::string got;
  for (int i = 0; i < 200 && got != "survives"; ++i) {
    std::vector<std::string> get{"GET", key};
    auto r = io_->Run(c.Execute(get));
    got = r && r->IsString() ? r->str : "";
    if (got != "survives") std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(got, "survives");
  EXPECT_EQ(c.NodeFor(key), "127.0.0.1:" + std::to_string(replica));
  pools = c.Pools();
  EXPECT_EQ(std::find(pools.begin(), pools.end(), "127.0.0.1:" + std::to_string(victim)), pools.end())
      << "the dead master's pool was closed";
  EXPECT_NE(std::find(pools.begin(), pools.end(), "127.0.0.1:" + std::to_string(replica)), pools.end());
}

}  // namespace
}  // namespace iam::cache::cluster_test
