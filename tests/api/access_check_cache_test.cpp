#include "api/access_check_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace iam::api {
namespace {

using namespace std::chrono_literals;

Principal Who() {
  Principal p;
  p.user_id = 7;
  p.rol = "ADMIN";
  p.empresa_id = 3;
  p.email = "a@x.test";
  p.jti = "j-1";
  p.expires_s = 2000;
  p.issued_ms = 1000000;
  return p;
}

TEST(AccessCheckCacheTest, RemembersTheExactTokenUntilItsExpiryOrABump) {
  AccessCheckCache c(60s);
  c.Put("tok.en.sig", Who(), c.epoch());
  auto got = c.Get("tok.en.sig", 1000);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->user_id, 7);
  EXPECT_EQ(got->rol, "ADMIN");
  EXPECT_EQ(got->empresa_id, std::optional<domain::Id>(3));
  EXPECT_EQ(got->email, "a@x.test");
  EXPECT_EQ(got->jti, "j-1");
  EXPECT_EQ(got->expires_s, 2000);
  EXPECT_EQ(got->issued_ms, 1000000);
  EXPECT_FALSE(c.Get("tok.en.sig2", 1000)) << "another token (e.g. an altered signature) never matches";
  EXPECT_FALSE(c.Get("tok.en.sig", 2000)) << "not at or past the token's exp";
  c.BumpAll();
  EXPECT_FALSE(c.Get("tok.en.sig", 1000)) << "a write to users/sessions voids it";
}

TEST(AccessCheckCacheTest, AnAuthenticationStartedBeforeABumpIsNeverFound) {
  AccessCheckCache c(60s);
  const auto before = c.epoch();
  c.BumpAll();  // e.g. a logout commits while the check was running
  c.Put("t", Who(), before);
  EXPECT_FALSE(c.Get("t", 1000));
}

TEST(AccessCheckCacheTest, MaxAgeAndDisabled) {
  AccessCheckCache short_lived(50ms);
  short_lived.Put("t", Who(), short_lived.epoch());
  EXPECT_TRUE(short_lived.Get("t", 1000));
  std::this_thread::sleep_for(80ms);
  EXPECT_FALSE(short_lived.Get("t", 1000));
  AccessCheckCache off(0ms);
  off.Put("t", Who(), off.epoch());
  EXPECT_FALSE(off.Get("t", 1000));
  Principal no_tenant = Who();
  no_tenant.empresa_id.reset();
  AccessCheckCache c(60s);
  c.Put("u", no_tenant, c.epoch());
  ASSERT_TRUE(c.Get("u", 1000));
  EXPECT_FALSE(c.Get("u", 1000)->empresa_id.has_value());
}

}  // namespace
}  // namespace iam::api
