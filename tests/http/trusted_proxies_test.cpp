#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace iam::http {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies MustParse(std::string_view list) {
  auto p = TrustedProxies::Parse(list);
  EXPECT_TRUE(p.has_value()) << list << ": " << p.error().message;
  return p ? std::move(*p) : TrustedProxies{};
}

TEST(TrustedProxiesTest, ParsesIpsAndCidrsOfBothFamilies) {
  struct Case {
    const char* list;
    const char* canonical;
  } kCases[] = {
      {"", ""},
      {" , ", ""},
      {"127.0.0.1", "127.0.0.1/32"},
      {"10.0.0.0/8, 192.168.1.0/24", "10.0.0.0/8,192.168.1.0/24"},
      {"::1", "::1/128"},
      {"fd00::/8,127.0.0.1", "fd00::/8,127.0.0.1/32"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"::ffff:10.0.0.1", "10.0.0.1/32"},  // IPv4-mapped: the IPv4 address
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.list);
    EXPECT_EQ(MustParse(k.list).ToString(), k.canonical);
  }
}

TEST(TrustedProxiesTest, RefusesBadEntriesWithOneLineNamingTheVariableAndTheEntry) {
  for (const char* bad : {"nginx", "10.0.0.1/33", "::1/129", "10.0.0.1/", "10.0.0.1/x", "10.0.0.1/8", "fd00::1/8",
                          "10.0.0", "1.2.3.4:80", "fe80::1%eth0", "10.0.0.0/8,bogus"}) {
    SCOPED_TRACE(bad);
    auto p = TrustedProxies::Parse(bad);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(p.error().message.find("TRUSTED_PROXIES"), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find('\n'), std::string::npos);
  }
  // Host bits below the prefix: the message suggests the network.
  auto p = TrustedProxies::Parse("10.0.0.1/8");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message.find("10.0.0.0/8"), std::string::npos) << p.error().message;
}

TEST(TrustedProxiesTest, ContainsMatchesPrefixesAndFamilies) {
  auto p = MustParse("10.1.0.0/16,127.0.0.1,2001:db8::/32");
  struct Case {
    const char* address;
    bool trusted;
  } kCases[] = {
      {"10.1.0.0", true},       {"10.1.255.255", true}, {"10.2.0.1", false},       {"127.0.0.1", true},
      {"127.0.0.2", false},     {"2001:db8::1", true},  {"2001:db9::1", false},    {"::1", false},
      {"::ffff:10.1.2.3", true},  // a dual-stack socket's view of an IPv4 peer
      {"::ffff:127.0.0.2", false},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.address);
    EXPECT_EQ(p.Contains(ip::make_address(k.address)), k.trusted);
  }
  EXPECT_FALSE(TrustedProxies{}.Contains(ip::make_address("127.0.0.1")));
}

TEST(TrustedProxiesTest, ParsesTheAddressFormsProxiesWrite) {
  struct Case {
    const char* entry;
    const char* address;  // nullptr: malformed
  } kCases[] = {
      {"203.0.113.7", "203.0.113.7"},
      {" 203.0.113.7 ", "203.0.113.7"},
      {"203.0.113.7:4711", "203.0.113.7"},
      {"2001:db8::7", "2001:db8::7"},
      {"[2001:db8::7]", "2001:db8::7"},
      {"[2001:db8::7]:443", "2001:db8::7"},
      {"::ffff:203.0.113.7", "203.0.113.7"},
      {"", nullptr},
      {"unknown", nullptr},
      {"_hidden", nullptr},
      {"203.0.113", nullptr},
      {"203.0.113.7:", nullptr},
      {"203.0.113.7:http", nullptr},
      {"[203.0.113.7]", nullptr},
      {"[2001:db8::7", nullptr},
      {"[2001:db8::7]x", nullptr},
      {"fe80::1%eth0", nullptr},
      {"203.0.113.7 198.51.100.1", nullptr},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.entry);
    auto a = ParseForwardedAddress(k.entry);
    if (k.address == nullptr) {
      EXPECT_FALSE(a.has_value()) << a->to_string();
    } else {
      ASSERT_TRUE(a.has_value());
      EXPECT_EQ(a->to_string(), k.address);
    }
  }
}

TEST(TrustedProxiesTest, ClientAddressWalksFromTheRightPastTrustedProxies) {
  auto p = MustParse("127.0.0.1,10.0.0.0/8,::1");
  struct Case {
    const char* peer;
    const char* forwarded_for;
    const char* client;
    const char* why;
  } kCases[] = {
      {"203.0.113.9", "198.51.100.1", "203.0.113.9", "untrusted peer: the header is ignored (spoofing)"},
      {"10.0.0.5", "", "10.0.0.5", "trusted peer, no header: the peer"},
      {"127.0.0.1", "198.51.100.1", "198.51.100.1", "one proxy"},
      {"127.0.0.1", "  198.51.100.1  ", "198.51.100.1", "spaces around an entry"},
      {"127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1", "a client-supplied entry left of the real one is ignored"},
      {"127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1", "two proxies: skip the trusted hop"},
      {"127.0.0.1", "10.0.0.8, 10.0.0.7", "127.0.0.1", "every entry trusted: the peer"},
      {"127.0.0.1", "198.51.100.1, garbage, 10.0.0.7", "127.0.0.1", "malformed entry: stop, the peer"},
      {"127.0.0.1", "198.51.100.1, unknown", "127.0.0.1", "nginx-style 'unknown': the peer"},
      {"127.0.0.1", "198.51.100.1,", "127.0.0.1", "empty right-most entry is malformed"},
      {"127.0.0.1", "198.51.100.1:5555", "198.51.100.1", "port stripped"},
      {"127.0.0.1", "[2001:db8::5]:443", "2001:db8::5", "bracketed IPv6 with port"},
      {"::1", "2001:db8::5", "2001:db8::5", "IPv6 proxy"},
      {"::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1", "IPv4-mapped peer of a dual-stack socket"},
      {"::ffff:203.0.113.9", "198.51.100.1", "203.0.113.9", "IPv4-mapped untrusted peer, shown as IPv4"},
      {"127.0.0.1", "::ffff:10.0.0.9, 10.0.0.7", "127.0.0.1", "a mapped trusted entry is still trusted"},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(std::string(k.why) + ": peer " + k.peer + ", X-Forwarded-For '" + k.forwarded_for + "'");
    EXPECT_EQ(p.ClientAddress(ip::make_address(k.peer), k.forwarded_for), k.client);
  }
  // Nobody trusted (the default): always the peer.
  EXPECT_EQ(TrustedProxies{}.ClientAddress(ip::make_address("127.0.0.1"), "198.51.100.1"), "127.0.0.1");
}

}  // namespace
}  // namespace iam::http
