#include <gtest/gtest.h>

#include <cstdio>

#include "callpath/exporters.h"

namespace callpath {
namespace {

SpanData SampleSpan() {
  SpanData s;
  s.context = SpanContext(*TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736"),
                          *SpanId::FromHex("00f067aa0ba902b7"), TraceFlags{1}, false);
  s.parent_span_id = *SpanId::FromHex("53995c3f42cd8ad8");
  s.parent_is_remote = true;
  s.name = "GET /users";
  s.kind = SpanKind::kServer;
  s.start_time_unix_nano = 1735787045678901234ULL;  // 2025-01-02T03:04:05.678901234Z
  s.end_time_unix_nano = s.start_time_unix_nano + 12345678;
  s.attributes = {{"http.method", std::string("GET")},
                  {"http.status_code", int64_t{500}},
                  {"ratio", 0.5},
                  {"cached", false},
                  {"tags", std::vector<std::string>{"a", "b\"c"}},
                  {"flags", std::vector<bool>{true, false}}};
  s.status_code = SpanStatusCode::kError;
  s.status_message = "db\ndown";
  s.events.push_back(SpanEvent{s.start_time_unix_nano + 10, "retry", {}, 0});
  return s;
}

TEST(StdoutExporterTest, FormatsOneLinePerSpan) {
  EXPECT_EQ(StdoutExporter::FormatSpan(SampleSpan()),
            "2025-01-02T03:04:05.678901Z 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 "
            "parent=53995c3f42cd8ad8(remote) SERVER \"GET /users\" 12.345ms ERROR(\"db\\ndown\") "
            "{http.method=\"GET\", http.status_code=500, ratio=0.5, cached=false, "
            "tags=[\"a\",\"b\\\"c\"], flags=[true,false]} events=1");
}

TEST(StdoutExporterTest, RootSpanWithoutAttributes) {
  SpanData s;
  s.context = SpanContext(*TraceId::FromHex("0000000000000000000000000000000a"),
                          *SpanId::FromHex("000000000000000b"), TraceFlags{1}, false);
  s.name = "work";
  s.start_time_unix_nano = 0;
  s.end_time_unix_nano = 999;  // under a microsecond
  EXPECT_EQ(StdoutExporter::FormatSpan(s),
            "1970-01-01T00:00:00.000000Z 0000000000000000000000000000000a 000000000000000b "
            "parent=- INTERNAL \"work\" 0.000ms UNSET {}");
}

TEST(StdoutExporterTest, EndBeforeStartShowsZeroDuration) {
  SpanData s = SampleSpan();
  s.end_time_unix_nano = s.start_time_unix_nano - 1;
  EXPECT_NE(StdoutExporter::FormatSpan(s).find(" 0.000ms "), std::string::npos);
}

TEST(StdoutExporterTest, ExportWritesEveryLineAndFlushes) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* mem = open_memstream(&data, &size);
  ASSERT_NE(mem, nullptr);
  {
    StdoutExporter exporter(mem);
    std::vector<SpanData> batch{SampleSpan(), SampleSpan()};
    batch[1].name = "second";
    ASSERT_TRUE(exporter.Export(batch, Resource{}).ok());
    // Flushed by Export: the memstream's buffer is up to date now.
    std::string text(data, size);
    EXPECT_EQ(text, StdoutExporter::FormatSpan(batch[0]) + "\n" +
                        StdoutExporter::FormatSpan(batch[1]) + "\n");
  }
  std::fclose(mem);
  std::free(data);
}

TEST(DiscardingExporterTest, CountsSpansAndBatches) {
  DiscardingExporter exporter;
  std::vector<SpanData> batch(3);
  ASSERT_TRUE(exporter.Export(batch, Resource{}).ok());
  ASSERT_TRUE(exporter.Export(std::span<const SpanData>(batch).first(1), Resource{}).ok());
  EXPECT_EQ(exporter.spans(), 4u);
  EXPECT_EQ(exporter.batches(), 2u);
}

}  // namespace
}  // namespace callpath
