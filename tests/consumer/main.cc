// A user's program: starts a span with the installed SDK and prints its ids.
#include <iostream>

#include "callpath/ids.h"

int main() {
  callpath::TraceId trace = callpath::NewTraceId();
  callpath::SpanId span = callpath::NewSpanId();
  std::cout << trace.ToHex() << "-" << span.ToHex() << "\n";
  return trace.IsValid() && span.IsValid() ? 0 : 1;
}
