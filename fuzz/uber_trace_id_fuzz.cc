// Feeds arbitrary bytes to the Jaeger propagator: the first line is the
// uber-trace-id value, each further line "key=value" an uberctx-key field.
// A valid result must survive inject -> extract.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "callpath/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  HeaderMapCarrier::Headers in;
  size_t nl = input.find('\n');
  in.emplace_back("uber-trace-id", std::string(input.substr(0, nl)));
  while (nl != std::string_view::npos) {
    input.remove_prefix(nl + 1);
    nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    size_t eq = line.find('=');
    in.emplace_back("uberctx-" + std::string(line.substr(0, eq)),
                    eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1)));
  }
  JaegerPropagator jaeger;
  Context first = jaeger.Extract(HeaderMapCarrier(std::as_const(in)));
  if (!first.span_context().IsValid() && first.baggage().empty()) return 0;

  HeaderMapCarrier::Headers out;
  HeaderMapCarrier carrier(out);
  jaeger.Inject(first, carrier);
  Context second = jaeger.Extract(HeaderMapCarrier(std::as_const(out)));
  if (!(second == first)) std::abort();
  return 0;
}
