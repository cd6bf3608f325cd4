#include "redact/detectors.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

namespace callpath::redact {
namespace {

// The matched substrings of `kind` in `text`.
std::vector<std::string> Found(Kind kind, std::string_view text) {
  std::vector<Match> m;
  Detect(kind, text, &m);
  std::vector<std::string> out;
  for (const Match& x : m) out.emplace_back(text.substr(x.begin, x.end - x.begin));
  return out;
}

using V = std::vector<std::string>;

TEST(Detectors, CardsPassingLuhnAreFoundAndOthersStay) {
  EXPECT_EQ(Found(Kind::kCard, "paid with 4111 1111 1111 1111 today"), V{"4111 1111 1111 1111"});
  EXPECT_EQ(Found(Kind::kCard, "card=4111-1111-1111-1111;"), V{"4111-1111-1111-1111"});
  EXPECT_EQ(Found(Kind::kCard, "5500005555555559"), V{"5500005555555559"});
  EXPECT_EQ(Found(Kind::kCard, "amex 378282246310005."), V{"378282246310005"});
  // Fails Luhn: an order number, not a card.
  EXPECT_TRUE(Found(Kind::kCard, "order 4111 1111 1111 1112").empty());
  // Too short, or part of a longer digit run or identifier.
  EXPECT_TRUE(Found(Kind::kCard, "id 411111111111").empty());
  EXPECT_TRUE(Found(Kind::kCard, "41111111111111111111111").empty());
  EXPECT_TRUE(Found(Kind::kCard, "x4111111111111111").empty());
  EXPECT_TRUE(Found(Kind::kCard, "ts 1700000000000000000").empty());
}

TEST(Detectors, LuhnAndIbanChecks) {
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(IbanValid("GB82WEST12345698765432"));
  EXPECT_TRUE(IbanValid("DE89370400440532013000"));
  EXPECT_FALSE(IbanValid("GB82WEST12345698765433"));
}

TEST(Detectors, Emails) {
  EXPECT_EQ(Found(Kind::kEmail, "user jane.doe+x@mail.example.com wrote"), V{"jane.doe+x@mail.example.com"});
  EXPECT_EQ(Found(Kind::kEmail, "<a@b.io>."), V{"a@b.io"});
  EXPECT_TRUE(Found(Kind::kEmail, "git@host, @mention, a@b, x@1.2.3.4").empty());
}

TEST(Detectors, Phones) {
  EXPECT_EQ(Found(Kind::kPhone, "call +44 20 7946 0958 now"), V{"+44 20 7946 0958"});
  EXPECT_EQ(Found(Kind::kPhone, "(555) 123-4567"), V{"(555) 123-4567"});
  EXPECT_EQ(Found(Kind::kPhone, "tel 030-12345678"), V{"030-12345678"});
  // Bare digit runs are ids; dotted versions and short numbers are not phones.
  EXPECT_TRUE(Found(Kind::kPhone, "user 5551234567").empty());
  EXPECT_TRUE(Found(Kind::kPhone, "v1.2.3.4 on 2024-01-15, port 8080").empty());
}

TEST(Detectors, Ibans) {
  EXPECT_EQ(Found(Kind::kIban, "pay to GB82 WEST 1234 5698 7654 32 please"), V{"GB82 WEST 1234 5698 7654 32"});
  EXPECT_EQ(Found(Kind::kIban, "DE89370400440532013000"), V{"DE89370400440532013000"});
  EXPECT_TRUE(Found(Kind::kIban, "GB82WEST12345698765433").empty());  // bad check digits
  EXPECT_TRUE(Found(Kind::kIban, "ABCD12345678901234").empty());
}

TEST(Detectors, IpAddresses) {
  EXPECT_EQ(Found(Kind::kIpv4, "from 192.168.1.20:443 and 10.0.0.1"), (V{"192.168.1.20", "10.0.0.1"}));
  EXPECT_TRUE(Found(Kind::kIpv4, "version 1.2.3.4.5, 256.1.1.1, 1.2.3").empty());
  EXPECT_EQ(Found(Kind::kIpv6, "peer 2001:db8::8a2e:370:7334 ok"), V{"2001:db8::8a2e:370:7334"});
  EXPECT_EQ(Found(Kind::kIpv6, "[::1]:80"), V{"::1"});
  EXPECT_TRUE(Found(Kind::kIpv6, "time 12:30:45, key a:b").empty());
}

TEST(Detectors, JwtsAndBearerTokens) {
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl";
  EXPECT_EQ(Found(Kind::kJwt, "token " + jwt + " end"), V{jwt});
  EXPECT_TRUE(Found(Kind::kJwt, "eyJ.short and file.tar.gz").empty());
  EXPECT_EQ(Found(Kind::kBearer, "Authorization: Bearer abcdef123456"), V{"abcdef123456"});
  EXPECT_EQ(Found(Kind::kBearer, "basic dXNlcjpwYXNz"), V{"dXNlcjpwYXNz"});
  EXPECT_TRUE(Found(Kind::kBearer, "the bearer of bad news").empty());
}

TEST(Detectors, CredentialsInUrls) {
  EXPECT_EQ(Found(Kind::kUrlCredentials, "https://bob:hunter2@db.example/x"), V{"bob:hunter2"});
  EXPECT_EQ(Found(Kind::kUrlCredentials, "GET /cb?code=abc123&state=ok&access_token=zzz"), (V{"abc123", "zzz"}));
  EXPECT_EQ(Found(Kind::kUrlCredentials, "https://s3/x?X-Amz-Signature=deadbeef"), V{"deadbeef"});
  EXPECT_TRUE(Found(Kind::kUrlCredentials, "https://example.com/a?page=2&sort=asc user@host").empty());
}

// PossibleKinds is a necessary condition: whatever a detector finds, its
// kind is in the mask. Random texts built from the pieces the detectors
// look for hit every kind many times.
TEST(Detectors, PossibleKindsNeverHidesAMatch) {
  const std::vector<std::string> pieces = {
      "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005", "+44 20 7946 0958", "(555) 123-4567",
      "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "192.168.1.20", "2001:db8::8a2e:370:7334", "::1",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "Bearer abcdef123456", "basic dXNlcjpwYXNz",
      "https://bob:hunter2@db.example", "?code=abc123", "&access_token=zzz", "jane.doe@mail.example.com",
      " ", "-", ".", ":", "@", "?", "&", "=", "(", ")", "+", "0", "7", "A", "z", "J", "b", "ey", "GB", "http"};
  std::mt19937 rng(7);
  std::vector<Match> found;
  std::array<int, kKindCount> hits{};
  for (int n = 0; n < 20000; ++n) {
    std::string text;
    const int parts = 1 + static_cast<int>(rng() % 6);
    for (int p = 0; p < parts; ++p) text += pieces[rng() % pieces.size()];
    const uint32_t possible = PossibleKinds(text);
    for (int k = 0; k < kKindCount; ++k) {
      if (static_cast<Kind>(k) == Kind::kCustom) continue;
      found.clear();
      Detect(static_cast<Kind>(k), text, &found);
      if (found.empty()) continue;
      ++hits[static_cast<size_t>(k)];
      ASSERT_NE(possible & (1u << k), 0u) << KindName(static_cast<Kind>(k)) << " in '" << text << "'";
    }
  }
  for (int k = 0; k < kKindCount; ++k) {
    if (static_cast<Kind>(k) != Kind::kCustom) EXPECT_GT(hits[static_cast<size_t>(k)], 50) << KindName(static_cast<Kind>(k));
  }
}

TEST(Detectors, PossibleKindsIsEmptyForEverydayValues) {
  for (std::string_view v : {"GET", "/api/cart/items", "redis", "200", "checkout-service", "SELECT * FROM orders"}) {
    EXPECT_EQ(PossibleKinds(v), 0u) << v;
  }
  EXPECT_EQ(PossibleKinds("user 42 at 10.0.0.1"), 1u << static_cast<unsigned>(Kind::kIpv4));
}

TEST(Detectors, KindNamesRoundTrip) {
  for (int k = 0; k < kKindCount; ++k) {
    Kind parsed;
    ASSERT_TRUE(ParseKind(KindName(static_cast<Kind>(k)), &parsed));
    EXPECT_EQ(static_cast<int>(parsed), k);
  }
  Kind unused;
  EXPECT_FALSE(ParseKind("ssn", &unused));
}

}  // namespace
}  // namespace callpath::redact
