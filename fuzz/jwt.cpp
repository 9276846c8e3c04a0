// Fuzz target: JWT parsing and verification (crypto::VerifyJwt), in three modes chosen by the
// first input byte:
//   0  the rest is a compact token, verified as it is (the seeds hold tokens signed with kSecret);
//   1  the rest is "<header JSON>\n<payload JSON>", which this harness encodes and signs with the
//      right secret, so the claim parsing behind a valid signature is reached;
//   2  as 1, then the signature is replaced by the last bytes of the input.
// Oracles: no crash or sanitizer report; failures are 401 TOKEN_INVALID / TOKEN_EXPIRED and never
// echo the token or the secret; a token is accepted only with a valid HS256 signature, a header
// that says HS256, an `exp` after now and the configured iss/aud; accepted claims survive
// SignJwt -> VerifyJwt unchanged.
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <cstdint>
#include <openssl/hmac.h>
#include <string>
#include <string_view>

#include "crypto/jwt.hpp"
#include "fuzz_checks.hpp"

namespace {

using iam::crypto::JwtClaims;
using iam::crypto::JwtSettings;
using iam::fuzz::Contains;
using iam::fuzz::Finding;

constexpr std::string_view kSecret = "fuzz-jwt-secret-0123456789abcdef-0123456789";
constexpr std::int64_t kNow = 1'700'000'000;

std::string B64Url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string Sign(std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &len);
  return B64Url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

JwtSettings SettingsFor(std::uint8_t selector) {
  JwtSettings s;
  s.secret = std::string(kSecret);
  if (selector & 0x10) s.issuer = "iam-fuzz";
  if (selector & 0x20) s.audience = "iam-fuzz-clients";
  return s;
}

// SignJwt writes iss/aud from the settings, not from the claims: they are compared only when set.
bool SameClaims(const JwtClaims& a, const JwtClaims& b, const JwtSettings& settings) {
  return a.sub == b.sub && a.email == b.email && a.rol == b.rol && a.empresa_id == b.empresa_id && a.jti == b.jti &&
         a.iat == b.iat && a.exp == b.exp && a.issued_ms == b.issued_ms &&
         (settings.issuer.empty() || a.iss == b.iss) && (settings.audience.empty() || a.aud == b.aud);
}

void CheckOutcome(std::string_view token, const JwtSettings& settings, std::string_view header_json,
                  bool signature_is_ours) {
  auto verified = iam::crypto::VerifyJwt(token, settings, kNow);
  if (!verified) {
    const auto& e = verified.error();
    if (e.kind != iam::ErrorKind::kUnauthenticated || (e.code != "TOKEN_INVALID" && e.code != "TOKEN_EXPIRED"))
      Finding("JWT failure is not 401 TOKEN_INVALID/TOKEN_EXPIRED", e.code + ": " + e.message);
    if (Contains(e.message, kSecret)) Finding("JWT error message carries the secret", e.message);
    if (token.size() >= 8 && Contains(e.message, token)) Finding("JWT error message echoes the token", e.message);
    return;
  }
  const JwtClaims& c = *verified;
  if (!signature_is_ours) Finding("JWT accepted with a signature this harness did not make", token);
  // Independent of the implementation's JSON handling: a header without the text HS256 cannot
  // say alg HS256 (escapes like \u0048 aside, which the seeds and dictionary do not favour).
  if (!header_json.empty() && !Contains(header_json, "HS256") && !Contains(header_json, "\\u"))
    Finding("JWT accepted whose header does not name HS256", header_json);
  if (c.exp <= kNow) Finding("expired JWT accepted", token);
  if (c.sub.empty()) Finding("JWT accepted without sub", token);
  if (!settings.issuer.empty() && c.iss != settings.issuer) Finding("JWT accepted with another issuer", token);
  if (!settings.audience.empty() && c.aud != settings.audience) Finding("JWT accepted with another audience", token);
  // Round trip: what was accepted, signed again by us, reads back the same.
  JwtClaims again = c;
  auto round = iam::crypto::VerifyJwt(iam::crypto::SignJwt(again, settings), settings, kNow);
  if (!round || !SameClaims(*round, c, settings)) Finding("JWT claims do not survive SignJwt -> VerifyJwt", token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::uint8_t selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  JwtSettings settings = SettingsFor(selector);
  switch (selector % 3) {
    case 0: {
      // A seed token made by this harness carries our signature; anything else must fail. The
      // harness cannot tell which, so it recomputes: a token whose third part is the HMAC of the
      // first two under kSecret is "ours".
      auto d2 = rest.rfind('.');
      bool ours = d2 != std::string_view::npos && rest.substr(d2 + 1) == Sign(rest.substr(0, d2));
      std::string header_json;
      if (auto d1 = rest.find('.'); d1 != std::string_view::npos) {
        std::string decoded(d1, '\0');
        std::size_t len = 0;
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(), rest.data(), d1,
                              nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0) {
          decoded.resize(len);
          header_json = decoded;
        }
      }
      CheckOutcome(rest, settings, header_json, ours);
      break;
    }
    case 1:
    case 2: {
      auto nl = rest.find('\n');
      std::string_view header = nl == std::string_view::npos ? std::string_view(R"({"alg":"HS256","typ":"JWT"})")
                                                             : rest.substr(0, nl);
      std::string_view payload = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
      std::string signing_input = B64Url(header) + "." + B64Url(payload);
      std::string good = Sign(signing_input);
      if (selector % 3 == 1) {
        CheckOutcome(signing_input + "." + good, settings, header, true);
      } else {
        std::string_view tail = payload.substr(payload.size() > 43 ? payload.size() - 43 : 0);
        std::string forged = B64Url(tail);
        CheckOutcome(signing_input + "." + forged, settings, header, forged == good);
      }
      break;
    }
  }
  return 0;
}
