#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>

#include "callpath/exporters.h"

namespace callpath {
namespace {

// Sets variables for one test and restores the previous values after it.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::initializer_list<std::pair<std::string, std::string>> vars) {
    for (const auto& [k, v] : vars) {
      const char* old = ::getenv(k.c_str());
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : saved_) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1); else ::unsetenv(k.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST(SpanExporterFromEnvironmentTest, OtlpIsTheDefault) {
  ScopedEnv env({{"OTEL_TRACES_EXPORTER", ""},
                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.test:4318/"},
                 {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"}});
  std::unique_ptr<SpanExporter> e = SpanExporterFromEnvironment();
  auto* otlp = dynamic_cast<OtlpHttpExporter*>(e.get());
  ASSERT_NE(otlp, nullptr);
  EXPECT_EQ(otlp->options().endpoint, "http://collector.test:4318/v1/traces");
  EXPECT_EQ(otlp->options().protocol, OtlpProtocol::kHttpJson);
}

TEST(SpanExporterFromEnvironmentTest, ConsoleNoneAndFile) {
  {
    ScopedEnv env({{"OTEL_TRACES_EXPORTER", "console"}});
    EXPECT_NE(dynamic_cast<StdoutExporter*>(SpanExporterFromEnvironment().get()), nullptr);
  }
  {
    ScopedEnv env({{"OTEL_TRACES_EXPORTER", "none"}});
    EXPECT_EQ(SpanExporterFromEnvironment(), nullptr);
  }
  {
    const std::string path = ::testing::TempDir() + "/callpath_factory_" + std::to_string(::getpid());
    ScopedEnv env({{"OTEL_TRACES_EXPORTER", "file"}, {"CALLPATH_TRACES_FILE", path}});
    EXPECT_NE(dynamic_cast<FileExporter*>(SpanExporterFromEnvironment().get()), nullptr);
    std::remove(path.c_str());
  }
  {
    ScopedEnv env({{"OTEL_TRACES_EXPORTER", "file"},
                   {"CALLPATH_TRACES_FILE", "/nonexistent-dir/for/sure/t.jsonl"}});
    EXPECT_EQ(SpanExporterFromEnvironment(), nullptr);  // reported on stderr
  }
}

}  // namespace
}  // namespace callpath
