#include "callpath/log/options.h"

#include <cstdlib>

#include "callpath/log/otlp_sink.h"
#include "callpath/log/sinks.h"
#include "callpath/span_data.h"
#include "log/backend.h"
#include "sdk/env.h"

namespace callpath::log {
namespace detail {
namespace {

ConsoleFormat FormatFromEnvironment() {
  if (auto v = env::Get("CALLPATH_LOG_FORMAT")) {
    std::string f = env::Lower(*v);
    if (f == "json") return ConsoleFormat::kJson;
    if (f != "console") env::Warn("CALLPATH_LOG_FORMAT: expected json or console, got " + *v);
  }
  return ConsoleFormat::kConsole;
}

}  // namespace

// The SDK's resource rules (OTEL_SERVICE_NAME, then service.name in
// OTEL_RESOURCE_ATTRIBUTES, then unknown_service:<executable>), so log lines
// and spans of one process name the same service.
std::string ServiceNameFromEnvironment() {
  return std::string(Resource::FromEnvironment().service_name());
}

std::vector<std::shared_ptr<Sink>> DefaultSinks() {
  ConsoleSinkOptions o;
  o.format = FormatFromEnvironment();
  return {std::make_shared<ConsoleSink>(o)};
}

}  // namespace detail

Options Options::FromEnvironment() {
  Options o;
  if (auto v = env::Get("CALLPATH_LOG_LEVEL")) {
    if (auto level = ParseLevel(*v)) {
      o.level = *level;
    } else {
      env::Warn("CALLPATH_LOG_LEVEL: unknown level " + *v);
    }
  }
  if (auto path = env::Get("CALLPATH_LOG_FILE")) {
    FileSinkOptions fo;
    fo.path = *path;
    auto sink = FileSink::Open(fo);
    if (sink.ok()) {
      o.sinks.push_back(std::move(*sink));
    } else {
      env::Warn("CALLPATH_LOG_FILE: " + sink.status().ToString() + "; logging to stderr");
    }
  }
  if (o.sinks.empty()) o.sinks = detail::DefaultSinks();
  // OTLP export only when an endpoint is configured: logging must not start
  // talking to the network by default.
  bool endpoint = env::Get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") || env::Get("OTEL_EXPORTER_OTLP_ENDPOINT");
  auto exporter = env::Get("OTEL_LOGS_EXPORTER");
  bool disabled = exporter && env::Lower(*exporter) != "otlp";
  if (endpoint && !disabled) {
    o.sinks.push_back(std::make_shared<OtlpLogSink>(OtlpLogSinkOptions::FromEnvironment()));
  }
  o.service_name = detail::ServiceNameFromEnvironment();
  return o;
}

}  // namespace callpath::log
