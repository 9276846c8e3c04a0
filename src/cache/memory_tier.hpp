// MemoryTier: the in-process cache tier (L1). A sharded LRU of immutable values (serialized JSON
// for MemoryTier; BasicMemoryTier<V> holds any V) with a per-entry expiry and a hard byte budget:
// the accounted bytes (key + ValueBytes(value) + a fixed per-entry overhead) never exceed
// max_bytes; a value that alone exceeds a shard's share is not stored.
// Thread-safe (one mutex per shard). Eviction follows LRU order, except that a hit on an entry
// moved to the front fewer than size/2 moves ago (so still in the front half) leaves it where it
// is (far from eviction, and the hit writes nothing).
// A miss, an expired entry and an entry stored before the reader's `not_before` all read as
// nullptr (the last one stays: a later reader may accept it).
// An entry may carry a soft expiry before its hard one (the cache serves it past the soft expiry
// only as stale, while refreshing it) and the time its value took to compute (for early refresh).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iam::cache {

using CacheClock = std::chrono::steady_clock;

// What MemoryTier::Put stores besides the value; soft_expires_at defaults to the hard expiry.
struct EntryMeta {
  std::optional<CacheClock::time_point> soft_expires_at;
  CacheClock::duration compute_time{0};
};
template <typename V>
struct BasicFoundEntry {
  std::shared_ptr<const V> value;
  CacheClock::time_point soft_expires_at, stored_at;
  CacheClock::duration compute_time{0};
};

// The bytes a value is charged (with its key and kEntryOverhead); a value type other than
// std::string provides its own ValueBytes, found by argument-dependent lookup.
inline std::size_t ValueBytes(const std::string& v) { return v.size(); }

// V: the immutable value type, shared with readers as shared_ptr<const V>. Defined for
// std::string in memory_tier.cpp (MemoryTier); another V instantiates detail/memory_tier_impl.hpp.
template <typename V>
class BasicMemoryTier {
 public:
  using Value = std::shared_ptr<const V>;

  // Bytes charged per entry on top of its key and value (list node, map slot, control block).
  static constexpr std::size_t kEntryOverhead = 160;

  // max_bytes == 0 disables the tier (every Get misses, Put does nothing).
  explicit BasicMemoryTier(std::size_t max_bytes, std::size_t shards = 16);
  BasicMemoryTier(const BasicMemoryTier&) = delete;
  BasicMemoryTier& operator=(const BasicMemoryTier&) = delete;

  using Meta = EntryMeta;
  using Found = BasicFoundEntry<V>;

  Value Get(std::string_view key, CacheClock::time_point now,
            CacheClock::time_point not_before = CacheClock::time_point::min());
  // Get with the entry's metadata; nullopt where Get returns nullptr.
  std::optional<Found> Find(std::string_view key, CacheClock::time_point now,
                            CacheClock::time_point not_before = CacheClock::time_point::min());
  // `stored_at` is what Get compares with `not_before`.
  void Put(std::string key, Value value, CacheClock::time_point expires_at,
           CacheClock::time_point stored_at = CacheClock::now(), Meta meta = {});
  // Put, unless the key holds an unexpired entry with a later stored_at (a slow computation that
  // started earlier must not replace a newer value).
  void PutIfNewer(std::string key, Value value, CacheClock::time_point expires_at, CacheClock::time_point stored_at);
  void Clear();

  std::size_t max_bytes() const { return max_bytes_; }
  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  std::size_t entries() const { return entries_.load(std::memory_order_relaxed); }
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  // A key with its hash, computed once per call: it picks the shard (high bits) and the bucket.
  struct HashedKey {
    std::string_view text;
    std::size_t hash;
    bool operator==(const HashedKey& o) const { return hash == o.hash && text == o.text; }
  };
  struct HashOf {
    std::size_t operator()(const HashedKey& k) const noexcept { return k.hash; }
  };
  struct Entry {
    std::string key;
    std::size_t hash = 0;  // of key
    Value value;
    CacheClock::time_point expires_at;
    CacheClock::time_point stored_at;
    CacheClock::time_point soft_expires_at;
    CacheClock::duration compute_time{0};
    std::size_t cost = 0;
    std::uint64_t front_move = 0;  // Shard::front_moves when it last moved to the front
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<HashedKey, typename std::list<Entry>::iterator, HashOf> index;  // views into lru keys
    std::size_t bytes = 0;
    std::uint64_t front_moves = 0;  // moves to the front (puts and promotions) so far
  };

  static HashedKey Hashed(std::string_view key);
  Shard& ShardFor(const HashedKey& key);
  void EraseLocked(Shard& s, typename std::list<Entry>::iterator it);
  void PutLocked(Shard& s, Entry e);

  std::size_t max_bytes_;
  std::size_t shard_budget_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> bytes_{0}, entries_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

extern template class BasicMemoryTier<std::string>;
using MemoryTier = BasicMemoryTier<std::string>;
using Value = MemoryTier::Value;  // a cached serialized JSON body
using FoundEntry = MemoryTier::Found;

}  // namespace iam::cache
