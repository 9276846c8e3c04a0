#include "crypto/password_hasher.hpp"

#include <crypt.h>
#include <sodium.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace iam::crypto {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
std::atomic<unsigned long long> g_opslimit{crypto_pwhash_OPSLIMIT_INTERACTIVE};
std::atomic<std::size_t> g_memlimit{crypto_pwhash_MEMLIMIT_INTERACTIVE};
// A bcrypt hash is "$2b$" + 2-digit cost + "$" + 53 characters of salt and digest.
constexpr std::size_t kBcryptLength = 60;

// sodium_init() is thread-safe and idempotent; the static makes later calls free.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool IsBcrypt(std::string_view hash) {
  return hash.size() == kBcryptLength &&
         (hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"));
}

bool IsArgon2id(std::string_view hash) {
  return hash.starts_with(kArgon2idPrefix) && hash.size() < crypto_pwhash_STRBYTES;
}

bool VerifyArgon2id(std::string_view password, std::string_view stored_hash) {
  if (!SodiumReady()) return false;
  std::string hash(stored_hash);  // libsodium reads a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// crypt_r() takes C strings, so a password with an embedded NUL would be truncated and a prefix
// would match: refuse it instead. The large crypt_data lives on the heap, zeroed per call, so
// concurrent callers never share state and coroutine stacks stay small.
bool VerifyBcrypt(std::string_view password, std::string_view stored_hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  std::string pw(password);
  std::string hash(stored_hash);
  auto data = std::make_unique<crypt_data>();  // value-initialised: all zero
  const char* out = crypt_r(pw.c_str(), hash.c_str(), data.get());
  bool ok = out != nullptr && std::strlen(out) == hash.size() && SodiumReady() &&
            sodium_memcmp(out, hash.data(), hash.size()) == 0;
  sodium_memzero(data.get(), sizeof(crypt_data));
  sodium_memzero(pw.data(), pw.size());
  return ok;
}

}  // namespace

std::string HashPassword(std::string_view password) {
  if (!SodiumReady()) throw std::runtime_error("libsodium initialisation failed");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), g_opslimit.load(), g_memlimit.load()) != 0) {
    throw std::runtime_error("argon2id hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, std::string_view stored_hash) {
  if (IsArgon2id(stored_hash)) return VerifyArgon2id(password, stored_hash);
  if (IsBcrypt(stored_hash)) return VerifyBcrypt(password, stored_hash);
  return false;
}

bool NeedsRehash(std::string_view stored_hash) {
  if (IsBcrypt(stored_hash)) return true;
  if (!IsArgon2id(stored_hash) || !SodiumReady()) return false;
  std::string hash(stored_hash);
  // 1 = other limits than ours, 0 = current, -1 = malformed (cannot verify, nothing to upgrade).
  return crypto_pwhash_str_needs_rehash(hash.c_str(), g_opslimit.load(), g_memlimit.load()) == 1;
}

void SetArgon2LimitsForTesting(unsigned long long opslimit, std::size_t memlimit) {
  g_opslimit = opslimit;
  g_memlimit = memlimit;
}

}  // namespace iam::crypto
