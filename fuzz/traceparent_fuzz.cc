// Feeds arbitrary bytes as a traceparent value. Whatever extracts as valid
// must survive inject -> extract unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "callpath/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath;
  const std::string value(reinterpret_cast<const char*>(data), size);
  HeaderMapCarrier::Headers in = {{"traceparent", value}};
  W3CTraceContextPropagator w3c;
  Context first = w3c.Extract(HeaderMapCarrier(std::as_const(in)));
  if (auto parsed = ParseTraceparent(value); parsed.has_value() != first.span_context().IsValid()) {
    std::abort();  // the free parser and the propagator disagree
  }
  if (!first.span_context().IsValid()) return 0;

  FlatCarrier<> out;
  w3c.Inject(first, out);
  if (out.Get("traceparent").size() != kTraceparentSize || out.Get("traceparent")[1] != '0') {
    std::abort();  // always version 00
  }
  Context second = w3c.Extract(out);
  if (!(second == first)) std::abort();
  return 0;
}
