// Built against the installed callpath::http: carries a span's context
// through message headers (callpath/messaging.h) and back.
#include <iostream>

#include "callpath/messaging.h"

int main() {
  callpath::SpanContext span(*callpath::TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736"),
                             *callpath::SpanId::FromHex("00f067aa0ba902b7"), callpath::TraceFlags{1},
                             /*remote=*/false);
  callpath::MessageHeaders headers;
  callpath::InjectIntoMessage(callpath::Context(span), headers);
  const callpath::Context got = callpath::ExtractFromMessage(headers);
  std::cout << got.span_context().trace_id().ToHex() << "\n";
  return got.span_context().trace_id() == span.trace_id() ? 0 : 1;
}
