// GenerationTable: this process's invalidation counters. Every in-process (L1) key embeds
// "<epoch>.<generation of its tenant>", so bumping a tenant's generation makes every variant of
// every one of its entries unreachable at once (O(1), no key enumeration), and bumping the epoch
// does so for every tenant. Unreachable entries age out of the LRU. Counters only grow.
// Thread-safe; memory is one counter per tenant ever written or read.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/entities.hpp"

namespace iam::cache {

class GenerationTable {
 public:
  // "<epoch>.<generation>" of the tenant, for embedding in keys.
  std::string Stamp(domain::Id tenant) const;
  void Bump(domain::Id tenant);
  void BumpAll();
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<domain::Id, std::uint64_t> generation_;
  std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace iam::cache
