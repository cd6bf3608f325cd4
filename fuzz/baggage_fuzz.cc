// Feeds arbitrary bytes as a baggage value. What extracts must respect the
// W3C limits and come back unchanged from inject -> extract.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "callpath/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath;
  HeaderMapCarrier::Headers in = {
      {"baggage", std::string(reinterpret_cast<const char*>(data), size)}};
  W3CBaggagePropagator propagator;
  Context first = propagator.Extract(HeaderMapCarrier(std::as_const(in)));
  const Baggage& baggage = first.baggage();
  if (baggage.empty()) return 0;
  if (baggage.size() > Baggage::kMaxMembers) std::abort();

  HeaderMapCarrier::Headers out;
  HeaderMapCarrier carrier(out);
  propagator.Inject(first, carrier);
  if (out.size() != 1 || out[0].second.size() > Baggage::kMaxBytes) std::abort();
  Context second = propagator.Extract(HeaderMapCarrier(std::as_const(out)));
  if (!(second.baggage() == baggage)) std::abort();
  return 0;
}
