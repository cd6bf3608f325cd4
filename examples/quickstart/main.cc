// quickstart: one small trace, exported to wherever the OTEL_* variables
// point (by default OTLP/HTTP protobuf to localhost:4318).
//
//   build/bin/quickstart            # prints the trace id as its last line
//   OTEL_TRACES_EXPORTER=console build/bin/quickstart
#include <cstdio>
#include <stdexcept>

#include "callpath/trace.h"

int main() {
  using namespace callpath;
  auto provider = TracerProvider::Create();
  SetGlobalTracerProvider(provider);
  Tracer tracer = GetTracer("callpath.quickstart", "0.1.0");

  Span checkout = tracer.StartSpan("checkout", {.kind = SpanKind::kServer});
  checkout.SetAttribute("user.id", "u-1042")
      .SetAttribute("cart.items", 3)
      .SetAttribute("user.premium", true);
  {
    Scope in_checkout = checkout.Activate();

    Span reserve = tracer.StartSpan("reserve-inventory");
    reserve.SetAttribute("inventory.sku", "sku-7").SetAttribute("inventory.quantity", 2);
    reserve.End();

    Span charge = tracer.StartSpan("POST /payments", {.kind = SpanKind::kClient});
    charge.SetAttribute("http.request.method", "POST")
        .SetAttribute("server.address", "payments.internal")
        .SetAttribute("server.port", 8443)
        .SetAttribute("http.response.status_code", 503);
    try {
      throw std::runtime_error("payment gateway unavailable");
    } catch (const std::exception& e) {
      charge.RecordException(e);
      charge.SetStatus(SpanStatusCode::kError, e.what());
    }
    charge.End();
  }
  checkout.SetStatus(SpanStatusCode::kError, "payment failed");
  checkout.End();

  const std::string trace_id = checkout.context().trace_id().ToHex();
  Status flushed = provider->Shutdown();
  if (!flushed.ok()) std::fprintf(stderr, "quickstart: export: %s\n", flushed.ToString().c_str());
  std::printf("%s\n", trace_id.c_str());
  return 0;
}
