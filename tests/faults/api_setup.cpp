#include "faults/api_setup.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace iam::test {

namespace json = boost::json;

std::expected<TenantAccess, std::string> RegisterTenant(LoopbackClient& client, const std::string& nombre,
                                                        const std::string& email) {
  const json::object body{{"nombreEmpresa", nombre}, {"nombre", "Admin " + nombre}, {"email", email},
                          {"password", "password-0123456789"}};
  auto r = client.Request("POST", "/auth/register-empresa", json::serialize(body));
  auto v = r.Json();
  if (r.status != 201 || !v.is_object() || !v.as_object().contains("token"))
    return std::unexpected("register-empresa answered " + std::to_string(r.status) + " " + r.error + r.body);
  TenantAccess t;
  t.token = std::string(v.at("token").as_string());
  t.empresa_id = v.at("user").at("empresaId").to_number<std::int64_t>();
  return t;
}

std::expected<std::vector<std::int64_t>, std::string> CreateWitnessProducts(LoopbackClient& client,
                                                                           const std::string& token, int count,
                                                                           std::int64_t base, std::int64_t stock,
                                                                           std::int64_t stock_minimo) {
  std::vector<std::int64_t> ids;
  std::int64_t price = 1;
  for (int i = 0; i < count; ++i, price *= base) {
    const json::object body{{"nombre", "Testigo " + std::to_string(i)},
                            {"precioCompra", price},
                            {"precioVenta", 2 * price},
                            {"stock", stock},
                            {"stockMinimo", stock_minimo}};
    auto r = client.Request("POST", "/productos", json::serialize(body), token);
    auto v = r.Json();
    if (r.status != 201 || !v.is_object() || !v.as_object().contains("id"))
      return std::unexpected("POST /productos answered " + std::to_string(r.status) + " " + r.error + r.body);
    ids.push_back(v.at("id").to_number<std::int64_t>());
  }
  return ids;
}

}  // namespace iam::test
