// TrustedProxies: the reverse proxies (IPs or CIDR blocks, IPv4 and IPv6) whose X-Forwarded-For
// this process believes (TRUSTED_PROXIES). ClientAddress() answers the client address of a request:
// the TCP peer unless the peer is trusted; then the right-most X-Forwarded-For entry that is not
// itself trusted, walking from the right; a malformed entry stops the walk and the peer is the
// answer. Empty (the default): nobody is trusted and the header is never read. Immutable once
// parsed, so safe to share between threads.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/error.hpp"

namespace iam::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts no one

  // "10.0.0.1, 10.1.0.0/16, ::1, fd00::/8" (commas, optional spaces). kInvalidArgument naming the
  // first bad entry (host bits set below the prefix are refused: "10.0.0.1/8" is likely a typo).
  static Result<TrustedProxies> Parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  bool Contains(const boost::asio::ip::address& address) const;
  // The entries in canonical form ("10.1.0.0/16,::1/128"), for `iam config`.
  std::string ToString() const;

  // `peer`: the TCP peer's address. `forwarded_for`: every X-Forwarded-For value of the request,
  // joined by ',' in order (empty when absent). Returns the client address in canonical text.
  std::string ClientAddress(const boost::asio::ip::address& peer, std::string_view forwarded_for) const;

 private:
  std::vector<std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6>> networks_;
};

// An address as written by a proxy in X-Forwarded-For: a bare IPv4 or IPv6 address, or
// "[v6]" / "[v6]:port" / "v4:port" (forms some proxies emit). nullopt when it is none of these.
// IPv4-mapped IPv6 addresses ("::ffff:1.2.3.4") come back as IPv4.
std::optional<boost::asio::ip::address> ParseForwardedAddress(std::string_view entry);

// IPv4-mapped IPv6 -> IPv4 (a dual-stack socket reports IPv4 peers that way); others unchanged.
boost::asio::ip::address Unmapped(const boost::asio::ip::address& address);

}  // namespace iam::http
