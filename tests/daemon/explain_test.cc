// GET /api/v1/traces/{id}/explain against a real callpathd: healthy
// requests and faulty ones go in over OTLP/HTTP (spans and logs, built as
// synthetic call trees), and the endpoint must name each culprit first,
// with null operation and span id where the callee left no span; the
// clock-skew switch (?adjust_skew=false, Jaeger's raw=true) on the trace
// endpoints.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "analyze/testing/call_tree.h"
#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

namespace at = analyze::testing;
namespace tv1 = otlpv1::trace::v1;
namespace lv1 = otlpv1::logs::v1;

void SetValue(const store::Value& v, otlpv1::common::v1::AnyValue* out) {
  switch (v.type) {
    case store::Value::Type::kInt64: out->set_int_value(v.int_value); break;
    case store::Value::Type::kBool: out->set_bool_value(v.int_value != 0); break;
    case store::Value::Type::kDouble: out->set_double_value(v.double_value); break;
    default: out->set_string_value(v.text);
  }
}

template <typename Attrs>
void SetAttributes(const store::Attributes& in, Attrs* out) {
  for (const auto& kv : in) {
    auto* a = out->Add();
    a->set_key(kv.key);
    SetValue(kv.value, a->mutable_value());
  }
}

// The spans and logs of one built trace as OTLP requests, a resource per service.
void Send(uint16_t port, const at::Built& b) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest traces;
  std::map<std::string, tv1::ScopeSpans*> by_service;
  for (const auto& s : b.spans) {
    auto& ss = by_service[s.service];
    if (!ss) {
      auto* rs = traces.add_resource_spans();
      auto* a = rs->mutable_resource()->add_attributes();
      a->set_key("service.name");
      a->mutable_value()->set_string_value(s.service);
      ss = rs->add_scope_spans();
    }
    auto* sp = ss->add_spans();
    sp->set_trace_id(std::string(reinterpret_cast<const char*>(s.trace_id.bytes().data()), 16));
    sp->set_span_id(std::string(reinterpret_cast<const char*>(s.span_id.bytes().data()), 8));
    if (s.parent_span_id.IsValid()) {
      sp->set_parent_span_id(std::string(reinterpret_cast<const char*>(s.parent_span_id.bytes().data()), 8));
    }
    sp->set_name(s.operation);
    sp->set_kind(static_cast<tv1::Span::SpanKind>(static_cast<int>(s.kind)));
    sp->set_start_time_unix_nano(s.start_ns);
    sp->set_end_time_unix_nano(s.end_ns());
    SetAttributes(s.attributes, sp->mutable_attributes());
    if (s.status == store::SpanStatus::kError) {
      sp->mutable_status()->set_code(tv1::Status::STATUS_CODE_ERROR);
      sp->mutable_status()->set_message(s.status_message);
    }
  }
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  HttpResult r = HttpCall(port, "POST", "/v1/traces", traces.SerializeAsString(), o);
  ASSERT_EQ(r.status, 200) << r.body;
  if (b.logs.empty()) return;
  otlpv1::collector::logs::v1::ExportLogsServiceRequest logs;
  for (const auto& l : b.logs) {
    auto* rl = logs.add_resource_logs();
    auto* a = rl->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value(l.service);
    auto* rec = rl->add_scope_logs()->add_log_records();
    rec->set_time_unix_nano(l.time_ns);
    rec->set_severity_number(static_cast<lv1::SeverityNumber>(l.severity_number));
    rec->mutable_body()->set_string_value(l.body.text);
    rec->set_trace_id(std::string(reinterpret_cast<const char*>(l.trace_id.bytes().data()), 16));
    rec->set_span_id(std::string(reinterpret_cast<const char*>(l.span_id.bytes().data()), 8));
  }
  r = HttpCall(port, "POST", "/v1/logs", logs.SerializeAsString(), o);
  ASSERT_EQ(r.status, 200) << r.body;
}

class ExplainEndpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start(dir_->path() + "/data")) << daemon_->error();
    // Ten healthy requests over the last minutes, then the faulty ones.
    t0_ = NowNs() - 10 * 60'000'000'000ull;
    for (uint32_t k = 0; k < 10; ++k) Send(daemon_->otlp_http_port(), at::Build(at::ShopTree(), 10 + k, t0_));
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0);
    delete daemon_;
    delete dir_;
  }
  static HttpResult Get(const std::string& target) { return HttpCall(daemon_->query_port(), "GET", target); }

  // Sends `tree` as the request of seed `seed` and returns its id.
  static std::string SendFaulty(const at::CallTree& tree, uint32_t seed, const std::string& skewed = "") {
    at::Built b = at::Build(tree, seed, t0_);
    if (!skewed.empty()) at::SkewClock(&b, skewed, 5'000'000'000);
    Send(daemon_->otlp_http_port(), b);
    return b.trace_id.ToHex();
  }

  static inline TempDir* dir_ = nullptr;
  static inline DaemonProcess* daemon_ = nullptr;
  static inline uint64_t t0_ = 0;
};

TEST_F(ExplainEndpointTest, NamesTheSlowSpanAndShowsTheSkewOfAnotherService) {
  at::CallTree t = at::ShopTree();
  t.Find("fraud", "Check")->self_ns = 90 * at::kMs;
  std::string id = SendFaulty(t, 200, "cart");
  HttpResult r = Get("/api/v1/traces/" + id + "/explain");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.body).value();
  EXPECT_EQ(std::string_view(doc["trace_id"].get_string().value()), id);
  EXPECT_EQ(std::string_view(doc["status"].get_string().value()), "slow") << r.body;
  EXPECT_FALSE(std::string_view(doc["summary"].get_string().value()).empty());
  simdjson::dom::element first = doc["causes"].at(0).value();
  EXPECT_EQ(first["rank"].get_int64().value(), 1);
  EXPECT_EQ(std::string_view(first["service"].get_string().value()), "fraud") << r.body;
  EXPECT_EQ(std::string_view(first["operation"].get_string().value()), "Check") << r.body;
  EXPECT_EQ(std::string_view(first["kind"].get_string().value()), "latency") << r.body;
  EXPECT_EQ(first["span_id"].get_string().value().size(), 16u);
  EXPECT_GE(doc["baseline"]["reference_traces"].get_uint64().value(), 1u) << r.body;
  EXPECT_LE(doc["baseline"]["end_ns"].get_uint64().value(), t0_ + 300'000'000'000ull);
  EXPECT_NE(r.body.find(R"("type":"skew")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("service":"cart")"), std::string::npos) << "cart's adjustment listed: " << r.body;

  // Without the adjustment: the same culprit, no adjustments.
  HttpResult raw = Get("/api/v1/traces/" + id + "/explain?adjust_skew=false");
  ASSERT_EQ(raw.status, 200) << raw.body;
  simdjson::dom::element d2 = parser.parse(raw.body).value();
  EXPECT_EQ(std::string_view(d2["causes"].at(0)["service"].get_string().value()), "fraud") << raw.body;
  EXPECT_EQ(d2["adjustments"].get_array().value().size(), 0u) << raw.body;
}

TEST_F(ExplainEndpointTest, CrashedCalleeHasNullOperationAndSpanId) {
  at::CallTree t = at::ShopTree();
  at::CallTree* charge = t.Find("payment", "Charge");
  charge->dropped = true;
  charge->logs = {{21, "fatal: aborting mid-request"}};
  at::CallTree* call = t.Find("frontend", "Charge");
  call->status = store::SpanStatus::kError;
  call->status_message = "connection reset by peer";
  t.status = store::SpanStatus::kError;
  std::string id = SendFaulty(t, 201);
  HttpResult r = Get("/api/v1/traces/" + id + "/explain");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element first = parser.parse(r.body).value()["causes"].at(0).value();
  EXPECT_EQ(std::string_view(first["service"].get_string().value()), "payment") << r.body;
  EXPECT_TRUE(first["operation"].is_null()) << r.body;
  EXPECT_TRUE(first["span_id"].is_null()) << r.body;
  EXPECT_EQ(std::string_view(first["kind"].get_string().value()), "missing_span") << r.body;
  EXPECT_NE(r.body.find("aborting mid-request"), std::string::npos) << "its last log line is evidence: " << r.body;
}

TEST_F(ExplainEndpointTest, BadIdsParametersAndUnknownTraces) {
  EXPECT_EQ(Get("/api/v1/traces/zz/explain").status, 400);
  EXPECT_EQ(Get("/api/v1/traces/00/explain").status, 400);
  HttpResult bad = Get("/api/v1/traces/abc/explain?adjust_skew=perhaps");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("adjust_skew"), std::string::npos) << bad.body;
  HttpResult missing = Get("/api/v1/traces/abcdef/explain");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":"trace not found","status":404})");
}

TEST_F(ExplainEndpointTest, EveryTraceEndpointTurnsTheSkewAdjustmentOff) {
  std::string id = SendFaulty(at::ShopTree(), 202, "cart");
  auto adjusted = [&](const std::string& target) {
    HttpResult r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.body.find("clock skew") != std::string::npos;
  };
  EXPECT_TRUE(adjusted("/api/v1/traces/" + id));
  EXPECT_FALSE(adjusted("/api/v1/traces/" + id + "?adjust_skew=false"));
  EXPECT_TRUE(adjusted("/api/traces/" + id));
  EXPECT_FALSE(adjusted("/api/traces/" + id + "?raw=true"));
  EXPECT_FALSE(adjusted("/api/traces/" + id + "?adjust_skew=false"));
  EXPECT_FALSE(adjusted("/api/traces?traceID=" + id + "&raw=true"));
  // api/v3 carries no warnings: the adjusted times show it.
  HttpResult v3 = Get("/api/v3/traces/" + id);
  HttpResult v3_raw = Get("/api/v3/traces/" + id + "?adjust_skew=false");
  ASSERT_EQ(v3.status, 200);
  ASSERT_EQ(v3_raw.status, 200);
  EXPECT_NE(v3.body, v3_raw.body);
  EXPECT_EQ(Get("/api/v3/traces/" + id + "?adjust_skew=2").status, 400);
  EXPECT_EQ(Get("/api/traces/" + id + "?raw=maybe").status, 400);
}

}  // namespace
}  // namespace callpath::testing
