#include "callpath/log/otlp_sink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "callpath/log.h"
#include "integration/testing/loopback_receiver.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace callpath::log {
namespace {

namespace pb = opentelemetry::proto;

std::string AttrString(const pb::logs::v1::LogRecord& r, const std::string& key) {
  for (const auto& kv : r.attributes()) {
    if (kv.key() == key) return kv.value().DebugString();
  }
  return "<missing>";
}

const pb::common::v1::AnyValue* Attr(const pb::logs::v1::LogRecord& r, const std::string& key) {
  for (const auto& kv : r.attributes()) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

TEST(OtlpLogSink, ExportsLogRecordsThatLibprotobufDecodes) {
  callpath::testing::LoopbackReceiver receiver;
  OtlpLogSinkOptions so;
  so.http.endpoint = receiver.Url("/v1/logs");
  so.resource.attributes.push_back({"deployment.environment", "test"});
  so.max_delay = std::chrono::milliseconds(0);
  auto sink = std::make_shared<OtlpLogSink>(so);
  sink->set_level(Level::kInfo);  // its own level: the debug line stays local

  Options o;
  o.sinks = {sink};
  o.service_name = "orders";
  o.level = Level::kTrace;
  o.crash_handlers = false;
  ASSERT_TRUE(Init(o).ok());
  SpanContext span(NewTraceId(), NewSpanId(), TraceFlags{TraceFlags::kSampled}, false);
  {
    Scope scope{Context(span)};
    Logger log("orders.api");
    log.debug("not exported");
    log.warn("payment slow", {"method", "Pay"}, {"attempt", 2}, {"ratio", 0.5}, {"ok", false},
             {"elapsed", std::chrono::milliseconds(3)}, {"big", UINT64_MAX},
             {"card", Object{{"brand", "visa"}}}, {"bad", "\xff"});
  }
  Flush();
  Shutdown();

  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/logs");
  EXPECT_EQ(requests[0].content_type, "application/x-protobuf");
  pb::collector::logs::v1::ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(requests[0].body));
  ASSERT_EQ(req.resource_logs_size(), 1);
  const auto& rl = req.resource_logs(0);
  std::map<std::string, std::string> resource;
  for (const auto& kv : rl.resource().attributes()) resource[kv.key()] = kv.value().string_value();
  EXPECT_EQ(resource["service.name"], "orders");
  EXPECT_EQ(resource["deployment.environment"], "test");
  ASSERT_EQ(rl.scope_logs_size(), 1);
  EXPECT_EQ(rl.scope_logs(0).scope().name(), "callpath.log");
  ASSERT_EQ(rl.scope_logs(0).log_records_size(), 1);
  const auto& r = rl.scope_logs(0).log_records(0);
  EXPECT_EQ(r.severity_number(), pb::logs::v1::SEVERITY_NUMBER_WARN);
  EXPECT_EQ(r.severity_text(), "WARN");
  EXPECT_EQ(r.body().string_value(), "payment slow");
  EXPECT_EQ(r.trace_id(), span.trace_id().AsBytes());
  EXPECT_EQ(r.span_id(), span.span_id().AsBytes());
  EXPECT_EQ(r.flags(), 1u);
  EXPECT_GT(r.time_unix_nano(), 1600000000000000000ull);
  EXPECT_EQ(r.observed_time_unix_nano(), r.time_unix_nano());
  ASSERT_NE(Attr(r, "method"), nullptr);
  EXPECT_EQ(Attr(r, "method")->string_value(), "Pay");
  EXPECT_EQ(Attr(r, "attempt")->int_value(), 2);
  EXPECT_EQ(Attr(r, "ratio")->double_value(), 0.5);
  EXPECT_TRUE(Attr(r, "ok")->has_bool_value());
  EXPECT_FALSE(Attr(r, "ok")->bool_value());
  EXPECT_EQ(Attr(r, "elapsed")->int_value(), 3000000);
  EXPECT_EQ(Attr(r, "big")->string_value(), "18446744073709551615");
  ASSERT_TRUE(Attr(r, "card")->has_kvlist_value());
  EXPECT_EQ(Attr(r, "card")->kvlist_value().values(0).value().string_value(), "visa");
  EXPECT_EQ(Attr(r, "bad")->string_value(), "\xef\xbf\xbd");
  EXPECT_EQ(Attr(r, "logger.name")->string_value(), "orders.api");
  EXPECT_EQ(Attr(r, "code.line.number")->int_value() > 0, true);
  EXPECT_EQ(sink->stats().exported_records, 1u);
}

TEST(OtlpLogSink, AnUnreachableReceiverCountsFailuresAndDoesNotBlockOtherSinks) {
  // A port nobody listens on: bind one, read it, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  OtlpLogSinkOptions so;
  so.http.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/v1/logs";
  so.http.retry.max_attempts = 1;
  so.http.timeout = std::chrono::milliseconds(2000);
  so.max_delay = std::chrono::milliseconds(0);
  OtlpLogSink sink(so);
  Record rec;
  rec.message = "lost";
  sink.Consume(rec);
  sink.Flush();
  EXPECT_EQ(sink.stats().failed_records, 1u);
  EXPECT_EQ(sink.stats().exported_records, 0u);
}

}  // namespace
}  // namespace callpath::log

namespace callpath::log {
namespace {

// An API key for a callpathd with --keys-file reaches the sink the same way
// as the span exporter's: OTEL_EXPORTER_OTLP_HEADERS, sent on every export.
TEST(OtlpLogSink, SendsTheHeadersOfTheEnvironment) {
  callpath::testing::LoopbackReceiver receiver;
  ::setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", receiver.Url("/v1/logs").c_str(), 1);
  ::setenv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20cpk_test", 1);
  OtlpLogSinkOptions so = OtlpLogSinkOptions::FromEnvironment();
  ::unsetenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  ::unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  so.max_delay = std::chrono::milliseconds(0);
  auto sink = std::make_shared<OtlpLogSink>(so);
  Options o;
  o.sinks = {sink};
  o.service_name = "keys";
  o.crash_handlers = false;
  ASSERT_TRUE(Init(o).ok());
  Logger("keys").info("with a key");
  Flush();
  Shutdown();
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto auth = requests[0].headers.find("authorization");
  ASSERT_NE(auth, requests[0].headers.end());
  EXPECT_EQ(auth->second, "Bearer cpk_test");
}

}  // namespace
}  // namespace callpath::log
