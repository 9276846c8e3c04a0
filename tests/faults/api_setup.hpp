// Test data made through the public API of a running service, the way a user would: a tenant with
// its ADMIN (POST /auth/register-empresa) and "witness" products (POST /productos) whose purchase
// prices are the powers of a base, so that the tenant's valorTotalInventario spells every
// product's stock (kpi_reading.hpp). Failures come back as text for the test to report.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "faults/loopback_client.hpp"

namespace iam::test {

struct TenantAccess {
  std::int64_t empresa_id = 0;
  std::string token;  // the ADMIN's access token (valid for a day, on every instance)
};

std::expected<TenantAccess, std::string> RegisterTenant(LoopbackClient& client, const std::string& nombre,
                                                        const std::string& email);

// Products i = 0..count-1 with precioCompra = base^i, precioVenta = 2·base^i, the given initial
// stock (recorded by the service as one "Stock inicial" ENTRADA when > 0) and stockMinimo.
std::expected<std::vector<std::int64_t>, std::string> CreateWitnessProducts(LoopbackClient& client,
                                                                           const std::string& token, int count,
                                                                           std::int64_t base, std::int64_t stock,
                                                                           std::int64_t stock_minimo);

}  // namespace iam::test
