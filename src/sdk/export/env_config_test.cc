#include "sdk/export/env_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace callpath::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

OtlpHttpExporterOptions Traces(std::map<std::string, std::string> vars,
                               std::vector<std::string>* warnings = nullptr) {
  return OtlpHttpOptionsFromEnv(OtlpSignal::kTraces, MapEnv(std::move(vars)), warnings);
}

TEST(OtlpEnvTest, DefaultsWhenNothingIsSet) {
  std::vector<std::string> warnings;
  OtlpHttpExporterOptions o = Traces({}, &warnings);
  EXPECT_EQ(o.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_THAT(o.headers, IsEmpty());
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o.compression, OtlpCompression::kNone);
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(OtlpEnvTest, LogsSignalUsesLogsPathAndLogsVariables) {
  auto env = MapEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                     {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:1/t"},
                     {"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "gzip"}});
  OtlpHttpExporterOptions logs = OtlpHttpOptionsFromEnv(OtlpSignal::kLogs, env, nullptr);
  EXPECT_EQ(logs.endpoint, "http://c:4318/v1/logs");
  EXPECT_EQ(logs.compression, OtlpCompression::kGzip);
  OtlpHttpExporterOptions traces = OtlpHttpOptionsFromEnv(OtlpSignal::kTraces, env, nullptr);
  EXPECT_EQ(traces.endpoint, "http://traces:1/t");
  EXPECT_EQ(traces.compression, OtlpCompression::kNone);
  EXPECT_EQ(OtlpHttpOptionsFromEnv(OtlpSignal::kMetrics, MapEnv({}), nullptr).endpoint,
            "http://localhost:4318/v1/metrics");
}

TEST(OtlpEnvTest, BaseEndpointGetsSignalPathWithOneSlash) {
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).endpoint,
            "http://c:4318/v1/traces");
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"}}).endpoint,
            "http://c:4318/v1/traces");
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/mycollector/"}}).endpoint,
            "http://c:4318/mycollector/v1/traces");
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://127.0.0.1:4318/base"}}).endpoint,
            "https://127.0.0.1:4318/base/v1/traces");
}

TEST(OtlpEnvTest, SignalEndpointIsUsedAsIsExceptEmptyPath) {
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom/path"}}).endpoint,
            "http://c:4318/custom/path");
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318"}}).endpoint,
            "http://c:4318/");
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/"}}).endpoint,
            "http://c:4318/");
}

TEST(OtlpEnvTest, SignalSpecificVariablesWin) {
  OtlpHttpExporterOptions o = Traces({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:1"},
      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://specific:2/v1/traces"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "a=generic"},
      {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=specific"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
      {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
      {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "none"},
      {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/generic.pem"},
      {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/specific.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/client.pem"},
      {"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/client.key"},
  });
  EXPECT_EQ(o.endpoint, "http://specific:2/v1/traces");
  // Signal-specific headers replace the generic list; they are not merged.
  EXPECT_THAT(o.headers, ElementsAre(Pair("b", "specific")));
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(o.compression, OtlpCompression::kGzip);
  EXPECT_EQ(o.certificate_file, "/specific.pem");
  EXPECT_EQ(o.client_certificate_file, "/client.pem");
  EXPECT_EQ(o.client_key_file, "/client.key");
}

TEST(OtlpEnvTest, EmptyValuesCountAsUnset) {
  std::vector<std::string> warnings;
  OtlpHttpExporterOptions o = Traces({
      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:9"},
      {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", ""},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "750"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", ""},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", ""},
      {"OTEL_EXPORTER_OTLP_HEADERS", ""},
  }, &warnings);
  EXPECT_EQ(o.endpoint, "http://base:9/v1/traces");
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o.compression, OtlpCompression::kNone);
  EXPECT_THAT(o.headers, IsEmpty());
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(OtlpEnvTest, BadValuesWarnAndFallBack) {
  std::vector<std::string> warnings;
  OtlpHttpExporterOptions o = Traces({
      {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5"},  // bad: the generic one applies
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "3000"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"},  // no scheme
  }, &warnings);
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o.compression, OtlpCompression::kNone);
  EXPECT_EQ(o.endpoint, "http://localhost:4318/v1/traces");
  ASSERT_THAT(warnings, SizeIs(4));
  EXPECT_THAT(warnings[0], HasSubstr("OTEL_EXPORTER_OTLP_ENDPOINT"));
  EXPECT_THAT(warnings[1], HasSubstr("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"));
  EXPECT_THAT(warnings[2], HasSubstr("carrier-pigeon"));
  EXPECT_THAT(warnings[3], HasSubstr("zstd"));
}

TEST(OtlpEnvTest, TimeoutValues) {
  EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}}).timeout, std::chrono::milliseconds(0));
  for (const char* bad : {"1.5", " 100", "100ms", "+100", "99999999999999999999999"}) {
    std::vector<std::string> warnings;
    EXPECT_EQ(Traces({{"OTEL_EXPORTER_OTLP_TIMEOUT", bad}}, &warnings).timeout,
              std::chrono::milliseconds(10000)) << bad;
    EXPECT_THAT(warnings, SizeIs(1)) << bad;
  }
}

TEST(OtlpEnvTest, ProtocolAndCompressionAreCaseInsensitive) {
  OtlpHttpExporterOptions o = Traces({{"OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/JSON"},
                                      {"OTEL_EXPORTER_OTLP_COMPRESSION", "GZip"}});
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(o.compression, OtlpCompression::kGzip);
}

TEST(OtlpEnvTest, GrpcFallsBackToHttpProtobufWithWarning) {
  std::vector<std::string> warnings;
  OtlpHttpExporterOptions o = Traces({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                                      {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"}},
                                     &warnings);
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("grpc"));
}

TEST(OtlpEnvTest, HeadersArePercentDecodedAndTrimmed) {
  OtlpHttpExporterOptions o = Traces(
      {{"OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=secret%20one, Authorization = Bearer%3Dabc ,k=a%2Cb"}});
  EXPECT_THAT(o.headers, ElementsAre(Pair("x-api-key", "secret one"),
                                     Pair("Authorization", "Bearer=abc"), Pair("k", "a,b")));
}

TEST(HeaderListTest, MalformedMembersAreSkippedOthersKept) {
  std::vector<std::string> warnings;
  auto headers = ParseHeaderList("good=1,novalue,=empty-key,bad%zz=2,ok=%4,x y=3,crlf=a%0D%0Ab,,last=", &warnings);
  EXPECT_THAT(headers, ElementsAre(Pair("good", "1"), Pair("last", "")));
  EXPECT_THAT(warnings, SizeIs(6));
}

TEST(PercentDecodeTest, Cases) {
  EXPECT_EQ(PercentDecode("a%20b%2c%2C+"), "a b,,+");
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("%41"), "A");
  EXPECT_EQ(PercentDecode("%"), std::nullopt);
  EXPECT_EQ(PercentDecode("%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0"), std::nullopt);
}

TEST(EndpointTest, JoinAndNormalize) {
  EXPECT_EQ(JoinSignalEndpoint("http://h", OtlpSignal::kLogs), "http://h/v1/logs");
  EXPECT_EQ(JoinSignalEndpoint("http://h/a/", OtlpSignal::kTraces), "http://h/a/v1/traces");
  EXPECT_EQ(NormalizeSignalEndpoint("http://h:1"), "http://h:1/");
  EXPECT_EQ(NormalizeSignalEndpoint("http://h:1?x=1"), "http://h:1/?x=1");
  EXPECT_EQ(NormalizeSignalEndpoint("http://h:1/p?x=1"), "http://h:1/p?x=1");
}

TEST(EndpointTest, IsHttpUrl) {
  EXPECT_TRUE(IsHttpUrl("http://localhost:4318"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://collector.example/otlp"));
  EXPECT_FALSE(IsHttpUrl("localhost:4318"));
  EXPECT_FALSE(IsHttpUrl("ftp://h/"));
  EXPECT_FALSE(IsHttpUrl("http://"));
  EXPECT_FALSE(IsHttpUrl("http:///path"));
  EXPECT_FALSE(IsHttpUrl("http://h/a b"));
}

TEST(TracesExporterEnvTest, Choices) {
  auto kind = [](std::map<std::string, std::string> vars, std::vector<std::string>* w = nullptr) {
    return TracesExporterFromEnv(MapEnv(std::move(vars)), w);
  };
  EXPECT_EQ(kind({}).kind, TracesExporterKind::kOtlp);
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", ""}}).kind, TracesExporterKind::kOtlp);
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "otlp"}}).kind, TracesExporterKind::kOtlp);
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "Console"}}).kind, TracesExporterKind::kConsole);
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "none"}}).kind, TracesExporterKind::kNone);

  TracesExporterChoice file = kind({{"OTEL_TRACES_EXPORTER", "file"}});
  EXPECT_EQ(file.kind, TracesExporterKind::kFile);
  EXPECT_EQ(file.file_path, "callpath-traces.jsonl");
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "file"}, {"CALLPATH_TRACES_FILE", "/tmp/t.jsonl"}}).file_path,
            "/tmp/t.jsonl");

  std::vector<std::string> warnings;
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "zipkin, console ,otlp"}}, &warnings).kind,
            TracesExporterKind::kConsole);
  ASSERT_THAT(warnings, SizeIs(2));
  EXPECT_THAT(warnings[0], HasSubstr("zipkin"));
  EXPECT_THAT(warnings[1], HasSubstr("otlp"));

  warnings.clear();
  EXPECT_EQ(kind({{"OTEL_TRACES_EXPORTER", "jaeger"}}, &warnings).kind, TracesExporterKind::kOtlp);
  EXPECT_THAT(warnings, SizeIs(1));
}

}  // namespace
}  // namespace callpath::internal
