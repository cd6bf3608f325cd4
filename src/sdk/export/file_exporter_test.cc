#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "callpath/exporters.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace callpath {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/callpath_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<SpanData> Batch(int n, const std::string& name) {
  std::vector<SpanData> spans(n);
  for (int i = 0; i < n; ++i) {
    spans[i].context = SpanContext(NewTraceId(), NewSpanId(), TraceFlags{1}, false);
    spans[i].name = name + "\n" + std::to_string(i);  // a newline must not split the line
    spans[i].start_time_unix_nano = 1;
    spans[i].end_time_unix_nano = 2;
  }
  return spans;
}

size_t SpanCount(const std::string& json_line) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  auto st = google::protobuf::util::JsonStringToMessage(json_line, &req);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << json_line;
  size_t n = 0;
  for (const auto& rs : req.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

TEST(FileExporterTest, OneOtlpJsonRequestPerBatchPerLine) {
  const std::string path = TempPath("lines.jsonl");
  std::remove(path.c_str());
  auto exporter = FileExporter::Open(path);
  ASSERT_TRUE(exporter.ok()) << exporter.status().ToString();
  Resource resource;
  resource.attributes = {{"service.name", std::string("files")}};
  ASSERT_TRUE((*exporter)->Export(Batch(3, "a"), resource).ok());
  // Written and flushed by the time Export returns.
  std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(SpanCount(lines[0]), 3u);

  ASSERT_TRUE((*exporter)->Export(Batch(2, "b"), resource).ok());
  ASSERT_TRUE((*exporter)->Export({}, resource).ok());  // nothing written for no spans
  lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(SpanCount(lines[1]), 2u);
  EXPECT_NE(lines[1].find("\"service.name\""), std::string::npos);
  EXPECT_EQ((*exporter)->stats().exported_spans, 5u);

  ASSERT_TRUE((*exporter)->Shutdown(std::chrono::seconds(1)).ok());
  EXPECT_EQ((*exporter)->Export(Batch(1, "c"), resource).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*exporter)->stats().failed_spans, 1u);
  std::remove(path.c_str());
}

TEST(FileExporterTest, AppendsToAnExistingFile) {
  const std::string path = TempPath("append.jsonl");
  { std::ofstream(path) << "previous line\n"; }
  {
    auto exporter = FileExporter::Open(path);
    ASSERT_TRUE(exporter.ok());
    ASSERT_TRUE((*exporter)->Export(Batch(1, "x"), Resource{}).ok());
  }
  std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "previous line");
  std::remove(path.c_str());
}

TEST(FileExporterTest, UnopenablePathIsAnError) {
  EXPECT_FALSE(FileExporter::Open("/nonexistent-dir/for/sure/traces.jsonl").ok());
  EXPECT_EQ(FileExporter::Open("").status().code(), StatusCode::kInvalidArgument);
}

TEST(FileExporterTest, WriteErrorsAreReportedNotThrown) {
  auto exporter = FileExporter::Open("/dev/full");  // every write fails with ENOSPC
  if (!exporter.ok()) GTEST_SKIP() << "no /dev/full";
  Status s = (*exporter)->Export(Batch(2, "y"), Resource{});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_EQ((*exporter)->stats().failed_spans, 2u);
}

}  // namespace
}  // namespace callpath
