// Fuzz target: the URL and configuration parsers. The first input byte picks the mode:
//   0  cache::ParseRedisUrl on the rest (REDIS_URL as the Redis client reads it);
//   1  the rest is a `.env` file: app::ParseDotEnv, then app::ParseConfig and app::Masked on it
//      (and again with each secret variable changed: the output must not change);
//   2  the masking functions alone (cache::MaskRedisUrl, app::MaskUrlPassword) on the rest.
// Oracles: no crash or sanitizer report; a parsed Redis URL is sane (port 1..65535, host set, db
// >= 0, TLS exactly for rediss); a password typed in a URL (the text between the first ':' after
// "scheme://" and the last '@', as a user would read it, and its pieces) never appears in an error
// message, in Masked() or in a masked URL; the output does not depend on JWT_SECRET,
// REDIS_PASSWORD or METRICS_TOKEN (so it cannot show them). Both are checked differentially: the
// same input with the secret changed must not show the original text.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/config.hpp"
#include "cache/redis_options.hpp"
#include "fuzz_checks.hpp"

namespace {

using iam::fuzz::Contains;
using iam::fuzz::Finding;

// The same value with every letter and digit changed (same length, same punctuation), so that
// what was valid stays valid.
std::string Changed(std::string_view v) {
  std::string out(v);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
    else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
  }
  return out;
}

// Where a user would read the password in `url`: between the first ':' after "scheme://" and the
// last '@'. {npos, 0} when there is none.
std::pair<std::size_t, std::size_t> PasswordSpan(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {std::string_view::npos, 0};
  auto at = url.rfind('@');
  auto colon = url.find(':', scheme_end + 3);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return {std::string_view::npos, 0};
  return {colon + 1, at - colon - 1};
}

// The typed password and its pieces between URL delimiters (a mask that stops at the first '@'
// shows the piece after it), at least 5 characters and changed by Changed().
std::vector<std::string> TypedPassword(std::string_view url) {
  std::vector<std::string> out;
  auto [pos, len] = PasswordSpan(url);
  if (pos == std::string_view::npos) return out;
  std::string pw(url.substr(pos, len));
  auto keep = [&](const std::string& piece) {
    if (piece.size() >= 5 && Changed(piece) != piece) out.push_back(piece);
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

// `url` with its typed password changed by Changed().
std::string WithPasswordChanged(std::string_view url) {
  std::string out(url);
  auto [pos, len] = PasswordSpan(url);
  if (pos != std::string_view::npos) out.replace(pos, len, Changed(url.substr(pos, len)));
  return out;
}

// Differential: a piece of the password is shown when the output holds it, and the output for the
// same input with the password changed does not (text that is also part of a fixed message, a
// host name or a default value is in both).
void CheckShown(std::string_view what, std::string_view output, std::string_view output_if_changed,
                const std::vector<std::string>& pieces) {
  for (const auto& piece : pieces) {
    if (Contains(output, piece) && !Contains(output_if_changed, piece))
      Finding(what, std::string(output) + "\n(password piece: " + piece + ")");
  }
}

// What a Redis URL gives: its error message, or the masked URL.
std::string RedisUrlOutput(std::string_view url) {
  auto opts = iam::cache::ParseRedisUrl(url);
  return opts ? iam::cache::MaskRedisUrl(url) : "error: " + opts.error().message;
}

void RedisUrl(std::string_view url) {
  auto opts = iam::cache::ParseRedisUrl(url);
  CheckShown("a Redis URL's password is shown", RedisUrlOutput(url), RedisUrlOutput(WithPasswordChanged(url)),
             TypedPassword(url));
  if (!opts) {
    if (opts.error().kind != iam::ErrorKind::kInvalidArgument) Finding("bad Redis URL is not kInvalidArgument");
    return;
  }
  if (opts->port < 1 || opts->port > 65535 || opts->host.empty() || opts->db < 0)
    Finding("ParseRedisUrl accepted an impossible endpoint", url);
  bool rediss = url.size() > 6 && (url[5] == 's' || url[5] == 'S');
  if (opts->tls != rediss) Finding("ParseRedisUrl: TLS does not follow the scheme", url);
  if (!opts->tls_verify_peer) Finding("ParseRedisUrl turned certificate verification off", url);
  (void)iam::cache::RedisEndpointName(*opts);
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
  // A password typed in a URL variable.
  for (const char* name : {"DATABASE_URL", "REDIS_URL", "ALERT_WEBHOOK_URL"}) {
    auto it = vars->find(name);
    if (it == vars->end()) continue;
    auto other = *vars;
    other[name] = WithPasswordChanged(it->second);
    CheckShown(std::string("the configuration output shows the password of ") + name, shown,
               Rendered(iam::app::ParseConfig(other)), TypedPassword(it->second));
  }
  if (!config) return;
  auto generated = *config;
  iam::app::FillGeneratedSecrets(generated);
  if (generated.jwt_secret_generated) {
    for (const auto& [name, value] : iam::app::Masked(generated))
      if (Contains(value, generated.jwt_secret)) Finding("Masked() shows the generated JWT secret", value);
  }
}

void Masks(std::string_view url) {
  auto pieces = TypedPassword(url);
  std::string changed = WithPasswordChanged(url);
  CheckShown("MaskRedisUrl shows the password", iam::cache::MaskRedisUrl(url), iam::cache::MaskRedisUrl(changed),
             pieces);
  CheckShown("MaskUrlPassword shows the password", iam::app::MaskUrlPassword(url), iam::app::MaskUrlPassword(changed),
             pieces);
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
