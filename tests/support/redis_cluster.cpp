#include "support/redis_cluster.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

namespace iam::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool ClusterNodeInfo::Serves(int slot) const {
  return std::any_of(slots.begin(), slots.end(), [slot](auto r) { return slot >= r.first && slot <= r.second; });
}

bool RedisCluster::Available() {
  static const bool ok = RedisServer::Available() && RunShell("redis-cli --version").status == 0;
  return ok;
}

RedisCluster::RedisCluster(int masters, int replicas) : masters_(masters), replicas_(replicas) {}

RedisCluster::~RedisCluster() = default;  // each RedisServer kills its process and removes its files

bool RedisCluster::Start() {
  const int n = masters_ * (1 + replicas_);
  for (int i = 0; i < n; ++i) {
    // A short node timeout: a killed master is noticed and replaced within seconds. No diskless
    // sync delay (5 s by default): replicas are in sync as soon as they join.
    auto s = std::make_unique<RedisServer>(RedisServerOptions{
        .args = {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                 "--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0"}});
    if (!s->Start()) {
      error_ = "node " + std::to_string(i) + ": " + s->error();
      return false;
    }
    servers_.push_back(std::move(s));
    alive_.push_back(true);
  }
  std::string cmd = "redis-cli --cluster create";
  for (const auto& s : servers_) cmd += " 127.0.0.1:" + std::to_string(s->port());
  cmd += " --cluster-replicas " + std::to_string(replicas_) + " --cluster-yes";
  auto r = RunShell(cmd);
  if (r.status != 0) {
    error_ = "redis-cli --cluster create failed: " + r.output;
    return false;
  }
  if (!WaitHealthy()) {
    if (error_.empty()) error_ = "the cluster did not become healthy";
    return false;
  }
  return true;
}

std::vector<int> RedisCluster::ports() const {
  std::vector<int> out;
  for (const auto& s : servers_) out.push_back(s->port());
  return out;
}

std::string RedisCluster::seeds() const {
  std::string out;
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (alive_[i]) out += (out.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(servers_[i]->port());
  return out;
}

RedisServer* RedisCluster::ServerOn(int port) const {
  for (const auto& s : servers_)
    if (s->port() == port) return s.get();
  return nullptr;
}

bool RedisCluster::Alive(int port) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i]->port() == port) return alive_[i];
  return false;
}

int RedisCluster::AnyLivePort() const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (alive_[i]) return servers_[i]->port();
  return 0;
}

std::string RedisCluster::Cli(int port, const std::vector<std::string>& args) const {
  RedisServer* s = ServerOn(port);
  return s ? s->Cli(args) : std::string();
}

std::string RedisCluster::IdOf(int port) const { return Trim(Cli(port, {"CLUSTER", "MYID"})); }

// <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot> ...
std::vector<ClusterNodeInfo> RedisCluster::Nodes(int port) const {
  std::vector<ClusterNodeInfo> out;
  if (port == 0) port = AnyLivePort();
  for (const std::string& line : Split(Cli(port, {"CLUSTER", "NODES"}), '\n')) {
    auto f = Split(line, ' ');
    if (f.size() < 8) continue;
    ClusterNodeInfo n;
    n.id = f[0];
    auto colon = f[1].find(':'), at = f[1].find('@');
    if (colon == std::string::npos) continue;
    n.port = std::atoi(f[1].substr(colon + 1, at - colon - 1).c_str());
    n.master = f[2].find("master") != std::string::npos;
    n.failed = f[2].find("fail") != std::string::npos;
    n.master_id = f[3];
    for (std::size_t i = 8; i < f.size(); ++i) {
      if (f[i].starts_with("[")) continue;  // a slot being migrated or imported
      auto dash = f[i].find('-');
      int a = std::atoi(f[i].c_str());
      int b = dash == std::string::npos ? a : std::atoi(f[i].c_str() + dash + 1);
      n.slots.emplace_back(a, b);
    }
    out.push_back(std::move(n));
  }
  return out;
}

int RedisCluster::MasterOf(int slot, int ask_port) const {
  for (const auto& n : Nodes(ask_port))
    if (n.master && !n.failed && n.Serves(slot)) return n.port;
  return 0;
}

int RedisCluster::ReplicaOf(int master_port) const {
  auto nodes = Nodes();
  auto m = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.port == master_port; });
  if (m == nodes.end()) return 0;
  for (const auto& n : nodes)
    if (!n.master && n.master_id == m->id && !n.failed && Alive(n.port)) return n.port;
  return 0;
}

int RedisCluster::WaitForReplicaOf(int master_port, std::chrono::milliseconds max) const {
  const auto deadline = Clock::now() + max;
  for (;;) {
    if (int replica = ReplicaOf(master_port); replica != 0 || Clock::now() >= deadline) return replica;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool RedisCluster::WaitHealthy(std::chrono::milliseconds max) {
  const auto deadline = Clock::now() + max;
  for (;;) {
    bool healthy = true;
    for (std::size_t i = 0; i < servers_.size() && healthy; ++i) {
      if (!alive_[i]) continue;
      const int port = servers_[i]->port();
      if (Cli(port, {"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) healthy = false;
      auto nodes = Nodes(port);
      int serving = 0;
      for (const auto& n : nodes)
        if (n.master && !n.failed && !n.slots.empty()) ++serving;
      if (serving != masters_) healthy = false;
      auto repl = Cli(port, {"INFO", "replication"});
      if (repl.find("role:slave") != std::string::npos && repl.find("master_link_status:up") == std::string::npos)
        healthy = false;
    }
    if (healthy) return true;
    if (Clock::now() > deadline) {
      error_ = "cluster not healthy within the time allowed";
      return false;
    }
    std::this_thread::sleep_for(100ms);
  }
}

bool RedisCluster::BeginMigration(int slot, int from, int to) {
  const std::string s = std::to_string(slot);
  return Trim(Cli(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", IdOf(from)})) == "OK" &&
         Trim(Cli(from, {"CLUSTER", "SETSLOT", s, "MIGRATING", IdOf(to)})) == "OK";
}

bool RedisCluster::MigrateKeys(int slot, int from, int to) {
  for (;;) {
    auto keys = Split(Cli(from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "100"}), '\n');
    if (keys.empty()) return true;
    std::vector<std::string> args{"MIGRATE", "127.0.0.1", std::to_string(to), "", "0", "5000", "KEYS"};
    args.insert(args.end(), keys.begin(), keys.end());
    if (Trim(Cli(from, args)) != "OK") return false;
  }
}

bool RedisCluster::FinishMigration(int slot, int from, int to) {
  const std::string s = std::to_string(slot), to_id = IdOf(to);
  // The new owner first, then the old one, then everyone else (the order the spec recommends).
  if (Trim(Cli(to, {"CLUSTER", "SETSLOT", s, "NODE", to_id})) != "OK") return false;
  if (Trim(Cli(from, {"CLUSTER", "SETSLOT", s, "NODE", to_id})) != "OK") return false;
  for (const auto& n : Nodes(to))
    if (n.master && !n.failed && n.port != to && n.port != from && Alive(n.port))
      Cli(n.port, {"CLUSTER", "SETSLOT", s, "NODE", to_id});
  return true;
}

bool RedisCluster::Failover(int replica_port, std::chrono::milliseconds max) {
  if (Trim(Cli(replica_port, {"CLUSTER", "FAILOVER"})) != "OK") return false;
  const auto deadline = Clock::now() + max;
  while (Clock::now() < deadline) {
    if (Cli(replica_port, {"ROLE"}).starts_with("master")) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

bool RedisCluster::Kill(int port) {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i]->port() == port) {
      alive_[i] = false;
      return servers_[i]->Stop();
    }
  return false;
}

}  // namespace iam::test
