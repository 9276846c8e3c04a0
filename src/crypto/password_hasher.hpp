// Password hashing: new hashes are argon2id (libsodium crypto_pwhash_str, interactive limits);
// verification also accepts the legacy bcrypt hashes ($2a$/$2b$/$2y$) of existing databases.
// Stateless free functions, safe from any thread; hashing is slow by design (~0.1 s, 64 MiB), so
// call it on the blocking pool. A malformed or unknown hash never throws: it just does not verify.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace iam::crypto {

// Returns a "$argon2id$v=19$m=…,t=…,p=…$salt$hash" string (random salt). Throws std::runtime_error
// only when libsodium cannot initialise or allocate its working memory (not an input error).
std::string HashPassword(std::string_view password);

// True when `password` matches `stored_hash` (argon2id or bcrypt); false for a wrong password and
// for an empty, truncated or unknown-scheme hash. Comparison is constant-time.
bool VerifyPassword(std::string_view password, std::string_view stored_hash);

// True when a verified hash should be replaced by HashPassword(): bcrypt hashes, and argon2
// hashes made with other limits than the current ones. False for unknown or malformed hashes.
bool NeedsRehash(std::string_view stored_hash);

// TEST-ONLY: the argon2id limits of new hashes and of NeedsRehash (default: libsodium's
// interactive limits). The HTTP fuzz target lowers them to libsodium's minimum so a login costs
// microseconds instead of ~0.1 s; the service never calls it. Verification always uses the limits
// stored in the hash.
void SetArgon2LimitsForTesting(unsigned long long opslimit, std::size_t memlimit);

}  // namespace iam::crypto
