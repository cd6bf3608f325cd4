#include "callpath/log/options.h"

#include <unistd.h>

#include <cstdlib>

#include "callpath/log/otlp_sink.h"
#include "callpath/log/sinks.h"
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

// Percent-decodes an OTEL_RESOURCE_ATTRIBUTES value; false on a bad escape.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= in.size()) return false;
    int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string ExecutableName() {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return {};
  std::string_view p(path, static_cast<size_t>(n));
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

}  // namespace

std::string ServiceNameFromEnvironment() {
  if (auto v = env::Get("OTEL_SERVICE_NAME")) return *v;
  if (auto attrs = env::Get("OTEL_RESOURCE_ATTRIBUTES")) {
    std::string_view rest = *attrs;
    std::string key, value, found;
    bool ok = true;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        ok = false;
        break;
      }
      auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
      };
      if (!PercentDecode(trim(item.substr(0, eq)), &key) ||
          !PercentDecode(trim(item.substr(eq + 1)), &value)) {
        ok = false;
        break;
      }
      if (key == "service.name") found = value;
    }
    if (ok && !found.empty()) return found;
  }
  std::string exe = ExecutableName();
  return exe.empty() ? "unknown_service" : "unknown_service:" + exe;
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
