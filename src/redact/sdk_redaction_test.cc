// The SDK's opt-in redaction (callpath/redaction.h): every detector through
// a real TracerProvider whose spans pass a RedactingSpanProcessor, with true
// and false positives, and the logger's text filter on a real FileSink.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "callpath/log.h"
#include "callpath/redaction.h"
#include "callpath/trace.h"
#include "sdk/testing/in_memory_exporter.h"

namespace callpath {
namespace {

// Spans of a provider whose only processor redacts under `policy` and
// keeps the result in memory.
class RedactedSpans {
 public:
  explicit RedactedSpans(std::shared_ptr<const RedactionPolicy> policy) {
    TracerProviderOptions o;
    o.processors.push_back(std::make_unique<RedactingSpanProcessor>(
        std::move(policy),
        std::make_unique<SimpleSpanProcessor>(std::make_unique<testing::InMemoryExporter>(sink_),
                                              Resource{})));
    provider_ = TracerProvider::Create(std::move(o));
  }

  // Ends one span carrying `value` under `key`; returns what was exported
  // for that key ("<dropped>" if the attribute is gone).
  std::string Through(const std::string& key, const std::string& value) {
    Span span = provider_->GetTracer("t").StartSpan("s");
    span.SetAttribute(key, std::string_view(value));
    span.End();
    std::vector<SpanData> spans = sink_->Take();
    if (spans.size() != 1) return "<" + std::to_string(spans.size()) + " spans>";
    for (const Attribute& a : spans[0].attributes) {
      if (a.key == key) {
        if (auto* s = std::get_if<std::string>(&a.value)) return *s;
        return "<not a string>";
      }
    }
    return "<dropped>";
  }

  std::shared_ptr<testing::InMemoryExporter::Sink> sink() { return sink_; }
  Tracer tracer() { return provider_->GetTracer("t"); }

 private:
  std::shared_ptr<testing::InMemoryExporter::Sink> sink_ =
      std::make_shared<testing::InMemoryExporter::Sink>();
  std::shared_ptr<TracerProvider> provider_;
};

std::shared_ptr<const RedactionPolicy> Policy(std::string_view yaml = {}) {
  Result<std::shared_ptr<const RedactionPolicy>> p =
      yaml.empty() ? RedactionPolicy::Default() : RedactionPolicy::FromYaml(yaml);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

TEST(SdkRedaction, DefaultDetectorsRedactCardsJwtsBearerTokensAndUrlCredentials) {
  RedactedSpans spans(Policy());
  EXPECT_EQ(spans.Through("note", "paid with 4111 1111 1111 1111 today"),
            "paid with [REDACTED:card] today");
  // 16 digits failing the Luhn check are not a card.
  EXPECT_EQ(spans.Through("note", "order 4111 1111 1111 1112"), "order 4111 1111 1111 1112");
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  EXPECT_EQ(spans.Through("token.sent", "got " + jwt), "got [REDACTED:jwt]");
  EXPECT_EQ(spans.Through("note", "eyJ not a token"), "eyJ not a token");
  EXPECT_EQ(spans.Through("header", "Bearer abcdef123456789"), "Bearer [REDACTED:bearer]");
  EXPECT_EQ(spans.Through("header", "Bearer of bad news"), "Bearer of bad news");
  const std::string url = spans.Through("url.full", "https://bob:hunter2@shop.example/x?token=s3cr3t&page=2");
  EXPECT_EQ(url.find("hunter2"), std::string::npos) << url;
  EXPECT_EQ(url.find("s3cr3t"), std::string::npos) << url;
  EXPECT_NE(url.find("page=2"), std::string::npos) << url;
  // Header values are redacted whole, whatever they hold.
  EXPECT_EQ(spans.Through("http.request.header.authorization", "Basic x").find('x'),
            std::string::npos);
  EXPECT_EQ(spans.Through("http.response.header.set-cookie", "sid=42").find("42"),
            std::string::npos);
  // Opt-in detectors are off by default.
  EXPECT_EQ(spans.Through("user", "alice@example.com"), "alice@example.com");
  EXPECT_EQ(spans.Through("peer", "10.1.2.3"), "10.1.2.3");
}

TEST(SdkRedaction, OptInDetectorsCustomRulesAndKeyRulesFromYaml) {
  RedactedSpans spans(Policy(R"(hash_key: "test key"
detectors: {email: redact, phone: redact, iban: redact, ipv4: redact, ipv6: redact}
keys: {user.password: drop, enduser.id: hash}
rules:
  - {name: order-ref, pattern: "ORD-[0-9]{8}", action: hash}
)"));
  EXPECT_EQ(spans.Through("user", "mail alice@example.com"), "mail [REDACTED:email]");
  EXPECT_EQ(spans.Through("user", "alice at example"), "alice at example");
  EXPECT_EQ(spans.Through("contact", "call +44 20 7946 0958"), "call [REDACTED:phone]");
  EXPECT_EQ(spans.Through("build", "42"), "42");
  EXPECT_EQ(spans.Through("account", "GB82 WEST 1234 5698 7654 32"), "[REDACTED:iban]");
  EXPECT_EQ(spans.Through("account", "GB00WEST12345698765432"),
            "GB00WEST12345698765432");  // mod-97 fails
  EXPECT_EQ(spans.Through("peer", "from 10.1.2.3"), "from [REDACTED:ipv4]");
  EXPECT_EQ(spans.Through("peer", "v1.2.3.4.5"), "v1.2.3.4.5");
  EXPECT_EQ(spans.Through("peer", "from 2001:db8::1"), "from [REDACTED:ipv6]");
  EXPECT_EQ(spans.Through("user.password", "hunter2"), "<dropped>");
  const std::string a = spans.Through("enduser.id", "alice");
  EXPECT_EQ(a.rfind("[hash:", 0), 0u) << a;
  EXPECT_EQ(spans.Through("enduser.id", "alice"), a);  // keyed hash: equal values match
  const std::string ref = spans.Through("note", "ref ORD-12345678");
  EXPECT_EQ(ref.rfind("ref [hash:", 0), 0u) << ref;
  EXPECT_EQ(spans.Through("note", "ref ORD-1234"), "ref ORD-1234");
}

TEST(SdkRedaction, EventAndLinkAttributesAndStatusMessageAreRedactedToo) {
  RedactedSpans spans(Policy("keys: {retry.count: redact}\n"));
  {
    Span span = spans.tracer().StartSpan("pay");
    span.AddEvent("charged", {{"card", std::string("4111-1111-1111-1111")}});
    span.AddLink(span.context(), {{"url.full", std::string("https://x.example/?password=pw1")}});
    span.SetAttribute("retry.count", 3);
    span.SetStatus(SpanStatusCode::kError, "declined 4111111111111111");
  }
  std::vector<SpanData> out = spans.sink()->Take();
  ASSERT_EQ(out.size(), 1u);
  const SpanData& s = out[0];
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(std::get<std::string>(s.events[0].attributes[0].value), "[REDACTED:card]");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(std::get<std::string>(s.links[0].attributes[0].value).find("pw1"), std::string::npos);
  EXPECT_EQ(s.status_message, "declined [REDACTED:card]");
  ASSERT_EQ(s.attributes.size(), 1u);  // a number under a redacting key rule
  EXPECT_EQ(std::get<std::string>(s.attributes[0].value), "[REDACTED]");
}

TEST(SdkRedaction, BadYamlIsAnError) {
  EXPECT_FALSE(RedactionPolicy::FromYaml("detectors: {nope: redact}\n").ok());
  EXPECT_FALSE(RedactionPolicy::FromYaml("rules: [{name: x, pattern: \"(\", action: redact}]\n").ok());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SdkRedaction, LogFilterRedactsMessagesAndFieldsBeforeAnySink) {
  const std::string dir = std::filesystem::temp_directory_path() / "callpath_redact_log_XXXXXX";
  std::string tmpl = dir;
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/out.jsonl";
  auto sink = log::FileSink::Open({.path = path});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  log::Options o;
  o.sinks.push_back(*sink);
  o.crash_handlers = false;
  o.text_filter = MakeRedactingLogFilter(Policy("keys: {user.password: drop}\n"));
  ASSERT_TRUE(log::Init(std::move(o)).ok());
  log::Logger logger("pay");
  logger.info("charged 4111 1111 1111 1111", {"url", "https://x.example/?token=tok123"},
              {"user.password", "hunter2"}, {"attempt", 2}, {"note", "order 42"});
  log::Flush();
  const std::string out = ReadAll(path);
  log::Shutdown();
  std::filesystem::remove_all(tmpl);
  EXPECT_NE(out.find("charged [REDACTED:card]"), std::string::npos) << out;
  EXPECT_EQ(out.find("4111"), std::string::npos) << out;
  EXPECT_EQ(out.find("tok123"), std::string::npos) << out;
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_EQ(out.find("user.password"), std::string::npos) << out;
  EXPECT_NE(out.find("\"attempt\":2"), std::string::npos) << out;  // other fields intact
  EXPECT_NE(out.find("order 42"), std::string::npos) << out;
}

}  // namespace
}  // namespace callpath
