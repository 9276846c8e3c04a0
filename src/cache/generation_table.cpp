#include "cache/generation_table.hpp"

#include <fmt/format.h>

namespace iam::cache {

std::string GenerationTable::Stamp(domain::Id tenant) const {
  // Read the epoch before the generation: a concurrent BumpAll then at worst makes this key
  // unreachable one request early, never later.
  const std::uint64_t e = epoch_.load(std::memory_order_acquire);
  std::uint64_t g = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = generation_.find(tenant); it != generation_.end()) g = it->second;
  }
  return fmt::format("{}.{}", e, g);
}

void GenerationTable::Bump(domain::Id tenant) {
  std::lock_guard lock(mu_);
  ++generation_[tenant];
}

void GenerationTable::BumpAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

}  // namespace iam::cache
