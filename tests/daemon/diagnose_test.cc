// callpathd end to end for the cause-finding endpoints: a baseline and an
// incident window of a small shop go in over OTLP/HTTP (JSON), with times
// in the past; /api/v1/diagnose must name the service that slowed down
// first, with example traces, and /api/v1/compare must show the slower span
// between a healthy and a slow trace of the same request.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/daemon_harness.h"

namespace callpath::testing {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = 60'000 * kMs;

uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string Hex(uint64_t hi, uint64_t lo, int digits) {
  char buf[40];
  if (digits == 32) {
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(lo));
  } else {
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(lo));
  }
  return buf;
}

// OTLP/JSON for the spans and logs of one service.
struct ServiceBatch {
  std::string spans, logs;
};

class ShopTraffic {
 public:
  // frontend GET /checkout -> (client) checkout PlaceOrder -> (client)
  // payment Charge; payment's own time is `charge_ms`.
  void Request(uint64_t start, const std::string& trace, double charge_ms) {
    std::string root = Span(), call1 = Span(), order = Span(), call2 = Span(), charge = Span();
    uint64_t c = static_cast<uint64_t>(charge_ms * kMs) + Jitter();
    uint64_t t0 = start, t1 = t0 + 2 * kMs, t2 = t1 + kMs / 2, t3 = t2 + 3 * kMs, t4 = t3 + kMs / 2;
    uint64_t t5 = t4 + c, t6 = t5 + kMs / 2, t7 = t6 + 2 * kMs, t8 = t7 + kMs / 2, t9 = t8 + 2 * kMs;
    Add("frontend", trace, root, "", "GET /checkout", 2, t0, t9);
    Add("frontend", trace, call1, root, "POST checkout", 3, t1, t8);
    Add("checkout", trace, order, call1, "PlaceOrder", 2, t2, t7);
    Add("checkout", trace, call2, order, "POST payment", 3, t3, t6);
    Add("payment", trace, charge, call2, "Charge", 2, t4, t5);
    Log("payment", trace, charge, t5, "charged order " + std::to_string(rng_() % 10000));
  }
  std::string SpanBody() const { return Body(true); }
  std::string LogBody() const { return Body(false); }

 private:
  std::string Span() { return Hex(0, rng_() | 1, 16); }
  uint64_t Jitter() { return rng_() % (kMs / 2); }
  void Add(const std::string& service, const std::string& trace, const std::string& id, const std::string& parent,
           const std::string& name, int kind, uint64_t start, uint64_t end) {
    std::string& out = batches_[service].spans;
    if (!out.empty()) out += ",";
    out += "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + id + "\",\"parentSpanId\":\"" + parent +
           "\",\"name\":\"" + name + "\",\"kind\":" + std::to_string(kind) + ",\"startTimeUnixNano\":\"" +
           std::to_string(start) + "\",\"endTimeUnixNano\":\"" + std::to_string(end) + "\"}";
  }
  void Log(const std::string& service, const std::string& trace, const std::string& span, uint64_t t,
           const std::string& body) {
    std::string& out = batches_[service].logs;
    if (!out.empty()) out += ",";
    out += "{\"timeUnixNano\":\"" + std::to_string(t) + "\",\"severityNumber\":9,\"severityText\":\"INFO\"," +
           "\"body\":{\"stringValue\":\"" + body + "\"},\"traceId\":\"" + trace + "\",\"spanId\":\"" + span + "\"}";
  }
  std::string Body(bool spans) const {
    std::string out = spans ? "{\"resourceSpans\":[" : "{\"resourceLogs\":[";
    bool first = true;
    for (const auto& [service, b] : batches_) {
      const std::string& items = spans ? b.spans : b.logs;
      if (items.empty()) continue;
      if (!first) out += ",";
      first = false;
      out += "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service +
             "\"}}]}," + (spans ? "\"scopeSpans\":[{\"scope\":{\"name\":\"t\"},\"spans\":["
                                : "\"scopeLogs\":[{\"scope\":{\"name\":\"t\"},\"logRecords\":[") +
             items + "]}]}";
    }
    return out + "]}";
  }

  std::mt19937_64 rng_{42};
  std::map<std::string, ServiceBatch> batches_;
};

class DaemonDiagnoseTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.Start(dir_.path())) << daemon_.error(); }
  void TearDown() override { daemon_.Stop(); }

  HttpResult Get(const std::string& target) { return HttpCall(daemon_.query_port(), "GET", target); }
  void Post(const std::string& path, const std::string& body) {
    HttpCallOptions o;
    o.content_type = "application/json";
    HttpResult r = HttpCall(daemon_.otlp_http_port(), "POST", path, body, o);
    ASSERT_EQ(r.status, 200) << r.body << r.error;
  }
  // Waits (bounded) until the trace can be read back.
  bool Visible(const std::string& trace) {
    for (int i = 0; i < 300; ++i) {
      if (Get("/api/v1/traces/" + trace).status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  TempDir dir_;
  DaemonProcess daemon_;
};

TEST_F(DaemonDiagnoseTest, SlowServiceIsRankedFirstAndTracesCompare) {
  uint64_t window_start = (NowNs() / kMinute - 6) * kMinute;  // whole minutes, in the past
  uint64_t window_end = window_start + 5 * kMinute, baseline_start = window_start - 5 * kMinute;
  ShopTraffic traffic;
  std::string healthy, slow;
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    std::string b = Hex(0xbb, static_cast<uint64_t>(i + 1), 32), w = Hex(0xee, static_cast<uint64_t>(i + 1), 32);
    traffic.Request(baseline_start + i * (5 * kMinute / kRequests), b, 5);
    traffic.Request(window_start + i * (5 * kMinute / kRequests), w, 120);
    healthy = b;
    slow = w;
  }
  Post("/v1/traces", traffic.SpanBody());
  Post("/v1/logs", traffic.LogBody());
  ASSERT_TRUE(Visible(slow));

  HttpResult r = Get("/api/v1/diagnose?start=" + std::to_string(window_start) + "&end=" + std::to_string(window_end));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(doc["baseline"]["start_ns"].get_uint64().value(), baseline_start) << "the same length right before";
  simdjson::dom::array causes = doc["causes"].get_array().value();
  ASSERT_GT(causes.size(), 0u) << r.body;
  simdjson::dom::element first = causes.at(0);
  EXPECT_EQ(std::string_view(first["service"].get_string().value()), "payment") << r.body;
  EXPECT_EQ(std::string_view(first["kind"].get_string().value()), "latency") << r.body;
  EXPECT_EQ(std::string_view(first["operation"].get_string().value()), "Charge") << r.body;
  EXPECT_GT(first["evidence"].get_array().value().size(), 0u);
  simdjson::dom::array examples = first["example_traces"].get_array().value();
  ASSERT_GT(examples.size(), 0u) << r.body;
  EXPECT_EQ(std::string_view(examples.at(0).get_string().value()).substr(0, 16), "00000000000000ee")
      << "examples come from the window";

  HttpResult c = Get("/api/v1/compare?a=" + healthy + "&b=" + slow);
  ASSERT_EQ(c.status, 200) << c.body;
  simdjson::dom::element cmp;
  ASSERT_EQ(parser.parse(c.body).get(cmp), simdjson::SUCCESS) << c.body;
  EXPECT_EQ(cmp["matched"].get_uint64().value(), 5u) << c.body;
  bool charge_slower = false;
  for (simdjson::dom::element s : cmp["spans"].get_array().value()) {
    if (std::string_view(s["operation"].get_string().value()) == "Charge") {
      charge_slower = std::string_view(s["change"].get_string().value()) == "slower";
    }
  }
  EXPECT_TRUE(charge_slower) << c.body;
}

TEST_F(DaemonDiagnoseTest, BadParametersAreClear400sAndUnknownTracesAre404s) {
  HttpResult no_start = Get("/api/v1/diagnose?end=5m");
  EXPECT_EQ(no_start.status, 400);
  EXPECT_NE(no_start.body.find("start"), std::string::npos) << no_start.body;
  EXPECT_EQ(Get("/api/v1/diagnose?start=yesterday").status, 400);
  EXPECT_EQ(Get("/api/v1/diagnose?start=10m&baseline_start=12m&baseline_end=1m").status, 400);
  EXPECT_EQ(Get("/api/v1/compare?a=xyz&b=1").status, 400);
  HttpResult missing = Get("/api/v1/compare?a=1&b=2");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("trace a"), std::string::npos) << missing.body;
  HttpResult empty = Get("/api/v1/diagnose?start=5m");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_NE(empty.body.find("\"causes\":[]"), std::string::npos) << empty.body;
}

}  // namespace
}  // namespace callpath::testing
