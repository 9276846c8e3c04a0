#include "cache/memory_tier.hpp"

#include <functional>

namespace iam::cache {

MemoryTier::MemoryTier(std::size_t max_bytes, std::size_t shards)
    : max_bytes_(max_bytes), shard_budget_(shards == 0 ? 0 : max_bytes / shards) {
  if (shards == 0) shards = 1;
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

MemoryTier::Shard& MemoryTier::ShardFor(std::string_view key) {
  return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

void MemoryTier::EraseLocked(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->cost;
  bytes_.fetch_sub(it->cost, std::memory_order_relaxed);
  entries_.fetch_sub(1, std::memory_order_relaxed);
  s.index.erase(std::string_view(it->key));
  s.lru.erase(it);
}

Value MemoryTier::Get(std::string_view key, CacheClock::time_point now, CacheClock::time_point not_before) {
  if (shard_budget_ == 0) return nullptr;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto found = s.index.find(key);
  if (found == s.index.end()) return nullptr;
  auto it = found->second;
  if (it->expires_at <= now) {
    EraseLocked(s, it);
    return nullptr;
  }
  if (it->stored_at < not_before) return nullptr;
  s.lru.splice(s.lru.begin(), s.lru, it);
  return it->value;
}

void MemoryTier::Put(std::string key, Value value, CacheClock::time_point expires_at,
                     CacheClock::time_point stored_at) {
  if (shard_budget_ == 0 || !value) return;
  const std::size_t cost = key.size() + value->size() + kEntryOverhead;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  // The previous value goes even when the new one cannot be stored: it must not stay readable.
  if (auto found = s.index.find(key); found != s.index.end()) EraseLocked(s, found->second);
  if (cost > shard_budget_) return;  // would evict the whole shard for one value
  while (s.bytes + cost > shard_budget_ && !s.lru.empty()) {
    EraseLocked(s, std::prev(s.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  s.lru.push_front(Entry{std::move(key), std::move(value), expires_at, stored_at, cost});
  s.index.emplace(std::string_view(s.lru.front().key), s.lru.begin());
  s.bytes += cost;
  bytes_.fetch_add(cost, std::memory_order_relaxed);
  entries_.fetch_add(1, std::memory_order_relaxed);
}

void MemoryTier::Clear() {
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
