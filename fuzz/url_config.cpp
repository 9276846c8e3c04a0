// Fuzz target: the URL and configuration parsers. The first input byte picks the mode:
//   0  cache::ParseRedisUrl on the rest (REDIS_URL as the Redis client reads it);
//   1  the rest is a `.env` file: app::ParseDotEnv, then app::ParseConfig and app::Masked on it
//      (and again with each secret variable changed: the output must not change);
//   2  the masking functions alone (cache::MaskRedisUrl, app::MaskUrlPassword) on the rest.
// Oracles: no crash or sanitizer report; a parsed Redis URL is sane (port 1..65535, host set, db
// >= 0, TLS exactly for rediss); a password typed in a URL (the text between the first ':' after
// "scheme://" and the last '@', as a user would read it) never appears in an error message, in
// Masked() or in a masked URL; the output does not depend on JWT_SECRET, REDIS_PASSWORD or
// METRICS_TOKEN (so it cannot show them).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "cache/redis_options.hpp"
#include "fuzz_checks.hpp"

namespace {

using iam::fuzz::Contains;
using iam::fuzz::Finding;

std::size_t Count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i)
    if (text.substr(i, needle.size()) == needle) ++n;
  return n;
}

// The password a user typed into `url`, when it is recognisable and worth checking, and its pieces
// between URL delimiters (a mask that stops at the first '@' shows the piece after it): each at
// least 5 characters (so it is not part of a "****" mask) and nowhere else in `whole` (so finding
// it in the output means the mask let it through, not that it is also a host name or a value).
std::vector<std::string> TypedPassword(std::string_view url, std::string_view whole) {
  std::vector<std::string> out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  auto at = url.rfind('@');
  auto colon = url.find(':', scheme_end + 3);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return out;
  std::string pw(url.substr(colon + 1, at - colon - 1));
  auto keep = [&](const std::string& s) {
    if (s.size() >= 5 && Count(whole, s) == 1) out.push_back(s);
  };
  keep(pw);
  std::size_t start = 0;
  while (start < pw.size()) {
    auto end = pw.find_first_of("@/?#:", start);
    if (end == std::string::npos) end = pw.size();
    if (start != 0 || end != pw.size()) keep(pw.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void CheckMasked(std::string_view what, std::string_view output, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets)
    if (!s.empty() && Contains(output, s)) Finding(what, std::string(output) + "\n(secret: " + s + ")");
}

void RedisUrl(std::string_view url) {
  auto opts = iam::cache::ParseRedisUrl(url);
  std::vector<std::string> secrets = TypedPassword(url, url);
  if (!opts) {
    if (opts.error().kind != iam::ErrorKind::kInvalidArgument) Finding("bad Redis URL is not kInvalidArgument");
    CheckMasked("Redis URL error message shows the password", opts.error().message, secrets);
    return;
  }
  if (opts->port < 1 || opts->port > 65535 || opts->host.empty() || opts->db < 0)
    Finding("ParseRedisUrl accepted an impossible endpoint", url);
  bool rediss = url.size() > 6 && (url[5] == 's' || url[5] == 'S');
  if (opts->tls != rediss) Finding("ParseRedisUrl: TLS does not follow the scheme", url);
  if (!opts->tls_verify_peer) Finding("ParseRedisUrl turned certificate verification off", url);
  CheckMasked("MaskRedisUrl shows the password", iam::cache::MaskRedisUrl(url), secrets);
  (void)iam::cache::RedisEndpointName(*opts);
}

// The same value with every letter and digit changed (same length, same punctuation), so that the
// configuration stays as valid or invalid as it was.
std::string Changed(const std::string& v) {
  std::string out = v;
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
    else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
  }
  return out;
}

std::string Rendered(const iam::Result<iam::app::Config>& config) {
  if (!config) return "error: " + config.error().message;
  std::string out;
  for (const auto& [name, value] : iam::app::Masked(*config)) out += name + "=" + value + "\n";
  return out;
}

void DotEnv(std::string_view text) {
  auto vars = iam::app::ParseDotEnv(text);
  if (!vars) return;
  auto config = iam::app::ParseConfig(*vars);
  std::string shown = Rendered(config);
  // A secret variable is shown (in Masked() or an error) exactly when changing it changes the output.
  for (const char* name : {"JWT_SECRET", "REDIS_PASSWORD", "METRICS_TOKEN"}) {
    auto it = vars->find(name);
    if (it == vars->end() || it->second.empty() || Changed(it->second) == it->second) continue;
    auto other = *vars;
    other[name] = Changed(it->second);
    if (Rendered(iam::app::ParseConfig(other)) != shown)
      Finding(std::string("the configuration output depends on the value of ") + name, shown);
  }
  // A password typed in a URL, when it can be recognised: not in the output, unless the output
  // without any configuration (the defaults) shows that text too.
  static const std::string defaults = Rendered(iam::app::ParseConfig({}));
  std::vector<std::string> secrets;
  for (const char* name : {"DATABASE_URL", "REDIS_URL", "ALERT_WEBHOOK_URL"}) {
    auto it = vars->find(name);
    if (it == vars->end()) continue;
    for (auto& pw : TypedPassword(it->second, text))
      if (!Contains(defaults, pw)) secrets.push_back(pw);
  }
  if (!config) {
    CheckMasked("configuration error message shows a URL's password", config.error().message, secrets);
    return;
  }
  for (const auto& [name, value] : iam::app::Masked(*config)) CheckMasked("Masked() shows a URL's password", value, secrets);
  auto generated = *config;
  iam::app::FillGeneratedSecrets(generated);
  if (generated.jwt_secret_generated) {
    for (const auto& [name, value] : iam::app::Masked(generated))
      CheckMasked("Masked() shows the generated JWT secret", value, {generated.jwt_secret});
  }
}

void Masks(std::string_view url) {
  std::vector<std::string> secrets = TypedPassword(url, url);
  CheckMasked("MaskRedisUrl shows the password", iam::cache::MaskRedisUrl(url), secrets);
  CheckMasked("MaskUrlPassword shows the password", iam::app::MaskUrlPassword(url), secrets);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 1 << 14) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: RedisUrl(rest); break;
    case 1: DotEnv(rest); break;
    case 2: Masks(rest); break;
  }
  return 0;
}
