// Cache categories: each cached value belongs to one, which fixes its TTL (cache.md's CACHE_TTL_*)
// and the label its statistics are counted under. Plain values; thread-safe to share once built.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace iam::cache {

enum class Category : std::size_t {
  kKpis,        // kpis, movement-kpis, product-kpis, all-kpis (CACHE_TTL_KPIS)
  kFinancial,   // financial-kpis (CACHE_TTL_FINANCIAL)
  kProductos,   // product lists and single products, supplier lists (CACHE_TTL_PRODUCTOS)
  kEmpresa,     // tenant data (CACHE_TTL_EMPRESA)
  kUsuario,     // per-request user / token lookups (CACHE_TTL_USUARIO)
  kConfig,      // configuration-like data (CACHE_TTL_CONFIG)
  kPredictive,  // predictive-kpis (CACHE_TTL_PREDICTIVE)
  kSession,     // session data (CACHE_TTL_SESSION)
};
inline constexpr std::size_t kCategoryCount = 8;

// Lower-case name used in keys, JSON statistics and metric labels ("kpis", "financial", ...).
std::string_view CategoryName(Category c);

// Time-to-live per category, indexed by Category.
struct CategoryTtls {
  std::array<std::chrono::seconds, kCategoryCount> ttl{
      std::chrono::seconds{300}, std::chrono::seconds{600},  std::chrono::seconds{1800},
      std::chrono::seconds{3600}, std::chrono::seconds{1800}, std::chrono::seconds{7200},
      std::chrono::seconds{1800}, std::chrono::seconds{900}};
  std::chrono::seconds operator[](Category c) const { return ttl[static_cast<std::size_t>(c)]; }
  std::chrono::seconds& operator[](Category c) { return ttl[static_cast<std::size_t>(c)]; }
};

}  // namespace iam::cache
