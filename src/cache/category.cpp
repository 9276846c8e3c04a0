#include "cache/category.hpp"

#include <algorithm>

namespace iam::cache {

std::string_view CategoryName(Category c) {
  static constexpr std::array<std::string_view, kCategoryCount> kNames = {
      "kpis",      "financial-kpis", "product-kpis", "movement-kpis", "predictive-kpis",
      "productos", "proveedores",    "empresa",      "usuario",       "session"};
  return kNames[static_cast<std::size_t>(c)];
}

std::chrono::seconds CacheTtls::For(Category c) const {
  switch (c) {
    case Category::kKpis:
    case Category::kProductKpis:
    case Category::kMovementKpis: return kpis;
    case Category::kFinancialKpis: return financial;
    case Category::kPredictiveKpis: return predictive;
    case Category::kProductos:
    case Category::kProveedores: return productos;
    case Category::kEmpresa: return empresa;
    case Category::kUsuario: return usuario;
    case Category::kSession: return session;
  }
  return kpis;
}

std::chrono::seconds CacheTtls::Longest() const {
  return std::max({kpis, financial, productos, empresa, usuario, config, predictive, session});
}

}  // namespace iam::cache
