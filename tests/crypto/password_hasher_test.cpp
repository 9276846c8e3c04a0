#include "crypto/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace iam::crypto {
namespace {

// Made with Python's crypt module (libxcrypt underneath), cost 10:
//   python3 -c "import crypt; print(crypt.crypt('secret123', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))"
constexpr const char* kBcryptPassword = "secret123";
constexpr const char* kBcrypt2b = "$2b$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS";
// The same hash under the older prefixes written by node bcrypt ($2a$) and PHP ($2y$).
constexpr const char* kBcrypt2a = "$2a$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS";
constexpr const char* kBcrypt2y = "$2y$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS";

TEST(PasswordHasherTest, RoundTrip) {
  std::string hash = HashPassword("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", hash));
  EXPECT_FALSE(NeedsRehash(hash));
}

TEST(PasswordHasherTest, SaltsDiffer) { EXPECT_NE(HashPassword("same"), HashPassword("same")); }

TEST(PasswordHasherTest, WrongPasswordFails) {
  std::string hash = HashPassword("correct horse battery");
  EXPECT_FALSE(VerifyPassword("correct horse batterY", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
}

TEST(PasswordHasherTest, EmptyPasswordHashes) {
  std::string hash = HashPassword("");
  EXPECT_TRUE(VerifyPassword("", hash));
  EXPECT_FALSE(VerifyPassword("x", hash));
}

TEST(PasswordHasherTest, EmbeddedNulIsPartOfTheArgonPassword) {
  std::string with_nul("ab\0cd", 5);
  std::string hash = HashPassword(with_nul);
  EXPECT_TRUE(VerifyPassword(with_nul, hash));
  EXPECT_FALSE(VerifyPassword("ab", hash));
}

TEST(PasswordHasherTest, LegacyBcryptVerifies) {
  EXPECT_TRUE(VerifyPassword(kBcryptPassword, kBcrypt2b));
  EXPECT_TRUE(VerifyPassword(kBcryptPassword, kBcrypt2a));
  EXPECT_TRUE(VerifyPassword(kBcryptPassword, kBcrypt2y));
  EXPECT_FALSE(VerifyPassword("secret124", kBcrypt2b));
  EXPECT_FALSE(VerifyPassword("", kBcrypt2a));
}

TEST(PasswordHasherTest, BcryptRefusesPasswordWithNul) {
  EXPECT_FALSE(VerifyPassword(std::string("secret123\0x", 11), kBcrypt2b));
}

TEST(PasswordHasherTest, BcryptNeedsRehash) {
  EXPECT_TRUE(NeedsRehash(kBcrypt2b));
  EXPECT_TRUE(NeedsRehash(kBcrypt2a));
}

TEST(PasswordHasherTest, GarbageHashesNeverVerify) {
  std::string good = HashPassword("pw");
  std::string bcrypt_bad_digest = kBcrypt2b;
  bcrypt_bad_digest.back() = bcrypt_bad_digest.back() == 'S' ? 'T' : 'S';
  const std::string kCases[] = {
      "",
      "null",
      "*",
      "*0",
      "$",
      "$2b$",
      "$2b$10$",
      std::string(kBcrypt2b).substr(0, 59),  // truncated
      std::string(kBcrypt2b) + "x",          // too long
      "$2x$10$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS",
      "$2b$99$IsdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS",
      "$2b$10$!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      bcrypt_bad_digest,
      "$argon2id$",
      "$argon2id$v=19$m=65536,t=2,p=1$garbage",
      good.substr(0, good.size() - 4),
      good + std::string(200, 'A'),
      "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A",
      "$1$salt$abcdefghijklmnopqrstuv",                              // md5-crypt
      "$6$salt$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",  // sha512-crypt
      "secret123",                                                   // plaintext "hash"
      std::string("$2b$10$\0sdHeLSScyHVREa.fCs.tuRiVleAWCtQc09hHJGnCUX9CUtY8m/JS", 60),
  };
  for (const std::string& hash : kCases) {
    SCOPED_TRACE(hash);
    EXPECT_FALSE(VerifyPassword("pw", hash));
    EXPECT_FALSE(VerifyPassword("secret123", hash));
    EXPECT_FALSE(VerifyPassword("", hash));
  }
  EXPECT_FALSE(NeedsRehash(""));
  EXPECT_FALSE(NeedsRehash("garbage"));
}

TEST(PasswordHasherTest, OtherArgonLimitsNeedRehash) {
  char weak[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str(weak, "pw", 2, crypto_pwhash_OPSLIMIT_INTERACTIVE, 8u << 20), 0);
  EXPECT_TRUE(VerifyPassword("pw", weak));
  EXPECT_TRUE(NeedsRehash(weak));
}

TEST(PasswordHasherTest, TestingLimitsApplyToNewHashesOnlyUntilReset) {
  std::string normal = HashPassword("pw");
  SetArgon2LimitsForTesting(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
  std::string cheap = HashPassword("pw");
  EXPECT_NE(cheap.find("t=1"), std::string::npos) << cheap;
  EXPECT_TRUE(VerifyPassword("pw", cheap));
  EXPECT_TRUE(VerifyPassword("pw", normal));  // verification reads the limits from the hash
  EXPECT_TRUE(NeedsRehash(normal));
  SetArgon2LimitsForTesting(crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_FALSE(NeedsRehash(normal));
  EXPECT_TRUE(NeedsRehash(cheap));
}

}  // namespace
}  // namespace iam::crypto
