// Feeds arbitrary bytes as a tracestate value (and, split at the first
// newline, as two tracestate fields) behind a valid traceparent. A state
// that parses must come back unchanged from inject -> extract and from
// ToHeader -> Parse.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "callpath/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath;
  const std::string input(reinterpret_cast<const char*>(data), size);
  HeaderMapCarrier::Headers in = {
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  size_t nl = input.find('\n');
  in.emplace_back("tracestate", input.substr(0, nl));
  if (nl != std::string::npos) in.emplace_back("tracestate", input.substr(nl + 1));

  W3CTraceContextPropagator w3c;
  Context first = w3c.Extract(HeaderMapCarrier(std::as_const(in)));
  if (!first.span_context().IsValid()) std::abort();  // tracestate never spoils the trace
  const TraceState& state = first.span_context().trace_state();
  if (state.size() > TraceState::kMaxMembers) std::abort();

  TraceState reparsed;
  if (!TraceState::Parse(state.ToHeader(), &reparsed) || !(reparsed == state)) std::abort();

  HeaderMapCarrier::Headers out;
  HeaderMapCarrier carrier(out);
  w3c.Inject(first, carrier);
  Context second = w3c.Extract(HeaderMapCarrier(std::as_const(out)));
  if (!(second == first)) std::abort();
  return 0;
}
