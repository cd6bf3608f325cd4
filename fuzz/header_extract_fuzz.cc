// Fuzz target header_extract: arbitrary request header maps through the
// server-side extraction path (every propagator callpath ships, composed,
// then a SERVER span started from the result). It must never crash, and the
// context it yields is either invalid or well-formed: non-zero ids that
// survive a traceparent round trip, a tracestate that re-parses, flags
// within the W3C Level 2 bits (plus the B3/Jaeger debug bit).
//
// Input format: fields separated by '\n', each "name:value" (split at the
// first ':'); a few lines are enough for the fuzzer to hit every format.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "callpath/http/server_span.h"
#include "callpath/propagation.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckContext(const callpath::Context& ctx) {
  const callpath::SpanContext& sc = ctx.span_context();
  if (!sc.IsValid()) return;
  Check(sc.trace_id().IsValid() && sc.span_id().IsValid());
  Check((sc.trace_flags().bits & ~(0x03 | callpath::kTraceFlagDebug)) == 0);
  char tp[callpath::kTraceparentSize];
  callpath::FormatTraceparent(sc, tp);
  auto parsed = callpath::ParseTraceparent(std::string_view(tp, sizeof(tp)));
  Check(parsed.has_value());
  Check(parsed->trace_id() == sc.trace_id() && parsed->span_id() == sc.span_id());
  callpath::TraceState reparsed;
  std::string ts = sc.trace_state().ToHeader();
  Check(ts.empty() || callpath::TraceState::Parse(ts, &reparsed));
  Check(sc.trace_state().size() <= callpath::TraceState::kMaxMembers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* propagator =
      callpath::MakePropagators("tracecontext,baggage,b3,b3multi,jaeger,xtraceid").release();
  static const callpath::W3CTraceContextPropagator w3c;

  callpath::HeaderMapCarrier::Headers headers;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  callpath::HeaderMapCarrier carrier(std::as_const(headers));

  CheckContext(propagator->Extract(carrier));
  CheckContext(w3c.Extract(carrier));

  // The instrumentation's own path (no tracer installed: a no-op span that
  // carries the extracted parent).
  callpath::http::ServerOptions options;
  options.propagator = propagator;
  options.access_log = false;
  callpath::http::IncomingRequest request{.method = "GET",
                                          .target = "/fuzz?q=1",
                                          .protocol_version = "1.1",
                                          .peer_address = "127.0.0.1",
                                          .headers = &carrier};
  callpath::http::ServerSpan span(request, options);
  CheckContext(span.context());
  for (auto& [name, value] : span.ResponseHeaders()) Check(!name.empty() && value.size() <= 55);
  span.End(200);
  return 0;
}
