#include "cache/redis_options.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace iam::cache {
namespace {

Error BadUrl(std::string_view url, std::string_view why) {
  return Error::InvalidArgument("invalid Redis URL '" + MaskRedisUrl(url) + "': " + std::string(why) +
                                    " (expected redis://[user:password@]host:port[/db] or rediss://…)",
                                "INVALID_REDIS_URL");
}

bool ParseInt(std::string_view s, int lo, int hi, int& out) {
  if (s.empty() || s.size() > 10) return false;
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = static_cast<int>(v);
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

bool RedisUrlHasAmbiguousUserinfo(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos) return false;
  auto rest = url.substr(start + 3);
  return rest.find('@') != rest.rfind('@');
}

Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  // Refused, so that no piece of a password is ever taken for the host.
  if (RedisUrlHasAmbiguousUserinfo(url))
    return Fail(BadUrl(url, "more than one '@': percent-encode '@' in the password as %40"));
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Fail(BadUrl(url, "not a URL"));
  const boost::urls::url_view& u = *parsed;
  std::string scheme = Lower(u.scheme());
  if (scheme != "redis" && scheme != "rediss") return Fail(BadUrl(url, "scheme must be redis or rediss"));
  if (!u.has_authority() || u.host_address().empty()) return Fail(BadUrl(url, "no host"));
  if (u.has_query() || u.has_fragment()) return Fail(BadUrl(url, "query and fragment are not supported"));

  RedisOptions o;
  o.tls = scheme == "rediss";
  o.host = u.host_address();
  if (u.has_port() && !ParseInt(u.port(), 1, 65535, o.port)) return Fail(BadUrl(url, "bad port"));
  if (u.has_userinfo()) {
    o.username = u.user();
    if (u.has_password()) o.password = u.password();
  }
  std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") {
    if (!ParseInt(path.substr(1), 0, 1'000'000, o.db)) return Fail(BadUrl(url, "db must be a number"));
  }
  return o;
}

std::string MaskRedisUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::size_t start = scheme_end + 3;
  // The userinfo ends at the last '@' (an unencoded '@' in a password would otherwise leak).
  auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  auto colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string RedisEndpointName(const RedisOptions& opts) {
  bool v6 = opts.host.find(':') != std::string::npos;
  return (v6 ? "[" + opts.host + "]" : opts.host) + ":" + std::to_string(opts.port);
}

}  // namespace iam::cache
