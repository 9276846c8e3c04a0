#include "cache/category.hpp"

namespace iam::cache {

std::string_view CategoryName(Category c) {
  static constexpr std::array<std::string_view, kCategoryCount> kNames = {
      "kpis", "financial", "productos", "empresa", "usuario", "config", "predictive", "session"};
  return kNames[static_cast<std::size_t>(c)];
}

}  // namespace iam::cache
