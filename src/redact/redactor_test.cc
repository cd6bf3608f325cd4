#include "redact/redactor.h"

#include <gtest/gtest.h>

namespace callpath::redact {
namespace {

std::unique_ptr<Redactor> Make(std::string_view yaml) {
  Result<RedactionConfig> c = ParseRedactionYaml(yaml);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Redactor>> r = Redactor::Make(std::move(c).value());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::string Apply(const Redactor& r, std::string text, std::string_view key = "", std::string_view service = "") {
  (void)r.Apply(service, key, &text);
  return text;
}

TEST(Redactor, DefaultsRedactCardsTokensAndUrlCredentialsButNotEmails) {
  auto r = Make("");
  EXPECT_EQ(Apply(*r, "card 4111 1111 1111 1111 ok"), "card [REDACTED:card] ok");
  EXPECT_EQ(Apply(*r, "Bearer abcdefgh12345"), "Bearer [REDACTED:bearer]");
  EXPECT_EQ(Apply(*r, "https://u:p4ss@h/x?token=s3cr3t&page=1"),
            "https://[REDACTED:url_credentials]@h/x?token=[REDACTED:url_credentials]&page=1");
  EXPECT_EQ(Apply(*r, "mail jane@example.com from 10.0.0.1"), "mail jane@example.com from 10.0.0.1");
  EXPECT_EQ(Apply(*r, "order 4111 1111 1111 1112"), "order 4111 1111 1111 1112");
  EXPECT_EQ(r->counters().matches[static_cast<size_t>(Kind::kCard)].load(), 1u);
}

TEST(Redactor, SensitiveHeaderKeysAreRedactedWhatever_TheyHold) {
  auto r = Make("");
  EXPECT_EQ(Apply(*r, "session=abc", "http.request.header.cookie"), "[REDACTED]");
  EXPECT_EQ(Apply(*r, "x", "Authorization"), "[REDACTED]");
  EXPECT_EQ(r->ApplyKeyOnly("", "http.response.header.set-cookie"), Redactor::Outcome::kChanged);
  EXPECT_EQ(Apply(*r, "text/html", "http.request.header.accept"), "text/html");
}

TEST(Redactor, HashIsKeyedAndStableDropRemoves) {
  auto r = Make("hash_key: k1\ndetectors: {email: hash}\nkeys: {user.password: drop}\n");
  std::string a = Apply(*r, "jane@example.com");
  EXPECT_EQ(a.rfind("[hash:", 0), 0u) << a;
  EXPECT_EQ(a, Apply(*r, "jane@example.com"));
  EXPECT_NE(a, Apply(*r, "john@example.com"));
  auto other_key = Make("hash_key: k2\ndetectors: {email: hash}\n");
  EXPECT_NE(a, Apply(*other_key, "jane@example.com"));
  std::string pw = "hunter2";
  EXPECT_EQ(r->Apply("", "user.password", &pw), Redactor::Outcome::kDrop);
}

TEST(Redactor, CustomRulesAndPerServicePolicies) {
  auto r = Make(R"(
rules:
  - {name: order, pattern: "ORD-[0-9]{4}", action: redact}
services:
  billing:
    detectors: {email: redact, iban: drop}
)");
  EXPECT_EQ(Apply(*r, "ref ORD-1234 / ORD-12"), "ref [REDACTED:order] / ORD-12");
  EXPECT_EQ(Apply(*r, "jane@example.com", "", "shop"), "jane@example.com");
  EXPECT_EQ(Apply(*r, "jane@example.com ORD-9999", "", "billing"), "[REDACTED:email] [REDACTED:order]");
  std::string iban = "to DE89370400440532013000";
  EXPECT_EQ(r->Apply("billing", "note", &iban), Redactor::Outcome::kDrop);
}

TEST(Redactor, DisabledKeepsEverything) {
  auto r = Make("enabled: false");
  EXPECT_EQ(Apply(*r, "4111 1111 1111 1111", "authorization"), "4111 1111 1111 1111");
}

TEST(Redactor, MalformedConfigsAreErrors) {
  EXPECT_FALSE(ParseRedactionYaml("detectors: {ssn: redact}").ok());
  EXPECT_FALSE(ParseRedactionYaml("detectors: {card: shred}").ok());
  EXPECT_FALSE(ParseRedactionYaml("colour: blue").ok());
  EXPECT_FALSE(ParseRedactionYaml("rules: [{name: x}]").ok());
  EXPECT_FALSE(ParseRedactionYaml("[1, 2").ok());
  Result<RedactionConfig> bad_re = ParseRedactionYaml("rules: [{name: x, pattern: \"(unclosed\"}]");
  ASSERT_TRUE(bad_re.ok());
  EXPECT_FALSE(Redactor::Make(std::move(bad_re).value()).ok());
}

}  // namespace
}  // namespace callpath::redact
