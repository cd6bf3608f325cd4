#include "logparse/otlp_logs.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"
#include "otlp/testing/otlp_proto.h"

namespace callpath::logparse {
namespace {

namespace pb = callpath::testing::pb;

ParsedLog Record(std::string body, std::string service) {
  ParsedLog r;
  r.body = std::move(body);
  r.service = std::move(service);
  r.time_ns = 1705310625000000000ULL;
  r.severity_number = 13;
  r.severity_text = "warn";
  r.attributes = {{"k", std::string("v")}, {"n", int64_t{3}}};
  return r;
}

TEST(AppendResourceLogsProto, OneResourcePerServiceWithTheRecordsInOrder) {
  std::vector<ParsedLog> records = {Record("a", ""), Record("b", "billing"), Record("c", "")};
  records[1].trace_id = *TraceId::FromHex(testing::kSampleTraceId);
  records[1].span_id = *SpanId::FromHex(testing::kSampleSpanId);
  records[1].trace_flags = 1;
  LogSource source{{{"host.name", std::string("web-1")}}, "shop", "callpath-ship"};
  std::string body;
  AppendResourceLogsProto(source, records, 42, &body);
  pb::ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(body));
  ASSERT_EQ(req.resource_logs_size(), 2);
  const auto& shop = req.resource_logs(0);
  ASSERT_EQ(shop.resource().attributes_size(), 2);
  EXPECT_EQ(shop.resource().attributes(0).key(), "host.name");
  EXPECT_EQ(shop.resource().attributes(1).value().string_value(), "shop");
  EXPECT_EQ(shop.scope_logs(0).scope().name(), "callpath-ship");
  ASSERT_EQ(shop.scope_logs(0).log_records_size(), 2);
  const auto& a = shop.scope_logs(0).log_records(0);
  EXPECT_EQ(a.body().string_value(), "a");
  EXPECT_EQ(a.severity_number(), 13);
  EXPECT_EQ(a.severity_text(), "warn");
  EXPECT_EQ(a.time_unix_nano(), 1705310625000000000ULL);
  EXPECT_EQ(a.observed_time_unix_nano(), 42u);
  EXPECT_EQ(a.attributes(1).value().int_value(), 3);
  EXPECT_TRUE(a.trace_id().empty());
  const auto& b = req.resource_logs(1).scope_logs(0).log_records(0);
  EXPECT_EQ(req.resource_logs(1).resource().attributes(1).value().string_value(), "billing");
  EXPECT_EQ(b.trace_id().size(), 16u);
  EXPECT_EQ(b.span_id().size(), 8u);
  EXPECT_EQ(b.flags(), 1u);
}

TEST(AppendResourceLogsProto, RepairsInvalidUtf8SoProtobufAcceptsTheRequest) {
  std::vector<ParsedLog> records = {Record("caf\xe9", "")};
  records[0].attributes.push_back({"bad\xff", std::string("\xc0\xaf")});
  std::string body;
  AppendResourceLogsProto(LogSource{{}, "shop", "test"}, records, 1, &body);
  pb::ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(body));
  EXPECT_EQ(req.resource_logs(0).scope_logs(0).log_records(0).body().string_value(), "caf\xef\xbf\xbd");
}

}  // namespace
}  // namespace callpath::logparse
