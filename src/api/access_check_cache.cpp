#include "api/access_check_cache.hpp"

#include <fmt/format.h>

namespace iam::api {
namespace {

// activo and revoked are implied (only passing checks are stored): "<rol>\n<empresa or ->\n<email>".
std::string Encode(const store::AccessCheck& c) {
  return fmt::format("{}\n{}\n{}", c.rol, c.empresa_id ? std::to_string(*c.empresa_id) : "-", c.email);
}

std::optional<store::AccessCheck> Decode(const std::string& s) {
  const auto a = s.find('\n');
  const auto b = a == std::string::npos ? a : s.find('\n', a + 1);
  if (b == std::string::npos) return std::nullopt;
  store::AccessCheck c;
  c.user_found = true;
  c.activo = true;
  c.revoked = false;
  c.rol = s.substr(0, a);
  const std::string empresa = s.substr(a + 1, b - a - 1);
  if (empresa != "-") c.empresa_id = std::stoll(empresa);
  c.email = s.substr(b + 1);
  return c;
}

}  // namespace

AccessCheckCache::AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes)
    : max_age_(max_age), entries_(max_age.count() > 0 ? max_bytes : 0) {}

std::string AccessCheckCache::Key(domain::Id user, std::string_view jti, std::uint64_t epoch) const {
  return fmt::format("{}:{}:{}", epoch, user, jti);
}

std::optional<store::AccessCheck> AccessCheckCache::Get(domain::Id user, std::string_view jti) {
  if (auto v = entries_.Get(Key(user, jti, epoch()), cache::CacheClock::now())) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return Decode(*v);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void AccessCheckCache::Put(domain::Id user, std::string_view jti, const store::AccessCheck& check,
                           std::uint64_t epoch) {
  if (!check.user_found || !check.activo || check.revoked) return;
  entries_.Put(Key(user, jti, epoch), std::make_shared<const std::string>(Encode(check)),
               cache::CacheClock::now() + max_age_);
}

}  // namespace iam::api
