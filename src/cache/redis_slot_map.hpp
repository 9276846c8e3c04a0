// RedisSlotMap: which master serves each of the 16384 slots of a Redis Cluster, as `CLUSTER SLOTS`
// reported it (replicas are not used: reads and writes go to masters). Plain value: the cluster
// client keeps the current one behind a shared_ptr and replaces it whole (copy, change, swap), so
// readers never see a half-updated map.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_reply.hpp"
#include "cache/redis_slot.hpp"
#include "domain/error.hpp"

namespace iam::cache {

struct RedisNodeAddress {
  std::string host;
  int port = 0;
  std::string Name() const;  // host:port ([host]:port for IPv6)
  bool operator==(const RedisNodeAddress&) const = default;
};

// "host:port" (or "[v6]:port") -> address; nullopt when malformed.
std::optional<RedisNodeAddress> ParseRedisNodeAddress(std::string_view s);

class RedisSlotMap {
 public:
  RedisSlotMap() { owner_.fill(kNone); }  // no slot served
  // From a CLUSTER SLOTS reply. `replied_host` stands in for a node whose host is reported empty
  // (the node that answered, per the spec). Fails (redis_protocol) on a malformed reply, or when
  // the reply covers no slot.
  static Result<RedisSlotMap> FromClusterSlots(const RedisReply& reply, std::string_view replied_host);

  // The master serving `slot`, or nullptr when no node serves it (the cluster is not fully covered).
  const RedisNodeAddress* NodeFor(int slot) const;
  // Every distinct master that serves at least one slot, in the order of their first slot.
  const std::vector<RedisNodeAddress>& Masters() const { return masters_; }
  // The slot moved to `node` (a MOVED reply); adds the node when it is new.
  void Assign(int slot, const RedisNodeAddress& node);
  std::size_t CoveredSlots() const;

 private:
  std::size_t IndexOf(const RedisNodeAddress& node);  // adds when absent

  static constexpr std::uint16_t kNone = 0xffff;
  std::array<std::uint16_t, kRedisClusterSlots> owner_{};  // index into nodes_, or kNone
  std::vector<RedisNodeAddress> nodes_;                    // every node ever named (indices stay valid)
  std::vector<RedisNodeAddress> masters_;                  // those serving at least one slot
  void RecomputeMasters();
};

}  // namespace iam::cache
