// The definitions of BasicMemoryTier (memory_tier.hpp), for explicit instantiation: memory_tier.cpp
// instantiates MemoryTier (std::string); a file that needs another value type includes this one and
// instantiates its own.
#pragma once

#include <algorithm>
#include <functional>

#include "cache/memory_tier.hpp"

namespace iam::cache {

template <typename V>
BasicMemoryTier<V>::BasicMemoryTier(std::size_t max_bytes, std::size_t shards)
    : max_bytes_(max_bytes), shard_budget_(shards == 0 ? 0 : max_bytes / shards) {
  if (shards == 0) shards = 1;
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

template <typename V>
typename BasicMemoryTier<V>::HashedKey BasicMemoryTier<V>::Hashed(std::string_view key) {
  return {key, std::hash<std::string_view>{}(key)};
}

template <typename V>
typename BasicMemoryTier<V>::Shard& BasicMemoryTier<V>::ShardFor(const HashedKey& key) {
  // High bits for the shard, so that a shard's keys still spread over all of its buckets.
  return *shards_[(key.hash >> 32) % shards_.size()];
}

template <typename V>
void BasicMemoryTier<V>::EraseLocked(Shard& s, typename std::list<Entry>::iterator it) {
  s.bytes -= it->cost;
  bytes_.fetch_sub(it->cost, std::memory_order_relaxed);
  entries_.fetch_sub(1, std::memory_order_relaxed);
  s.index.erase(HashedKey{it->key, it->hash});
  s.lru.erase(it);
}

template <typename V>
typename BasicMemoryTier<V>::Value BasicMemoryTier<V>::Get(std::string_view key, CacheClock::time_point now,
                                                          CacheClock::time_point not_before) {
  auto found = Find(key, now, not_before);
  return found ? std::move(found->value) : nullptr;
}

template <typename V>
std::optional<typename BasicMemoryTier<V>::Found> BasicMemoryTier<V>::Find(std::string_view key,
                                                                           CacheClock::time_point now,
                                                                           CacheClock::time_point not_before) {
  if (shard_budget_ == 0) return std::nullopt;
  const HashedKey hashed = Hashed(key);
  Shard& s = ShardFor(hashed);
  std::lock_guard lock(s.mu);
  auto found = s.index.find(hashed);
  if (found == s.index.end()) return std::nullopt;
  auto it = found->second;
  if (it->expires_at <= now) {
    EraseLocked(s, it);
    return std::nullopt;
  }
  if (it->stored_at < not_before) return std::nullopt;
  // Lazy promotion: an entry moved to the front fewer than size/2 moves ago is still in the front
  // half (moves to the front only push it back), so it stays where it is: a hot entry's hit then
  // writes nothing, and only entries read in the back half, the ones eviction reaches next, move.
  if (s.front_moves - it->front_move >= s.lru.size() / 2) {
    if (it != s.lru.begin()) s.lru.splice(s.lru.begin(), s.lru, it);
    it->front_move = ++s.front_moves;
  }
  return Found{it->value, it->soft_expires_at, it->stored_at, it->compute_time};
}

template <typename V>
void BasicMemoryTier<V>::Put(std::string key, Value value, CacheClock::time_point expires_at,
                             CacheClock::time_point stored_at, Meta meta) {
  if (shard_budget_ == 0 || !value) return;
  const std::size_t hash = Hashed(key).hash;
  Shard& s = ShardFor(HashedKey{key, hash});
  std::lock_guard lock(s.mu);
  const CacheClock::time_point soft = meta.soft_expires_at.value_or(expires_at);
  PutLocked(s, Entry{std::move(key), hash, std::move(value), expires_at, stored_at, std::min(soft, expires_at),
                     meta.compute_time, 0});
}

template <typename V>
void BasicMemoryTier<V>::PutIfNewer(std::string key, Value value, CacheClock::time_point expires_at,
                                    CacheClock::time_point stored_at) {
  if (shard_budget_ == 0 || !value) return;
  const HashedKey hashed = Hashed(key);
  Shard& s = ShardFor(hashed);
  std::lock_guard lock(s.mu);
  if (auto found = s.index.find(hashed); found != s.index.end()) {
    const Entry& old = *found->second;
    if (old.stored_at > stored_at && old.expires_at > CacheClock::now()) return;
  }
  const std::size_t hash = hashed.hash;
  PutLocked(s, Entry{std::move(key), hash, std::move(value), expires_at, stored_at, expires_at, {}, 0});
}

template <typename V>
void BasicMemoryTier<V>::PutLocked(Shard& s, Entry e) {
  e.cost = e.key.size() + ValueBytes(*e.value) + kEntryOverhead;
  const std::size_t cost = e.cost;
  // The previous value goes even when the new one cannot be stored: it must not stay readable.
  if (auto found = s.index.find(HashedKey{e.key, e.hash}); found != s.index.end()) EraseLocked(s, found->second);
  if (cost > shard_budget_) return;  // would evict the whole shard for one value
  while (s.bytes + cost > shard_budget_ && !s.lru.empty()) {
    EraseLocked(s, std::prev(s.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  e.front_move = ++s.front_moves;
  s.lru.push_front(std::move(e));
  s.index.emplace(HashedKey{s.lru.front().key, s.lru.front().hash}, s.lru.begin());
  s.bytes += cost;
  bytes_.fetch_add(cost, std::memory_order_relaxed);
  entries_.fetch_add(1, std::memory_order_relaxed);
}

template <typename V>
void BasicMemoryTier<V>::Clear() {
  for (auto& sp : shards_) {
    std::lock_guard lock(sp->mu);
    bytes_.fetch_sub(sp->bytes, std::memory_order_relaxed);
    entries_.fetch_sub(sp->lru.size(), std::memory_order_relaxed);
    sp->index.clear();
    sp->lru.clear();
    sp->bytes = 0;
  }
}

}  // namespace iam::cache
