// GenerationTable: this process's invalidation counters. Every in-process (L1) key embeds
// "<epoch>.<generation of its tenant>", so bumping a tenant's generation makes every variant of
// every one of its entries unreachable at once (O(1), no key enumeration), and bumping the epoch
// does so for every tenant. Unreachable entries age out of the LRU. Counters only grow.
// Tenants share a fixed array of kSlots counters (tenant id modulo kSlots): reading one is a
// single atomic load, with no lock on the per-request path. Tenants whose ids differ by a multiple
// of kSlots share a counter, so a write to one also makes the other's entries miss once: extra
// recomputation, never a stale answer. Thread-safe; fixed memory (kSlots counters).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/entities.hpp"

namespace iam::cache {

class GenerationTable {
 public:
  static constexpr std::size_t kSlots = 1u << 16;

  GenerationTable() : generation_(std::make_unique<std::atomic<std::uint64_t>[]>(kSlots)) {}

  // Appends "<epoch>.<generation>" of the tenant to `out`, for embedding in keys.
  void AppendStamp(std::string& out, domain::Id tenant) const;
  void Bump(domain::Id tenant);
  void BumpAll();
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

 private:
  static std::size_t SlotOf(domain::Id tenant) { return static_cast<std::uint64_t>(tenant) % kSlots; }

  std::unique_ptr<std::atomic<std::uint64_t>[]> generation_;  // kSlots counters, on the heap (512 KiB)
  std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace iam::cache
