// The OTLP/HTTP span exporter against a real HTTP server on 127.0.0.1 whose
// bodies are decoded by libprotobuf: what arrives must be what was exported.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <map>

#include "callpath/exporters.h"
#include "callpath/trace.h"
#include "callpath/version.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/encode/otlp_span_encoder.h"
#include "sdk/export/http_transport.h"
#include "testing/loopback_receiver.h"
#include "testing/sample_spans.h"
#include "text/base64.h"

namespace callpath {
namespace {

namespace pb = opentelemetry::proto;
using pb::collector::trace::v1::ExportTraceServiceRequest;
using testing::LoopbackReceiver;

// Hex text to bytes; "" (and a test failure) for anything but hex digits.
std::string Bytes(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  if (hex.size() % 2 != 0 ||
      !detail::HexToBytesAnyCase(hex, reinterpret_cast<uint8_t*>(out.data()), out.size())) {
    ADD_FAILURE() << "not hex: " << hex;
    return "";
  }
  return out;
}

const pb::common::v1::AnyValue* Find(const google::protobuf::RepeatedPtrField<pb::common::v1::KeyValue>& kvs,
                                     const std::string& key) {
  for (const auto& kv : kvs) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

// Checks everything SampleBatch() put in, given ids as raw bytes.
void ExpectSampleRequest(const ExportTraceServiceRequest& req) {
  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  const auto* service = Find(rs.resource().attributes(), "service.name");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->string_value(), "checkout");
  ASSERT_NE(Find(rs.resource().attributes(), "host.cpus"), nullptr);
  EXPECT_EQ(Find(rs.resource().attributes(), "host.cpus")->int_value(), 8);

  ASSERT_EQ(rs.scope_spans_size(), 1);
  const auto& ss = rs.scope_spans(0);
  EXPECT_EQ(ss.scope().name(), "shop.checkout");
  EXPECT_EQ(ss.scope().version(), "1.2.3");
  ASSERT_EQ(ss.spans_size(), 2);

  const auto& server = ss.spans(0);
  EXPECT_EQ(server.trace_id(), Bytes("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_EQ(server.span_id(), Bytes("00f067aa0ba902b7"));
  EXPECT_EQ(server.parent_span_id(), Bytes("53995c3f42cd8ad8"));
  EXPECT_EQ(server.trace_state(), "vendor=abc,other=x1");
  EXPECT_EQ(server.flags(), 0x301u);  // sampled, parent known to be remote
  EXPECT_EQ(server.name(), "POST /checkout");
  EXPECT_EQ(server.kind(), pb::trace::v1::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(server.start_time_unix_nano(), 1735787045000000000ULL);
  EXPECT_EQ(server.end_time_unix_nano(), 1735787045250000000ULL);
  EXPECT_EQ(server.status().code(), pb::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(server.status().message(), "payment failed");
  ASSERT_NE(Find(server.attributes(), "http.response.status_code"), nullptr);
  EXPECT_EQ(Find(server.attributes(), "http.response.status_code")->int_value(), 500);

  const auto& client = ss.spans(1);
  EXPECT_EQ(client.trace_id(), server.trace_id());
  EXPECT_EQ(client.parent_span_id(), server.span_id());
  EXPECT_EQ(client.flags(), 0x101u);
  EXPECT_EQ(client.kind(), pb::trace::v1::Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(client.status().code(), pb::trace::v1::Status::STATUS_CODE_OK);
  EXPECT_EQ(client.dropped_attributes_count(), 2u);
  EXPECT_EQ(client.dropped_events_count(), 3u);
  const auto& a = client.attributes();
  ASSERT_EQ(a.size(), 8);
  EXPECT_TRUE(Find(a, "flag")->bool_value());
  EXPECT_EQ(Find(a, "count")->int_value(), -42);
  EXPECT_EQ(Find(a, "ratio")->double_value(), 0.25);
  EXPECT_EQ(Find(a, "note")->string_value(), "multi\nline \"quoted\" \xc3\xa9");
  ASSERT_EQ(Find(a, "bools")->array_value().values_size(), 2);
  EXPECT_FALSE(Find(a, "bools")->array_value().values(1).bool_value());
  ASSERT_EQ(Find(a, "ints")->array_value().values_size(), 3);
  EXPECT_EQ(Find(a, "ints")->array_value().values(2).int_value(), 3);
  ASSERT_EQ(Find(a, "doubles")->array_value().values_size(), 2);
  EXPECT_EQ(Find(a, "doubles")->array_value().values(1).double_value(), -2.5);
  ASSERT_EQ(Find(a, "strings")->array_value().values_size(), 2);
  EXPECT_EQ(Find(a, "strings")->array_value().values(0).string_value(), "a");

  ASSERT_EQ(client.events_size(), 2);
  EXPECT_EQ(client.events(0).name(), "retry");
  EXPECT_EQ(client.events(0).time_unix_nano(), 1735787045100000000ULL);
  EXPECT_EQ(client.events(0).dropped_attributes_count(), 1u);
  EXPECT_EQ(Find(client.events(0).attributes(), "attempt")->int_value(), 2);
  EXPECT_EQ(Find(client.events(1).attributes(), "exception.message")->string_value(), "card declined");

  ASSERT_EQ(client.links_size(), 1);
  EXPECT_EQ(client.links(0).trace_id(), Bytes("0af7651916cd43dd8448eb211c80319c"));
  EXPECT_EQ(client.links(0).span_id(), Bytes("00000000000000aa"));
  EXPECT_EQ(Find(client.links(0).attributes(), "link.kind")->string_value(), "follows");
}

OtlpHttpExporterOptions OptionsFor(const LoopbackReceiver& receiver) {
  OtlpHttpExporterOptions o;
  o.endpoint = receiver.Url("/v1/traces");
  o.timeout = std::chrono::seconds(30);  // generous: the machine may be busy
  o.headers = {{"x-api-key", "secret one"}};
  return o;
}

TEST(OtlpHttpExportTest, ProtobufBatchArrivesIntact) {
  LoopbackReceiver receiver;
  OtlpHttpExporter exporter(OptionsFor(receiver));
  std::vector<SpanData> batch = testing::SampleBatch();
  ASSERT_TRUE(exporter.Export(batch, testing::SampleResource()).ok());

  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/traces");
  EXPECT_EQ(requests[0].content_type, "application/x-protobuf");
  EXPECT_EQ(requests[0].content_encoding, "");
  EXPECT_EQ(requests[0].user_agent, "OTel-OTLP-Exporter-cpp-callpath/" CALLPATH_VERSION_STRING);
  EXPECT_EQ(requests[0].headers.find("x-api-key")->second, "secret one");
  ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(requests[0].body));
  ExpectSampleRequest(req);

  SpanExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.exported_spans, 2u);
  EXPECT_EQ(stats.failed_spans, 0u);
  EXPECT_EQ(stats.retries, 0u);
}

// A batch that encodes over max_request_bytes goes out in halves; a span
// that alone is over it is dropped (counted), the others still sent.
TEST(OtlpHttpExportTest, ABatchOverTheRequestLimitIsSentInHalves) {
  LoopbackReceiver receiver;
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  std::vector<SpanData> batch = testing::SampleBatch();
  std::string whole;
  internal::AppendTraceRequestProto(batch, testing::SampleResource(), &whole);
  o.max_request_bytes = whole.size() - 1;
  OtlpHttpExporter exporter(o);
  ASSERT_TRUE(exporter.Export(batch, testing::SampleResource()).ok());
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(requests[i].body));
    ASSERT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 1);
    EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans(0).name(), batch[i].name);
    EXPECT_LE(requests[i].body.size(), o.max_request_bytes);
  }
  EXPECT_EQ(exporter.stats().exported_spans, 2u);

  std::string alone[2];
  for (size_t i = 0; i < 2; ++i) {
    internal::AppendTraceRequestProto(std::span<const SpanData>(batch).subspan(i, 1), testing::SampleResource(),
                                      &alone[i]);
  }
  ASSERT_NE(alone[0].size(), alone[1].size());
  o.max_request_bytes = std::max(alone[0].size(), alone[1].size()) - 1;  // the larger span alone is too big
  OtlpHttpExporter strict(o);
  Status s = strict.Export(batch, testing::SampleResource());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(strict.stats().failed_spans, 1u);
  EXPECT_EQ(strict.stats().exported_spans, 1u);
  EXPECT_EQ(receiver.Requests().size(), 3u) << "the smaller span was still sent";
}

TEST(OtlpHttpExportTest, GzipBatchArrivesIntact) {
  LoopbackReceiver receiver;
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.compression = OtlpCompression::kGzip;
  OtlpHttpExporter exporter(o);
  ASSERT_TRUE(exporter.Export(testing::SampleBatch(), testing::SampleResource()).ok());
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].content_encoding, "gzip");
  ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(requests[0].body));  // httplib inflated it
  ExpectSampleRequest(req);
}

// Standard proto3 JSON reads OTLP's hex ids as base64; since hex digits are
// base64 digits and the lengths are multiples of 4, base64-encoding the bytes
// the parser produced gives back the exact text that was on the wire.
std::string Base64(const std::string& bytes) {
  EXPECT_EQ(bytes.size() % 3, 0u) << "id length not a multiple of 3 bytes";
  return text::Base64Encode(bytes);
}

TEST(OtlpHttpExportTest, JsonBatchArrivesIntact) {
  LoopbackReceiver receiver([](size_t, const testing::ReceivedRequest&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.protocol = OtlpProtocol::kHttpJson;
  o.compression = OtlpCompression::kGzip;
  OtlpHttpExporter exporter(o);
  ASSERT_TRUE(exporter.Export(testing::SampleBatch(), testing::SampleResource()).ok());
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(requests[0].content_encoding, "gzip");

  const std::string& json = requests[0].body;
  // OTLP/JSON: lowerCamelCase keys, hex ids, enums as integers.
  EXPECT_NE(json.find("\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"parentSpanId\":\"53995c3f42cd8ad8\""), std::string::npos) << json;
  EXPECT_EQ(json.find("SPAN_KIND"), std::string::npos) << json;

  ExportTraceServiceRequest req;
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, &req, parse);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << json;
  // Undo the base64 reading of hex ids, then check like the protobuf case.
  for (auto& rs : *req.mutable_resource_spans()) {
    for (auto& ss : *rs.mutable_scope_spans()) {
      for (auto& span : *ss.mutable_spans()) {
        span.set_trace_id(Bytes(Base64(span.trace_id())));
        span.set_span_id(Bytes(Base64(span.span_id())));
        if (!span.parent_span_id().empty()) span.set_parent_span_id(Bytes(Base64(span.parent_span_id())));
        for (auto& link : *span.mutable_links()) {
          link.set_trace_id(Bytes(Base64(link.trace_id())));
          link.set_span_id(Bytes(Base64(link.span_id())));
        }
      }
    }
  }
  ExpectSampleRequest(req);
}

TEST(OtlpHttpExportTest, ConsecutiveBatchesReuseOneConnection) {
  LoopbackReceiver receiver;
  OtlpHttpExporter exporter(OptionsFor(receiver));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(exporter.Export(testing::SampleBatch(), testing::SampleResource()).ok());
  }
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].remote_port, requests[0].remote_port);
  EXPECT_EQ(requests[2].remote_port, requests[0].remote_port);
  EXPECT_EQ(exporter.stats().exported_spans, 6u);
}

TEST(OtlpHttpExportTest, PartialSuccessIsCountedAndNotRetried) {
  LoopbackReceiver receiver([](size_t, const testing::ReceivedRequest&, httplib::Response& res) {
    pb::collector::trace::v1::ExportTraceServiceResponse r;
    r.mutable_partial_success()->set_rejected_spans(1);
    r.mutable_partial_success()->set_error_message("span too large");
    res.set_content(r.SerializeAsString(), "application/x-protobuf");
  });
  OtlpHttpExporter exporter(OptionsFor(receiver));
  ASSERT_TRUE(exporter.Export(testing::SampleBatch(), testing::SampleResource()).ok());
  EXPECT_EQ(receiver.RequestCount(), 1u);
  SpanExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.rejected_spans, 1u);
  EXPECT_EQ(stats.exported_spans, 1u);
  EXPECT_EQ(stats.retries, 0u);
}

TEST(OtlpHttpExportTest, EmptyBatchSendsNothing) {
  LoopbackReceiver receiver;
  OtlpHttpExporter exporter(OptionsFor(receiver));
  ASSERT_TRUE(exporter.Export({}, testing::SampleResource()).ok());
  EXPECT_EQ(receiver.RequestCount(), 0u);
}

TEST(OtlpHttpExportTest, ExportAfterShutdownFailsWithoutSending) {
  LoopbackReceiver receiver;
  OtlpHttpExporter exporter(OptionsFor(receiver));
  ASSERT_TRUE(exporter.Shutdown(std::chrono::seconds(1)).ok());
  Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(receiver.RequestCount(), 0u);
  EXPECT_EQ(exporter.stats().failed_spans, 2u);
}

// The whole SDK path: tracer -> batch processor -> OTLP/HTTP exporter ->
// receiver, with the parent link made by an active Scope.
TEST(OtlpHttpExportTest, SpansFromTheTracerArriveWithTheirParentLinks) {
  LoopbackReceiver receiver;
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.compression = OtlpCompression::kGzip;
  TracerProviderOptions provider_options;
  provider_options.resource.attributes = {{"service.name", std::string("e2e")}};
  provider_options.sampler = AlwaysOnSampler();
  provider_options.force_enabled = true;
  provider_options.processors.push_back(std::make_unique<BatchSpanProcessor>(
      std::make_unique<OtlpHttpExporter>(o), provider_options.resource));
  auto provider = TracerProvider::Create(std::move(provider_options));
  Tracer tracer = provider->GetTracer("e2e.test", "0.1");

  SpanContext root_context, child_context;
  {
    Span root = tracer.StartSpan("handle", {.kind = SpanKind::kServer});
    root_context = root.context();
    Scope scope = root.Activate();
    Span child = tracer.StartSpan("query", {.kind = SpanKind::kClient});
    child_context = child.context();
    child.SetAttribute("db.rows", 7).AddEvent("cache miss", {{"key", "user:1"}});
    child.SetStatus(SpanStatusCode::kError, "timeout");
    child.End();
    root.End();
  }
  ASSERT_TRUE(provider->ForceFlush(std::chrono::seconds(60)).ok());

  std::map<std::string, pb::trace::v1::Span> by_name;
  for (const auto& r : receiver.Requests()) {
    ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(r.body));
    for (const auto& rs : req.resource_spans()) {
      EXPECT_EQ(Find(rs.resource().attributes(), "service.name")->string_value(), "e2e");
      for (const auto& ss : rs.scope_spans()) {
        EXPECT_EQ(ss.scope().name(), "e2e.test");
        for (const auto& span : ss.spans()) by_name[span.name()] = span;
      }
    }
  }
  ASSERT_EQ(by_name.size(), 2u);
  const auto& root = by_name["handle"];
  const auto& child = by_name["query"];
  EXPECT_EQ(root.trace_id(), std::string(root_context.trace_id().AsBytes()));
  EXPECT_EQ(root.span_id(), std::string(root_context.span_id().AsBytes()));
  EXPECT_TRUE(root.parent_span_id().empty());
  EXPECT_EQ(child.trace_id(), root.trace_id());
  EXPECT_EQ(child.span_id(), std::string(child_context.span_id().AsBytes()));
  EXPECT_EQ(child.parent_span_id(), root.span_id());
  EXPECT_EQ(child.kind(), pb::trace::v1::Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(Find(child.attributes(), "db.rows")->int_value(), 7);
  ASSERT_EQ(child.events_size(), 1);
  EXPECT_EQ(child.events(0).name(), "cache miss");
  EXPECT_EQ(child.status().code(), pb::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(child.status().message(), "timeout");
  EXPECT_LE(root.start_time_unix_nano(), child.start_time_unix_nano());
  EXPECT_GE(root.end_time_unix_nano(), child.end_time_unix_nano());
  ASSERT_TRUE(provider->Shutdown(std::chrono::seconds(60)).ok());
}

TEST(HttpTransportTest, GzipShrinksTheBodyOnTheWireAndRoundTrips) {
  LoopbackReceiver receiver;
  internal::HttpTransportOptions o;
  o.gzip = true;
  o.timeout = std::chrono::seconds(30);
  internal::HttpTransport transport(o);
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "span-" + std::to_string(i % 17) + ";";
  internal::HttpResponse response;
  ASSERT_TRUE(transport.Post(receiver.Url("/v1/logs"), body, "application/x-protobuf", &response).ok());
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.attempts, 1);
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/logs");
  EXPECT_EQ(requests[0].body, body);
  EXPECT_LT(transport.stats().bytes_sent, body.size() / 4);
  // The compressor is reused for the next body.
  ASSERT_TRUE(transport.Post(receiver.Url("/v1/logs"), "second", "application/json").ok());
  ASSERT_EQ(receiver.RequestCount(), 2u);
  EXPECT_EQ(receiver.Requests()[1].body, "second");
  EXPECT_EQ(receiver.Requests()[1].content_type, "application/json");
}

TEST(HttpTransportTest, UnusableUrlsFailAtOnce) {
  internal::HttpTransport transport({});
  Status s = transport.Post("ftp://127.0.0.1:1/v1/traces", "x", "application/x-protobuf");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  s = transport.Post("http://127.0.0.1:1:2:3/", "x", "application/x-protobuf");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(transport.stats().retries, 0u);
  EXPECT_EQ(transport.stats().failed_posts, 2u);
}

}  // namespace
}  // namespace callpath
