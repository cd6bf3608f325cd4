#include "auth/api_key.h"

#include <gtest/gtest.h>

namespace callpath::auth {
namespace {

TEST(ApiKey, GeneratedKeyMatchesItsEntryAndTheFileNeverHoldsTheSecret) {
  Result<NewKey> k = GenerateKey("shop", kScopeIngest | kScopeQuery);
  ASSERT_TRUE(k.ok());
  std::string id, secret;
  ASSERT_TRUE(SplitApiKey(k->key, &id, &secret));
  EXPECT_EQ(id, k->entry.id);
  EXPECT_TRUE(SecretMatches(k->entry, secret));
  std::string line = KeysFileLine(k->entry);
  std::string secret_hex = k->key.substr(k->key.rfind('_') + 1);
  EXPECT_EQ(line.find(secret_hex), std::string::npos) << line;
  Result<std::vector<KeyEntry>> parsed = ParseKeysFile(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].tenant, "shop");
  EXPECT_EQ((*parsed)[0].scopes, kScopeIngest | kScopeQuery);
  EXPECT_TRUE(SecretMatches((*parsed)[0], secret));
}

TEST(ApiKey, WrongSecretDoesNotMatch) {
  Result<NewKey> k = GenerateKey("shop", kScopeIngest);
  ASSERT_TRUE(k.ok());
  std::string id, secret;
  ASSERT_TRUE(SplitApiKey(k->key, &id, &secret));
  secret[0] = static_cast<char>(secret[0] ^ 1);
  EXPECT_FALSE(SecretMatches(k->entry, secret));
}

TEST(ApiKey, TwoKeysDifferInIdSaltAndSecret) {
  Result<NewKey> a = GenerateKey("t", kScopeQuery);
  Result<NewKey> b = GenerateKey("t", kScopeQuery);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key, b->key);
  EXPECT_NE(a->entry.id, b->entry.id);
  EXPECT_NE(a->entry.salt, b->entry.salt);
}

TEST(ApiKey, MalformedKeysAreNotSplit) {
  std::string id, secret;
  for (const char* bad : {"", "cpk_", "Bearer x", "cpk_0123456789abcdef",
                          "cpk_0123456789abcdef-0000000000000000000000000000000000000000000000000000000000000000",
                          "cpk_0123456789ABCDEF_0000000000000000000000000000000000000000000000000000000000000000",
                          "cpk_0123456789abcdef_000000000000000000000000000000000000000000000000000000000000000",
                          "xpk_0123456789abcdef_0000000000000000000000000000000000000000000000000000000000000000"}) {
    EXPECT_FALSE(SplitApiKey(bad, &id, &secret)) << bad;
  }
}

TEST(ApiKey, ScopesParseAndPrint) {
  EXPECT_EQ(ParseScopes("ingest,query,admin").value(), kScopeIngest | kScopeQuery | kScopeAdmin);
  EXPECT_EQ(ScopesText(kScopeQuery | kScopeAdmin), "query,admin");
  EXPECT_FALSE(ParseScopes("").ok());
  EXPECT_FALSE(ParseScopes("ingest,root").ok());
  EXPECT_FALSE(ParseScopes("ingest,").ok());
}

TEST(ApiKey, KeysFileErrorsNameTheLine) {
  Result<NewKey> k = GenerateKey("shop", kScopeIngest);
  ASSERT_TRUE(k.ok());
  std::string good = KeysFileLine(k->entry);
  EXPECT_TRUE(ParseKeysFile("# comment\n\n" + good).ok());
  Result<std::vector<KeyEntry>> plain = ParseKeysFile("# keys\n" + k->key + "\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("line 2"), std::string::npos) << plain.status().message();
  EXPECT_FALSE(ParseKeysFile(good + good).ok());  // the same id twice
  std::string bad_tenant = good;
  bad_tenant.replace(bad_tenant.find(" shop "), 6, " sh/op ");
  EXPECT_FALSE(ParseKeysFile(bad_tenant).ok());
  std::string short_hash = good.substr(0, good.size() - 2) + "\n";
  EXPECT_FALSE(ParseKeysFile(short_hash).ok());
}

}  // namespace
}  // namespace callpath::auth
