// quickstart: one small trace and three log lines inside it, exported to
// wherever the OTEL_* variables point (by default OTLP/HTTP protobuf to
// localhost:4318: traces to /v1/traces, logs to /v1/logs).
//
//   build/bin/quickstart                         # prints the trace id as its last line
//   OTEL_TRACES_EXPORTER=console build/bin/quickstart
//   CALLPATH_LOG_FORMAT=json build/bin/quickstart   # log lines on stdout as JSON
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "callpath/log.h"
#include "callpath/log/otlp_sink.h"
#include "callpath/trace.h"

namespace {

// Log lines go to stdout (JSON with CALLPATH_LOG_FORMAT=json) and, unless
// OTEL_LOGS_EXPORTER says otherwise, to the same OTLP receiver as the spans.
void InitLogging() {
  namespace log = callpath::log;
  log::Options options = log::Options::FromEnvironment();
  const char* format = std::getenv("CALLPATH_LOG_FORMAT");
  const bool json = format != nullptr && std::string(format) == "json";
  if (std::getenv("CALLPATH_LOG_FILE") == nullptr) {
    options.sinks.clear();
    options.sinks.push_back(std::make_shared<log::ConsoleSink>(log::ConsoleSinkOptions{
        .use_stdout = true, .format = json ? log::ConsoleFormat::kJson : log::ConsoleFormat::kConsole}));
  }
  const char* logs_exporter = std::getenv("OTEL_LOGS_EXPORTER");
  const bool otlp_logs = logs_exporter == nullptr || std::string(logs_exporter) == "otlp";
  bool has_otlp = false;
  for (const auto& sink : options.sinks) {
    has_otlp = has_otlp || dynamic_cast<log::OtlpLogSink*>(sink.get()) != nullptr;
  }
  if (otlp_logs && !has_otlp) {
    options.sinks.push_back(
        std::make_shared<log::OtlpLogSink>(log::OtlpLogSinkOptions::FromEnvironment()));
  }
  if (options.service_name.empty()) options.service_name = "quickstart";
  (void)log::Init(std::move(options));
}

}  // namespace

int main() {
  using namespace callpath;
  if (std::getenv("OTEL_SERVICE_NAME") == nullptr) setenv("OTEL_SERVICE_NAME", "quickstart", 0);
  auto provider = TracerProvider::Create();
  SetGlobalTracerProvider(provider);
  InitLogging();
  Tracer tracer = GetTracer("callpath.quickstart", "0.1.0");
  log::Logger logger("checkout");

  Span checkout = tracer.StartSpan("checkout", {.kind = SpanKind::kServer});
  checkout.SetAttribute("user.id", "u-1042")
      .SetAttribute("cart.items", 3)
      .SetAttribute("user.premium", true);
  {
    Scope in_checkout = checkout.Activate();
    logger.info("checkout started", {"user_id", "u-1042"}, {"items", 3});

    Span reserve = tracer.StartSpan("reserve-inventory");
    reserve.SetAttribute("inventory.sku", "sku-7").SetAttribute("inventory.quantity", 2);
    {
      Scope in_reserve = reserve.Activate();
      logger.warn("stock is low", {"sku", "sku-7"}, {"remaining", 2});
    }
    reserve.End();

    Span charge = tracer.StartSpan("POST /payments", {.kind = SpanKind::kClient});
    charge.SetAttribute("http.request.method", "POST")
        .SetAttribute("server.address", "payments.internal")
        .SetAttribute("server.port", 8443)
        .SetAttribute("http.response.status_code", 503);
    try {
      throw std::runtime_error("payment gateway unavailable");
    } catch (const std::exception& e) {
      Scope in_charge = charge.Activate();
      charge.RecordException(e);
      charge.SetStatus(SpanStatusCode::kError, e.what());
      logger.error("payment failed", {"status", 503}, {"reason", e.what()});
    }
    charge.End();
  }
  checkout.SetStatus(SpanStatusCode::kError, "payment failed");
  checkout.End();

  const std::string trace_id = checkout.context().trace_id().ToHex();
  log::Shutdown();
  Status flushed = provider->Shutdown();
  if (!flushed.ok()) std::fprintf(stderr, "quickstart: export: %s\n", flushed.ToString().c_str());
  std::fflush(stdout);
  std::printf("%s\n", trace_id.c_str());
  return 0;
}
