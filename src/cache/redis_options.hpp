// RedisOptions: how RedisClient reaches one Redis server (address, credentials, TLS, timeouts,
// pool size, reconnect back-off). Plain value; copy freely. ParseRedisUrl() builds one from a
// `redis://` / `rediss://` URL and fails with kInvalidArgument (message safe to log: the password
// is masked); MaskRedisUrl() renders a URL for logs and output with its password replaced by ***.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "domain/error.hpp"

namespace iam::cache {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // empty (or "default"): `AUTH <password>` alone
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECT when not 0

  bool tls = false;             // rediss://
  std::string tls_ca_file;      // PEM bundle to verify the server against; empty: system store
  bool tls_verify_peer = true;  // false: accept any certificate (tests, self-signed in dev only)

  std::chrono::milliseconds connect_timeout{250};  // TCP + TLS + AUTH/SELECT/PING, per attempt
  std::chrono::milliseconds command_timeout{50};   // longest a caller waits for a reply, in total
  // A connection with commands pending and no reply for this long is dropped and reconnected
  // (a server that accepts but never answers). 0: 4 x command_timeout, at least 200 ms.
  std::chrono::milliseconds stall_timeout{0};
  std::size_t connections = 2;  // pool size (at least 1)
  std::chrono::milliseconds reconnect_min{50}, reconnect_max{2000};
};

// redis://[user:password@]host[:port][/db], or rediss://… for TLS. User and password are
// percent-decoded; port defaults to 6379 and db to 0. Anything else (other scheme, no host, a bad
// port or db, a query or fragment) fails with kInvalidArgument.
Result<RedisOptions> ParseRedisUrl(std::string_view url);
// More than one '@' after the scheme: an unencoded '@' in the password, which URL parsers split at
// the first or at the last '@'; both Redis URL parsers refuse such a URL.
bool RedisUrlHasAmbiguousUserinfo(std::string_view url);

// The URL with the password (the part of the userinfo after the first ':') replaced by "***".
// Works on malformed input too, so that it is safe to use on whatever the user typed.
std::string MaskRedisUrl(std::string_view url);

// host:port, with brackets around an IPv6 address: for messages.
std::string RedisEndpointName(const RedisOptions& opts);

}  // namespace iam::cache
