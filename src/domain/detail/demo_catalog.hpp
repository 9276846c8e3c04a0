// Static word lists behind the demo data generator (domain/demo_data.hpp): per industry, the
// company names, product bases with their enum values and price ranges, and name variants.
// Read-only constant data with static storage; safe from any thread.
#pragma once

#include <span>

namespace iam::domain::detail {

struct CatalogItem {
  const char* nombre;
  const char* tipo_producto;  // "TipoProducto" value
  const char* unidad;         // "UnidadMedida" value
  double precio_min;          // purchase price range (MXN)
  double precio_max;
  const char* etiqueta;  // a category tag
};

struct IndustryCatalog {
  const char* tipo_industria;  // "TipoIndustria" value
  const char* sku_prefix;      // three letters
  std::span<const char* const> company_names;
  std::span<const CatalogItem> items;
  std::span<const char* const> variants;
};

std::span<const IndustryCatalog> IndustryCatalogs();
std::span<const char* const> SupplierNames();
std::span<const char* const> CityNames();

}  // namespace iam::domain::detail
