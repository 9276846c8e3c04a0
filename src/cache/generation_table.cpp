#include "cache/generation_table.hpp"

#include <charconv>

namespace iam::cache {

void GenerationTable::AppendStamp(std::string& out, domain::Id tenant) const {
  // Read the epoch before the generation: a concurrent BumpAll then at worst makes this key
  // unreachable one request early, never later.
  const std::uint64_t e = epoch_.load(std::memory_order_acquire);
  const std::uint64_t g = generation_[SlotOf(tenant)].load(std::memory_order_acquire);
  char buf[42];  // two uint64 (20 digits each) and the dot
  char* end = std::to_chars(buf, buf + 20, e).ptr;
  *end++ = '.';
  end = std::to_chars(end, end + 20, g).ptr;
  out.append(buf, end);
}

void GenerationTable::Bump(domain::Id tenant) { generation_[SlotOf(tenant)].fetch_add(1, std::memory_order_acq_rel); }

void GenerationTable::BumpAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

}  // namespace iam::cache
