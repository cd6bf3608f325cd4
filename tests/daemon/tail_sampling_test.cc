// callpathd end to end with tail-based sampling (docs/scale-out.md): among
// 3000 traces sent over OTLP/HTTP, 5 % with an error and 1 % slow, every
// error and slow trace is stored whole, about the configured 10 % of the
// rest, and the RED metrics count every span.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

namespace tv1 = otlpv1::trace::v1;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = 60'000 * kMs;
constexpr int kTraces = 3000;

uint64_t Now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

bool IsError(int i) { return i % 20 == 0; }
bool IsSlow(int i) { return i % 100 == 7; }

// A metric's value from Prometheus text; -1 when absent.
double Metric(const std::string& text, const std::string& line_start) {
  const size_t at = text.find("\n" + line_start + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line_start.size() + 2));
}

TEST(TailSamplingEndToEnd, KeepsEveryErrorAndSlowTraceWholeAndTheShareOfTheRest) {
  TempDir dir;
  const std::string config = dir.path() + "/callpathd.yaml";
  std::ofstream(config) << R"(tail_sampling:
  decision_wait: 300ms
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
    - {name: slow, type: latency, latency: {threshold_ms: 500}}
    - {name: rest, type: probabilistic, probabilistic: {sampling_percentage: 10}}
)";
  DaemonProcess daemon;
  ASSERT_TRUE(daemon.Start(dir.path() + "/data", {"--config", config})) << daemon.error();

  std::mt19937_64 rng(17);
  const uint64_t minute = Now() / kMinute * kMinute - kMinute;
  std::vector<std::string> ids;
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  for (int first = 0; first < kTraces; first += 100) {
    otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
    auto* rs = req.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value("shop");
    auto* ss = rs->add_scope_spans();
    for (int i = first; i < first + 100; ++i) {
      ids.push_back(RandomBytes(rng, 16));
      const uint64_t start = minute + static_cast<uint64_t>(i) * 10 * kMs;
      const uint64_t duration = IsSlow(i) ? 800 * kMs : 40 * kMs;
      std::string root;
      for (int s = 0; s < 3; ++s) {
        auto* sp = ss->add_spans();
        sp->set_trace_id(ids.back());
        const std::string id = RandomBytes(rng, 8);
        sp->set_span_id(id);
        if (s == 0) root = id;
        else sp->set_parent_span_id(root);
        sp->set_name(s == 0 ? "GET /checkout" : "call-" + std::to_string(s));
        sp->set_kind(s == 0 ? tv1::Span::SPAN_KIND_SERVER : tv1::Span::SPAN_KIND_CLIENT);
        sp->set_start_time_unix_nano(start + static_cast<uint64_t>(s) * kMs);
        sp->set_end_time_unix_nano(start + (s == 0 ? duration : 5 * kMs));
        if (s == 2 && IsError(i)) sp->mutable_status()->set_code(tv1::Status::STATUS_CODE_ERROR);
      }
    }
    HttpResult r = HttpCall(daemon.otlp_http_port(), "POST", "/v1/traces", req.SerializeAsString(), o);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Every trace decided, nothing held.
  double sampled = 0, not_sampled = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string text = HttpCall(daemon.query_port(), "GET", "/metrics").body;
    sampled = Metric(text, "callpathd_sampling_traces_total{decision=\"sampled\"}");
    not_sampled = Metric(text, "callpathd_sampling_traces_total{decision=\"not_sampled\"}");
    if (sampled + not_sampled >= kTraces && Metric(text, "callpathd_sampling_held_traces") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(sampled + not_sampled, kTraces);

  // Every error and slow trace, whole (once its decision is written).
  int special = 0;
  for (int i = 0; i < kTraces; ++i) {
    if (!IsError(i) && !IsSlow(i)) continue;
    ++special;
    HttpResult r;
    for (int attempt = 0; attempt < 200; ++attempt) {
      r = HttpCall(daemon.query_port(), "GET", "/api/v1/traces/" + Hex(ids[i]));
      if (r.status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(r.status, 200) << "trace " << i << ": " << r.body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body).value();
    ASSERT_EQ(doc["spans"].get_array().value().size(), 3u) << "trace " << i;
  }
  // The share of the rest: 10 % of 2820 is 282 (binomial sd ~16).
  const double rest_kept = sampled - special;
  EXPECT_NEAR(rest_kept / (kTraces - special), 0.10, 0.03) << rest_kept << " of " << kTraces - special;

  // RED metrics count all 9000 spans, kept or not.
  const std::string window =
      "&start=" + std::to_string(minute - kMinute) + "&end=" + std::to_string(minute + 3 * kMinute) + "&step=4m";
  HttpResult red = HttpCall(daemon.query_port(), "GET", "/api/v1/metrics?service=shop" + window);
  ASSERT_EQ(red.status, 200) << red.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(red.body).value();
  EXPECT_EQ(doc["points"].at(0)["calls"].get_uint64().value(), 3u * kTraces);
  EXPECT_EQ(doc["points"].at(0)["errors"].get_uint64().value(), static_cast<uint64_t>(kTraces / 20));
  EXPECT_EQ(daemon.Stop(), 0);
}

}  // namespace
}  // namespace callpath::testing
