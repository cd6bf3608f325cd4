#include "daemon/cluster/split_request.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace callpath::daemon::cluster {
namespace {

namespace pb = opentelemetry::proto;
using TraceRequest = pb::collector::trace::v1::ExportTraceServiceRequest;
using LogsRequest = pb::collector::logs::v1::ExportLogsServiceRequest;

std::string Id(char c) { return std::string(16, c); }

// Two resources, the first with two scopes; spans of traces 'a'..'d'.
TraceRequest MixedTraces() {
  TraceRequest req;
  for (int r = 0; r < 2; ++r) {
    auto* rs = req.add_resource_spans();
    auto* kv = rs->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value("svc-" + std::to_string(r));
    rs->set_schema_url("https://schema/" + std::to_string(r));
    for (int s = 0; s < (r == 0 ? 2 : 1); ++s) {
      auto* ss = rs->add_scope_spans();
      ss->mutable_scope()->set_name("scope-" + std::to_string(s));
      for (char t : std::string("abcd")) {
        auto* span = ss->add_spans();
        span->set_trace_id(Id(t));
        span->set_span_id(std::string(7, t) + static_cast<char>('0' + r * 2 + s));
        span->set_name(std::string("op-") + t);
      }
    }
  }
  return req;
}

// Destinations: traces a, c -> 0; b -> 1; d -> 2.
size_t RouteByLetter(std::string_view id) {
  if (id.empty()) return 0;
  return id[0] == 'b' ? 1 : id[0] == 'd' ? 2 : 0;
}

TEST(SplitRequestTest, GroupsSpansByDestinationKeepingResourceAndScope) {
  const TraceRequest req = MixedTraces();
  Split split;
  ASSERT_TRUE(SplitProtoRequest(Signal::kTraces, req.SerializeAsString(), RouteByLetter, &split));
  ASSERT_FALSE(split.whole);
  ASSERT_EQ(split.shares.size(), 3u);
  std::map<size_t, TraceRequest> by_dest;
  for (const Share& s : split.shares) ASSERT_TRUE(by_dest[s.destination].ParseFromString(s.body));
  uint64_t total = 0;
  for (const Share& s : split.shares) total += s.items;
  EXPECT_EQ(total, 12u);
  EXPECT_EQ(split.shares[0].items, 6u);  // a and c, three scopes each
  for (const auto& [dest, part] : by_dest) {
    ASSERT_EQ(part.resource_spans_size(), 2);
    for (int r = 0; r < 2; ++r) {
      const auto& rs = part.resource_spans(r);
      EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "svc-" + std::to_string(r));
      EXPECT_EQ(rs.schema_url(), "https://schema/" + std::to_string(r));
      ASSERT_EQ(rs.scope_spans_size(), r == 0 ? 2 : 1);
      for (int s = 0; s < rs.scope_spans_size(); ++s) {
        EXPECT_EQ(rs.scope_spans(s).scope().name(), "scope-" + std::to_string(s));
        for (const auto& span : rs.scope_spans(s).spans()) EXPECT_EQ(RouteByLetter(span.trace_id()), dest);
      }
    }
  }
  // Span bytes are kept as they were.
  EXPECT_EQ(by_dest[1].resource_spans(0).scope_spans(0).spans(0).SerializeAsString(),
            req.resource_spans(0).scope_spans(0).spans(1).SerializeAsString());
}

TEST(SplitRequestTest, ReportsWholeWhenEverySpanGoesToOneDestination) {
  TraceRequest req = MixedTraces();
  Split split;
  ASSERT_TRUE(SplitProtoRequest(Signal::kTraces, req.SerializeAsString(), [](std::string_view) { return 2u; },
                                &split));
  EXPECT_TRUE(split.whole);
  EXPECT_EQ(split.single, 2u);
  EXPECT_EQ(split.items, 12u);
  EXPECT_TRUE(split.shares.empty());
}

TEST(SplitRequestTest, LogsWithoutTraceIdGetAnEmptyIdToRoute) {
  LogsRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  sl->add_log_records()->set_trace_id(Id('b'));
  sl->add_log_records();  // no trace id
  sl->add_log_records()->set_trace_id("short");  // not 16 bytes: treated as none
  std::vector<std::string> seen;
  Split split;
  ASSERT_TRUE(SplitProtoRequest(Signal::kLogs, req.SerializeAsString(),
                                [&](std::string_view id) {
                                  seen.emplace_back(id);
                                  return RouteByLetter(id);
                                },
                                &split));
  EXPECT_EQ(seen, (std::vector<std::string>{Id('b'), "", ""}));
  ASSERT_EQ(split.shares.size(), 2u);
  LogsRequest local, remote;
  ASSERT_TRUE(local.ParseFromString(split.shares[0].body));
  ASSERT_TRUE(remote.ParseFromString(split.shares[1].body));
  EXPECT_EQ(local.resource_logs(0).scope_logs(0).log_records_size(), 2);
  EXPECT_EQ(remote.resource_logs(0).scope_logs(0).log_records(0).trace_id(), Id('b'));
}

TEST(SplitRequestTest, RefusesMalformedProtobuf) {
  Split split;
  EXPECT_FALSE(SplitProtoRequest(Signal::kTraces, std::string("\x0a\x10\x12", 3), RouteByLetter, &split));
}

TEST(SplitRequestTest, SplitsJsonRequestsIntoJsonRequests) {
  const std::string a(32, 'a'), b(32, 'b');
  const std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s\"q"}}]},)"
                           R"("scopeSpans":[{"scope":{"name":"sc"},"spans":[)"
                           R"({"traceId":")" + a + R"(","spanId":"0000000000000001","name":"x"},)"
                           R"({"traceId":")" + b + R"(","spanId":"0000000000000002","name":"y"}]}]}]})";
  Split split;
  ASSERT_TRUE(SplitJsonRequest(Signal::kTraces, body, [](std::string_view id) { return id.empty() ? 9u : id[0] == '\xaa' ? 0u : 1u; }, &split));
  ASSERT_EQ(split.shares.size(), 2u);
  EXPECT_EQ(split.shares[0].body,
            R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s\"q"}}]},)"
            R"("scopeSpans":[{"scope":{"name":"sc"},"spans":[{"traceId":")" + a +
                R"(","spanId":"0000000000000001","name":"x"}]}]}]})");
  EXPECT_EQ(split.shares[1].items, 1u);
  EXPECT_NE(split.shares[1].body.find(b), std::string::npos);
}

TEST(SplitRequestTest, JsonWithOneDestinationIsWhole) {
  Split split;
  ASSERT_TRUE(SplitJsonRequest(Signal::kLogs, R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]})",
                               [](std::string_view id) { return id.empty() ? 4u : 0u; }, &split));
  EXPECT_TRUE(split.whole);
  EXPECT_EQ(split.single, 4u);
  EXPECT_FALSE(SplitJsonRequest(Signal::kLogs, "{not json", RouteByLetter, &split));
  EXPECT_FALSE(SplitJsonRequest(Signal::kLogs, R"({"resourceLogs":{}})", RouteByLetter, &split));
}

}  // namespace
}  // namespace callpath::daemon::cluster
