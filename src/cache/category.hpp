// Cache categories: each cached value belongs to one, which fixes its TTL (cache.md's CACHE_TTL_*
// variables) and the label its statistics are counted under. Plain values; thread-safe to share.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace iam::cache {

enum class Category : std::size_t {
  kKpis,            // /dashboard-cqrs/kpis and all-kpis            (CACHE_TTL_KPIS)
  kFinancialKpis,   // /dashboard-cqrs/financial-kpis               (CACHE_TTL_FINANCIAL)
  kProductKpis,     // /dashboard-cqrs/product-kpis/:id             (CACHE_TTL_KPIS)
  kMovementKpis,    // /dashboard-cqrs/movement-kpis                (CACHE_TTL_KPIS)
  kPredictiveKpis,  // /dashboard-cqrs/predictive-kpis              (CACHE_TTL_PREDICTIVE)
  kProductos,       // product lists and single products            (CACHE_TTL_PRODUCTOS)
  kProveedores,     // supplier lists                               (CACHE_TTL_PRODUCTOS)
  kEmpresa,         // tenant data                                  (CACHE_TTL_EMPRESA)
  kUsuario,         // per-request user / token lookups             (CACHE_TTL_USUARIO)
  kSession,         // session data                                 (CACHE_TTL_SESSION)
};
inline constexpr std::size_t kCategoryCount = 10;

// Name used in keys, JSON statistics and metric labels: "kpis", "financial-kpis", ... (api.md).
std::string_view CategoryName(Category c);

// The TTLs of cache.md's CACHE_TTL_* variables (seconds), defaults as documented there.
struct CacheTtls {
  std::chrono::seconds kpis{300}, financial{600}, productos{1800}, empresa{3600}, usuario{1800},
      config{7200}, predictive{1800}, session{900};
  std::chrono::seconds For(Category c) const;
  // The longest of them: generation keys outlive every entry (see generation scheme in cache.hpp).
  std::chrono::seconds Longest() const;
};

}  // namespace iam::cache
