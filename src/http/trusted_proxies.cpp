#include "http/trusted_proxies.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace iam::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(entry) for each comma-separated entry, right to left, trimmed; stops when f returns false.
template <typename F>
void ForEachFromRight(std::string_view list, F&& f) {
  std::size_t end = list.size();
  while (true) {
    auto comma = end == 0 ? std::string_view::npos : list.rfind(',', end - 1);
    std::size_t start = comma == std::string_view::npos ? 0 : comma + 1;
    if (!f(Trim(list.substr(start, end - start)))) return;
    if (comma == std::string_view::npos) return;
    end = comma;
  }
}

bool Has(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<ip::address> ParseBare(std::string_view s) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return Unmapped(a);
}

Error Invalid(std::string_view entry, std::string_view why) {
  return Error::InvalidArgument(
      fmt::format("invalid TRUSTED_PROXIES: {} (got '{}'); expected comma-separated IPs or CIDRs, "
                  "e.g. 10.0.0.1,10.1.0.0/16,::1",
                  why, entry),
      "CONFIG_ERROR");
}

}  // namespace

ip::address Unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

std::optional<ip::address> ParseForwardedAddress(std::string_view entry) {
  entry = Trim(entry);
  if (entry.empty()) return std::nullopt;
  if (entry.front() == '[') {  // "[v6]" or "[v6]:port"
    auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = entry.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && AllDigits(rest.substr(1)))) return std::nullopt;
    auto a = ParseBare(entry.substr(1, close - 1));
    if (!a || !Has(entry.substr(1, close - 1), ':')) return std::nullopt;  // brackets hold IPv6 only
    return a;
  }
  auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {  // "v4:port"
    if (!AllDigits(entry.substr(colon + 1))) return std::nullopt;
    auto a = ParseBare(entry.substr(0, colon));
    if (!a || !a->is_v4()) return std::nullopt;
    return a;
  }
  if (Has(entry, '%')) return std::nullopt;  // a scope id names an interface, not a client
  return ParseBare(entry);
}

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  std::vector<std::string_view> entries;
  ForEachFromRight(list, [&](std::string_view e) {
    entries.insert(entries.begin(), e);
    return true;
  });
  for (auto entry : entries) {
    if (entry.empty()) continue;  // "a,,b" or a trailing comma
    auto slash = entry.find('/');
    auto host = ParseBare(entry.substr(0, slash));
    if (!host || Has(entry, '%')) return Fail(Invalid(entry, "not an IP address or CIDR block"));
    unsigned max_len = host->is_v4() ? 32 : 128;
    unsigned len = max_len;
    if (slash != std::string_view::npos) {
      auto digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return c >= '0' && c <= '9';
          }))
        return Fail(Invalid(entry, "bad prefix length"));
      len = static_cast<unsigned>(std::stoul(std::string(digits)));
      if (len > max_len) return Fail(Invalid(entry, fmt::format("prefix length above {}", max_len)));
    }
    if (host->is_v4()) {
      ip::network_v4 net(host->to_v4(), static_cast<unsigned short>(len));
      if (net.network() != host->to_v4())
        return Fail(Invalid(entry, fmt::format("address bits set below the prefix (did you mean {}?)",
                                               net.canonical().to_string())));
      out.networks_.emplace_back(net);
    } else {
      ip::network_v6 net(host->to_v6(), static_cast<unsigned short>(len));
      if (net.network() != host->to_v6())
        return Fail(Invalid(entry, fmt::format("address bits set below the prefix (did you mean {}?)",
                                               net.canonical().to_string())));
      out.networks_.emplace_back(net);
    }
  }
  return out;
}

bool TrustedProxies::Contains(const ip::address& raw) const {
  const ip::address address = Unmapped(raw);
  for (const auto& n : networks_) {
    if (const auto* v4 = std::get_if<ip::network_v4>(&n)) {
      if (address.is_v4() && ip::network_v4(address.to_v4(), v4->prefix_length()).network() == v4->network())
        return true;
    } else {
      const auto& v6 = std::get<ip::network_v6>(n);
      if (address.is_v6() && ip::network_v6(address.to_v6(), v6.prefix_length()).network() == v6.network())
        return true;
    }
  }
  return false;
}

std::string TrustedProxies::ToString() const {
  std::string out;
  for (const auto& n : networks_) {
    if (!out.empty()) out += ',';
    out += std::visit([](const auto& net) { return net.to_string(); }, n);
  }
  return out;
}

std::string TrustedProxies::ClientAddress(const ip::address& raw_peer, std::string_view forwarded_for) const {
  const ip::address peer = Unmapped(raw_peer);
  if (!Contains(peer)) return peer.to_string();  // never believe the header from anyone else
  std::optional<ip::address> client;
  ForEachFromRight(forwarded_for, [&](std::string_view entry) {
    auto a = ParseForwardedAddress(entry);
    if (!a) return false;  // malformed (or "unknown"): what lies left of it cannot be trusted
    if (!Contains(*a)) {
      client = a;
      return false;
    }
    return true;  // another trusted proxy: its left neighbour is what it received from
  });
  return (client ? *client : peer).to_string();
}

}  // namespace iam::http
