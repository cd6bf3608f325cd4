// A user's program built against the installed package: starts a traced
// span, exports it to a discarding exporter and prints its ids.
#include <iostream>

#include "callpath/exporters.h"
#include "callpath/trace.h"

int main() {
  auto* exporter = new callpath::DiscardingExporter;
  callpath::TracerProviderOptions options;
  options.force_enabled = true;
  options.processors.push_back(std::make_unique<callpath::SimpleSpanProcessor>(
      std::unique_ptr<callpath::SpanExporter>(exporter), callpath::Resource{}));
  auto provider = callpath::TracerProvider::Create(std::move(options));
  callpath::Span span = provider->GetTracer("consumer").StartSpan("main");
  const auto ids = span.context();
  span.End();
  std::cout << ids.trace_id().ToHex() << "-" << ids.span_id().ToHex() << "\n";
  return ids.IsValid() && exporter->spans() == 1 ? 0 : 1;
}
