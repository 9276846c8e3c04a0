// WriteJson: JSON text of a Boost.JSON value, with numbers as people and front ends expect them:
// doubles in their shortest round-trip form without exponent where one is not needed ("39.85",
// not Boost 1.81's "3.985E1"); strings escaped by Boost.JSON. Pure; safe from any thread.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace iam::http {

std::string WriteJson(const boost::json::value& value);

}  // namespace iam::http
