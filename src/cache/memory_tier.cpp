#include "cache/memory_tier.hpp"

#include "cache/detail/memory_tier_impl.hpp"

namespace iam::cache {

template class BasicMemoryTier<std::string>;

}  // namespace iam::cache
