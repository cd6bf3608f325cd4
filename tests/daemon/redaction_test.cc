// Redaction on a live callpathd: personal data and secrets sent in spans
// and logs never come back from the query API, whatever path they took
// (span, event and resource attributes, log bodies and attributes), and
// the redactions are counted in /metrics.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

const char kCard[] = "4111 1111 1111 1111";
const char kJwt[] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl";
const char kPassword[] = "hunter2secret";

void AddString(google::protobuf::RepeatedPtrField<otlpv1::common::v1::KeyValue>* attrs, const std::string& key,
               const std::string& value) {
  auto* a = attrs->Add();
  a->set_key(key);
  a->mutable_value()->set_string_value(value);
}

TEST(Redaction, SecretsInSpansAndLogsAreNotStored) {
  TempDir dir;
  std::string policy = dir.path() + "/redaction.yaml";
  std::ofstream(policy) << "detectors: {email: hash}\nhash_key: test-key\n";
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--redaction-config", policy})) << d.error();

  std::mt19937_64 rng(5);
  std::string trace_id = RandomBytes(rng, 16);
  auto req = MakeTraceRequest(trace_id, 2, "redact-svc", NowNs(), rng);
  auto* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  AddString(span->mutable_attributes(), "payment.note", std::string("paid with ") + kCard);
  AddString(span->mutable_attributes(), "http.request.header.authorization", "Bearer abc");
  AddString(span->mutable_attributes(), "url.full", std::string("https://bob:") + kPassword + "@api.example/x?token=" + kJwt);
  AddString(span->mutable_attributes(), "user.email", "jane@example.com");
  auto* ev = span->add_events();
  ev->set_name("retry");
  ev->set_time_unix_nano(span->start_time_unix_nano());
  AddString(ev->mutable_attributes(), "detail", std::string("jwt=") + kJwt);
  AddString(req.mutable_resource_spans(0)->mutable_resource()->mutable_attributes(), "deploy.token",
            std::string("Bearer ") + kJwt);
  HttpCallOptions proto;
  proto.content_type = "application/x-protobuf";
  ASSERT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/traces", req.SerializeAsString(), proto).status, 200);

  auto logs = MakeLogsRequest(trace_id, 1, "redact-svc", NowNs());
  auto* rec = logs.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  rec->mutable_body()->set_string_value(std::string("charge failed for card ") + kCard);
  AddString(rec->mutable_attributes(), "cookie", "sid=abcdef");
  ASSERT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/logs", logs.SerializeAsString(), proto).status, 200);

  HttpResult trace = HttpCall(d.query_port(), "GET", "/api/traces/" + Hex(trace_id));
  ASSERT_EQ(trace.status, 200) << trace.body;
  HttpResult found = HttpCall(d.query_port(), "GET",
                              "/api/v1/logs?trace_id=" + Hex(trace_id) + "&start=0&end=" + std::to_string(NowNs() + 3'600'000'000'000ull));
  ASSERT_EQ(found.status, 200) << found.body;
  for (const std::string& body : {trace.body, found.body}) {
    EXPECT_EQ(body.find("4111"), std::string::npos) << body;
    EXPECT_EQ(body.find(kJwt), std::string::npos) << body;
    EXPECT_EQ(body.find(kPassword), std::string::npos) << body;
    EXPECT_EQ(body.find("jane@example.com"), std::string::npos) << body;
    EXPECT_EQ(body.find("Bearer abc"), std::string::npos) << body;
    EXPECT_EQ(body.find("sid=abcdef"), std::string::npos) << body;
  }
  EXPECT_NE(trace.body.find("[REDACTED:card]"), std::string::npos) << trace.body;
  EXPECT_NE(trace.body.find("[hash:"), std::string::npos) << trace.body;
  EXPECT_NE(found.body.find("[REDACTED:card]"), std::string::npos) << found.body;

  HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("callpathd_redactions_total{kind=\"card\"} 2"), std::string::npos) << m.body;
}

}  // namespace
}  // namespace callpath::testing
