// JSON of a product as api.md defines it (every field, in order; timestamps ISO-8601 with ms and Z;
// absent optionals as null; etiquetas always an array). The PROVEEDOR role gets it without prices.
// Pure; shared by the product, movement and dashboard handlers.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "domain/entities.hpp"

namespace iam::api {

enum class PriceVisibility { kShown, kHidden };

// kHidden for the PROVEEDOR role, kShown for every other.
PriceVisibility PricesFor(std::string_view rol);
boost::json::object ProductJson(const domain::Producto& p, PriceVisibility prices = PriceVisibility::kShown);

}  // namespace iam::api
