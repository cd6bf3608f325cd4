#include "logparse/es_bulk.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::kSampleTraceId;

TEST(DecodeEsBulk, IndexAndCreateActionsWithEcsDocuments) {
  std::string body = std::string(R"({"index":{"_index":"app-logs","_id":"a1"}})") + "\n" +
                     R"({"@timestamp":"2024-01-15T09:23:45.123Z","message":"order placed","log":{"level":"warn"},"service":{"name":"shop"},"trace":{"id":")" +
                     kSampleTraceId + "\"}}\n" + R"({"create":{}})" + "\n" + R"({"message":"second","host":{"name":"web-1"}})" + "\n";
  PushedLogs out;
  std::vector<BulkItem> items;
  ASSERT_TRUE(DecodeEsBulk(body, "filebeat-8", &out, &items).ok());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].action, "index");
  EXPECT_EQ(items[0].id, "a1");
  EXPECT_EQ(items[1].action, "create");
  EXPECT_EQ(items[1].index, "filebeat-8");
  EXPECT_FALSE(items[1].id.empty());
  ASSERT_EQ(out.streams.size(), 2u);  // one per index
  const ParsedLog& r = out.streams[0].records[0];
  EXPECT_EQ(r.body, "order placed");
  EXPECT_EQ(r.severity_number, 13);
  EXPECT_EQ(r.service, "shop");
  EXPECT_EQ(r.trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(out.streams[0].source.resource[0].key, "elasticsearch.index");
  EXPECT_EQ(testing::Attr(out.streams[1].records[0], "host.name"), "web-1");
}

TEST(DecodeEsBulk, BadDocumentsAndUnsupportedActionsFailPerItem) {
  std::string body = "{\"index\":{}}\nnot json\n{\"delete\":{\"_id\":\"x\"}}\n{\"update\":{\"_id\":\"y\"}}\n"
                     "{\"doc\":{}}\n{\"index\":{}}\n{\"message\":\"kept\"}";
  PushedLogs out;
  std::vector<BulkItem> items;
  ASSERT_TRUE(DecodeEsBulk(body, "", &out, &items).ok());
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].status, 400);
  EXPECT_EQ(items[1].status, 501);
  EXPECT_EQ(items[2].status, 501);
  EXPECT_EQ(items[3].status, 201);
  EXPECT_EQ(out.record_count(), 1u);
  std::string response = EsBulkResponse(items, 3);
  EXPECT_NE(response.find("\"errors\":true"), std::string::npos);
  EXPECT_NE(response.find("\"delete\":{\"_index\":\"\",\"_id\":\"x\""), std::string::npos);
}

TEST(DecodeEsBulk, RejectsBodiesThatCannotBeSplitIntoItems) {
  for (const char* bad : {"{\"index\":{}}", "not json\n{}\n", "{\"index\":{},\"create\":{}}\n{}\n",
                          "{\"upsert\":{}}\n{}\n", "{\"index\":1}\n{}\n", "[]\n"}) {
    PushedLogs out;
    std::vector<BulkItem> items;
    Status s = DecodeEsBulk(bad, "", &out, &items);
    EXPECT_FALSE(s.ok()) << bad;
  }
}

TEST(EsBulkResponse, AllCreatedMeansNoErrors) {
  std::vector<BulkItem> items(1);
  items[0].action = "create";
  items[0].index = "logs";
  items[0].id = "1";
  EXPECT_EQ(EsBulkResponse(items, 7),
            R"({"took":7,"errors":false,"items":[{"create":{"_index":"logs","_id":"1","_version":1,"result":"created",)"
            R"("_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}]})");
}

}  // namespace
}  // namespace callpath::logparse
