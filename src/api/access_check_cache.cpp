#include "api/access_check_cache.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace iam::api {
namespace {

// "<epoch>:<token>", built by hand: it runs on every authenticated request.
std::string Key(std::string_view token, std::uint64_t epoch) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, epoch);
  (void)ec;  // 20 digits hold any uint64
  std::string key;
  key.reserve(static_cast<std::size_t>(end - digits) + 1 + token.size());
  key.append(digits, end).append(1, ':').append(token);
  return key;
}

// Seven fields, one per line; the email and jti are ours (no newline can occur in them).
std::string Encode(const Principal& p) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", p.user_id, p.rol, p.empresa_id ? std::to_string(*p.empresa_id) : "-",
                     p.email, p.jti, p.expires_s, p.issued_ms);
}

std::optional<std::int64_t> Int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Principal> Decode(std::string_view s) {
  std::vector<std::string_view> f;
  while (f.size() < 6) {
    auto nl = s.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    f.push_back(s.substr(0, nl));
    s.remove_prefix(nl + 1);
  }
  f.push_back(s);
  Principal p;
  auto user = Int(f[0]), expires = Int(f[5]), issued = Int(f[6]);
  if (!user || !expires || !issued) return std::nullopt;
  p.user_id = *user;
  p.rol = std::string(f[1]);
  if (f[2] != "-") {
    auto e = Int(f[2]);
    if (!e) return std::nullopt;
    p.empresa_id = *e;
  }
  p.email = std::string(f[3]);
  p.jti = std::string(f[4]);
  p.expires_s = *expires;
  p.issued_ms = *issued;
  return p;
}

}  // namespace

AccessCheckCache::AccessCheckCache(std::chrono::milliseconds max_age, std::size_t max_bytes)
    : max_age_(max_age), entries_(max_age.count() > 0 ? max_bytes : 0) {}

std::optional<Principal> AccessCheckCache::Get(std::string_view token, std::int64_t now_s,
                                              cache::CacheClock::time_point not_before) {
  if (auto v = entries_.Get(Key(token, epoch()), cache::CacheClock::now(), not_before)) {
    if (auto p = Decode(*v); p && p->expires_s > now_s) return p;
  }
  return std::nullopt;
}

void AccessCheckCache::Put(std::string_view token, const Principal& who, std::uint64_t epoch) {
  entries_.Put(Key(token, epoch), std::make_shared<const std::string>(Encode(who)), cache::CacheClock::now() + max_age_);
}

}  // namespace iam::api
