#include "cache/redis_slot_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "cache/redis_error.hpp"

namespace iam::cache {

std::string RedisNodeAddress::Name() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::optional<RedisNodeAddress> ParseRedisNodeAddress(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
  std::string_view host = s.substr(0, colon), port = s.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p <= 0 || p > 65535 || host.empty()) return std::nullopt;
  return RedisNodeAddress{std::string(host), p};
}

Result<RedisSlotMap> RedisSlotMap::FromClusterSlots(const RedisReply& reply, std::string_view replied_host) {
  auto bad = [](std::string what) { return Fail(RedisError(kRedisProtocol, "redis cluster: CLUSTER SLOTS: " + what)); };
  if (reply.IsError()) return bad("the server answered " + reply.str);
  if (reply.type != RedisReply::Type::kArray) return bad("not an array");
  RedisSlotMap map;
  for (const RedisReply& range : reply.elements) {
    if (range.type != RedisReply::Type::kArray || range.elements.size() < 3) return bad("malformed slot range");
    const RedisReply& from = range.elements[0];
    const RedisReply& to = range.elements[1];
    const RedisReply& master = range.elements[2];
    if (from.type != RedisReply::Type::kInteger || to.type != RedisReply::Type::kInteger || from.integer < 0 ||
        to.integer < from.integer || to.integer >= kRedisClusterSlots)
      return bad("malformed slot numbers");
    if (master.type != RedisReply::Type::kArray || master.elements.size() < 2 ||
        master.elements[1].type != RedisReply::Type::kInteger)
      return bad("malformed node");
    RedisNodeAddress node{master.elements[0].str, static_cast<int>(master.elements[1].integer)};
    if (node.host.empty() || node.host == "?") node.host = std::string(replied_host);
    if (node.port <= 0 || node.port > 65535) return bad("malformed port");
    const auto index = static_cast<std::uint16_t>(map.IndexOf(node));
    for (auto s = from.integer; s <= to.integer; ++s) map.owner_[static_cast<std::size_t>(s)] = index;
  }
  map.RecomputeMasters();
  if (map.masters_.empty()) return bad("no slot is served");
  return map;
}

std::size_t RedisSlotMap::IndexOf(const RedisNodeAddress& node) {
  auto it = std::find(nodes_.begin(), nodes_.end(), node);
  if (it != nodes_.end()) return static_cast<std::size_t>(it - nodes_.begin());
  nodes_.push_back(node);
  return nodes_.size() - 1;
}

const RedisNodeAddress* RedisSlotMap::NodeFor(int slot) const {
  if (slot < 0 || slot >= kRedisClusterSlots) return nullptr;
  auto i = owner_[static_cast<std::size_t>(slot)];
  return i == kNone ? nullptr : &nodes_[i];
}

void RedisSlotMap::Assign(int slot, const RedisNodeAddress& node) {
  if (slot < 0 || slot >= kRedisClusterSlots) return;
  owner_[static_cast<std::size_t>(slot)] = static_cast<std::uint16_t>(IndexOf(node));
  RecomputeMasters();
}

std::size_t RedisSlotMap::CoveredSlots() const {
  return static_cast<std::size_t>(std::count_if(owner_.begin(), owner_.end(), [](auto o) { return o != kNone; }));
}

void RedisSlotMap::RecomputeMasters() {
  masters_.clear();
  std::vector<bool> seen(nodes_.size(), false);
  for (auto o : owner_) {
    if (o == kNone || seen[o]) continue;
    seen[o] = true;
    masters_.push_back(nodes_[o]);
  }
}

}  // namespace iam::cache
