#include "api/access_check_cache.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace iam::api {
namespace {

// "<epoch>\n" and seven fields, one per line; the email and jti are ours (no newline can occur in
// them). The entry is keyed by the token alone (no copy of it per request); the epoch inside
// makes one stored before a BumpAll unusable.
std::string Encode(const Principal& p, std::uint64_t epoch) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}", epoch, p.user_id, p.rol,
                     p.empresa_id ? std::to_string(*p.empresa_id) : "-", p.email, p.jti, p.expires_s, p.issued_ms);
}

std::optional<std::int64_t> Int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Principal> Decode(std::string_view s, std::uint64_t epoch) {
  std::array<std::string_view, 8> f;
  for (std::size_t i = 0; i + 1 < f.size(); ++i) {
    auto nl = s.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    f[i] = s.substr(0, nl);
    s.remove_prefix(nl + 1);
  }
  f.back() = s;
  auto stored_epoch = Int(f[0]);
  if (!stored_epoch || static_cast<std::uint64_t>(*stored_epoch) != epoch) return std::nullopt;
  Principal p;
  auto user = Int(f[1]), expires = Int(f[6]), issued = Int(f[7]);
  if (!user || !expires || !issued) return std::nullopt;
  p.user_id = *user;
  p.rol = std::string(f[2]);
  if (f[3] != "-") {
    auto e = Int(f[3]);
    if (!e) return std::nullopt;
    p.empresa_id = *e;
  }
  p.email = std::string(f[4]);
  p.jti = std::string(f[5]);
  p.expires_s = *expires;
  p.issued_ms = *issued;
  return p;
}

}  // namespace

AccessCheckCache::AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes)
    : max_age_(max_age), entries_(max_age.count() > 0 ? max_bytes : 0) {}

std::optional<Principal> AccessCheckCache::Get(std::string_view token, std::int64_t now_s,
                                              cache::CacheClock::time_point not_before) {
  if (auto v = entries_.Get(token, cache::CacheClock::now(), not_before)) {
    if (auto p = Decode(*v, epoch()); p && p->expires_s > now_s) return p;
  }
  return std::nullopt;
}

void AccessCheckCache::Put(std::string_view token, const Principal& who, std::uint64_t epoch) {
  entries_.Put(std::string(token), std::make_shared<const std::string>(Encode(who, epoch)),
               cache::CacheClock::now() + max_age_);
}

}  // namespace iam::api
