// callpathd under bad input, overload and a crash: malformed bodies get a
// 4xx with a reason while the daemon keeps serving; a full write queue
// answers 429 and recovers; after kill -9 every acknowledged span and log
// record is still there.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

HttpResult PostProto(uint16_t port, const std::string& path, const std::string& body,
                     const std::string& type = "application/x-protobuf", const std::string& enc = "") {
  HttpCallOptions o;
  o.content_type = type;
  o.content_encoding = enc;
  return HttpCall(port, "POST", path, body, o);
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 19));
  return out;
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void ExpectServing(DaemonProcess& d) {
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/healthz").status, 200);
  std::mt19937_64 rng(99);
  auto ok = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng);
  EXPECT_EQ(PostProto(d.otlp_http_port(), "/v1/traces", ok.SerializeAsString()).status, 200);
}

TEST(DaemonRobustness, MalformedBodiesGet4xxWithAReasonAndTheDaemonKeepsServing) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--max-body-bytes", "8388608"})) << d.error();
  uint16_t port = d.otlp_http_port();
  std::mt19937_64 rng(1);
  std::string valid = MakeTraceRequest(RandomBytes(rng, 16), 4, "svc", NowNs(), rng).SerializeAsString();

  // Truncated protobuf: 400 with a google.rpc.Status body.
  HttpResult r = PostProto(port, "/v1/traces", valid.substr(0, valid.size() - 7));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers["content-type"], "application/x-protobuf");
  EXPECT_FALSE(r.body.empty()) << "a google.rpc.Status with a message";

  // Wrong JSON types / not JSON: 400 with a JSON Status.
  r = PostProto(port, "/v1/traces", R"({"resourceSpans":{"not":"an array"}})", "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"message\""), std::string::npos) << r.body;
  r = PostProto(port, "/v1/traces", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":42}]}]}]})", "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  r = PostProto(port, "/v1/logs", "{not json", "application/json");
  EXPECT_EQ(r.status, 400);

  // Bad ids / end before start: partial success naming the count. The
  // valid span is timestamped now (1970 would be outside --max-item-age).
  const std::string now = std::to_string(NowNs());
  std::string json_bad = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"ok",
     "startTimeUnixNano":")" + now + R"(","endTimeUnixNano":)" + now + R"(},
    {"traceId":"0102","spanId":"0102030405060708","name":"short id"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000000","name":"zero id"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0a02030405060708","name":"backwards",
     "startTimeUnixNano":"5000","endTimeUnixNano":"10"}]}]}]})";
  r = PostProto(port, "/v1/traces", json_bad, "application/json");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"rejectedSpans\":\"3\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("errorMessage"), std::string::npos) << r.body;

  // Invalid UTF-8 in a protobuf string field: rejected item.
  auto utf = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng);
  utf.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(1)->set_name("bad \xff\xfe");
  std::string utf_bytes;
  ASSERT_TRUE(utf.SerializePartialToString(&utf_bytes));
  r = PostProto(port, "/v1/traces", utf_bytes);
  ASSERT_EQ(r.status, 200);
  otlpv1::collector::trace::v1::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 1);

  // Limits: a span with more attributes than --max-attributes is rejected
  // with the limit named; the request's other spans are kept. A request
  // with nothing storable is a 400 that says why.
  auto heavy = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng);
  auto* over = heavy.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  for (int i = 0; i < 129; ++i) {
    auto* kv = over->add_attributes();
    kv->set_key("extra." + std::to_string(i));
    kv->mutable_value()->set_int_value(i);
  }
  r = PostProto(port, "/v1/traces", heavy.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("over the limit of 128"), std::string::npos)
      << resp.partial_success().error_message();
  heavy.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans()->DeleteSubrange(1, 1);
  r = PostProto(port, "/v1/traces", heavy.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(r.status, 400);
  std::string long_value = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","name":"long",
     "startTimeUnixNano":"1000","endTimeUnixNano":2000,
     "attributes":[{"key":"blob","value":{"stringValue":")" + std::string(70000, 'x') + R"("}}]}]}]}]})";
  r = PostProto(port, "/v1/traces", long_value, "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("attribute 'blob' of 70000 bytes, over the limit of 65536"), std::string::npos) << r.body;

  // Unknown content type: 415; unknown encoding: 415.
  EXPECT_EQ(PostProto(port, "/v1/traces", valid, "text/plain").status, 415);
  EXPECT_EQ(PostProto(port, "/v1/traces", valid, "application/x-protobuf", "br").status, 415);
  // Corrupt gzip: 400.
  EXPECT_EQ(PostProto(port, "/v1/traces", "not gzip at all", "application/x-protobuf", "gzip").status, 400);

  // A 100 MB body: 413 before it is read in full.
  std::string huge(100u << 20, 'x');
  r = PostProto(port, "/v1/traces", huge);
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_FALSE(r.body.empty());
  // A chunked body over the limit (no Content-Length to check up front).
  HttpCallOptions chunked;
  chunked.content_type = "application/x-protobuf";
  chunked.chunked = true;
  r = HttpCall(port, "POST", "/v1/traces", std::string(9u << 20, 'x'), chunked);
  EXPECT_EQ(r.status, 413) << r.error;

  // A gzip bomb: 20 MB of zeros compress to ~20 KB; inflated it exceeds the 8 MB cap.
  std::string bomb = Gzip(std::string(20u << 20, '\0'));
  ASSERT_LT(bomb.size(), 100u * 1024);
  r = PostProto(port, "/v1/traces", bomb, "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 413) << r.body;
  // The same as zstd (the Collector's OTLP/HTTP exporter can send it): a
  // valid body is taken, a bomb stopped, garbage refused.
  EXPECT_EQ(PostProto(port, "/v1/traces", Zstd(valid), "application/x-protobuf", "zstd").status, 200);
  r = PostProto(port, "/v1/traces", Zstd(std::string(20u << 20, '\0')), "application/x-protobuf", "zstd");
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(PostProto(port, "/v1/traces", "not zstd", "application/x-protobuf", "zstd").status, 400);

  ExpectServing(d);
  EXPECT_EQ(d.Stop(), 0);
}

TEST(DaemonRobustness, FullQueueAnswers429AndRecovers) {
  TempDir dir;
  DaemonProcess d;
  // A queue of one item: while any batch waits for the store, the next is refused.
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--queue-size", "1", "--writer-threads", "1"})) << d.error();
  uint16_t port = d.otlp_http_port();

  std::atomic<bool> saw_429{false}, stop{false};
  std::mutex mu;
  std::string retry_after;
  std::vector<std::thread> floods;
  for (int t = 0; t < 4; ++t) {
    floods.emplace_back([&, t] {
      std::mt19937_64 rng(100 + t);
      // Bounded: a few thousand requests at most, far more than needed.
      for (int i = 0; i < 3000 && !stop.load(); ++i) {
        auto req = MakeTraceRequest(RandomBytes(rng, 16), 200, "flood", NowNs(), rng);
        HttpResult r = PostProto(port, "/v1/traces", req.SerializeAsString());
        if (r.status == 429) {
          std::lock_guard<std::mutex> lock(mu);
          retry_after = r.headers["retry-after"];
          saw_429 = true;
          stop = true;
        } else {
          ASSERT_EQ(r.status, 200) << r.body << r.error;
        }
      }
    });
  }
  for (auto& t : floods) t.join();
  ASSERT_TRUE(saw_429.load()) << "the flood never filled a one-item queue";
  EXPECT_FALSE(retry_after.empty());

  // Recovery: once the flood stops, the queue drains and exports succeed.
  std::mt19937_64 rng(5);
  std::string trace_id = RandomBytes(rng, 16);
  auto req = MakeTraceRequest(trace_id, 3, "after", NowNs(), rng).SerializeAsString();
  int status = 0;
  for (int attempt = 0; attempt < 600 && status != 200; ++attempt) {
    status = PostProto(port, "/v1/traces", req).status;
    if (status == 429) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // as Retry-After asks
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/api/v1/traces/" + Hex(trace_id)).status, 200);
  HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
  EXPECT_EQ(m.body.find("callpathd_dropped_total{signal=\"spans\"} 0\n"), std::string::npos)
      << "refused spans are counted as dropped";
  EXPECT_EQ(d.Stop(), 0);
}

TEST(DaemonRobustness, EveryAcknowledgedSpanAndLogSurvivesKill9) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  DaemonProcess d;
  ASSERT_TRUE(d.Start(data)) << d.error();
  uint16_t port = d.otlp_http_port();

  std::mutex mu;
  std::vector<std::string> acked_traces;  // hex ids; 5 spans + 2 logs each
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t) {
    senders.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      while (!stop.load()) {
        std::string id = RandomBytes(rng, 16);
        auto spans = MakeTraceRequest(id, 5, "crash-svc", NowNs(), rng).SerializeAsString();
        auto logs = MakeLogsRequest(id, 2, "crash-svc", NowNs()).SerializeAsString();
        if (PostProto(port, "/v1/traces", spans).status != 200) break;  // daemon gone
        if (PostProto(port, "/v1/logs", logs).status != 200) break;
        std::lock_guard<std::mutex> lock(mu);
        acked_traces.push_back(Hex(id));
        acked.fetch_add(1);
      }
    });
  }
  // Kill while the senders are mid-stream, once a fair amount is acknowledged.
  while (acked.load() < 60) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  d.Kill();
  stop = true;
  for (auto& t : senders) t.join();

  DaemonProcess again;
  ASSERT_TRUE(again.Start(data)) << again.error();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(acked_traces.size(), 60u);
  simdjson::dom::parser parser;
  for (const std::string& id : acked_traces) {
    HttpResult r = HttpCall(again.query_port(), "GET", "/api/v1/traces/" + id);
    ASSERT_EQ(r.status, 200) << "acknowledged trace " << id << " lost: " << r.body;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS);
    EXPECT_EQ(doc["spans"].get_array().value().size(), 5u) << id;
    HttpResult l = HttpCall(again.query_port(), "GET", "/api/v1/logs?trace_id=" + id + "&start=0");
    ASSERT_EQ(l.status, 200) << l.body;
    size_t records = 0;
    for (size_t p = l.body.find("\"record "); p != std::string::npos; p = l.body.find("\"record ", p + 1)) ++records;
    EXPECT_EQ(records, 2u) << "logs of " << id << ": " << l.body;
  }
  // Replaying the WAL after the crash does not write a span twice: every
  // trace summary counts its 5 spans once.
  HttpResult search = HttpCall(again.query_port(), "GET",
                               "/api/v1/search?service=crash-svc&start=0&limit=10000");
  ASSERT_EQ(search.status, 200) << search.body;
  simdjson::dom::element found;
  ASSERT_EQ(parser.parse(search.body).get(found), simdjson::SUCCESS);
  size_t summaries = 0;
  simdjson::dom::array traces = found["traces"].get_array().value();  // not a temporary in the loop
  for (simdjson::dom::element t : traces) {
    ++summaries;
    EXPECT_EQ(uint64_t(t["span_count"]), 5u) << std::string_view(t["trace_id"]);
  }
  EXPECT_GE(summaries, acked_traces.size());
  EXPECT_EQ(again.Stop(), 0);
}

}  // namespace
}  // namespace callpath::testing
