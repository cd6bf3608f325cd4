// Feeds arbitrary bytes to the B3 propagator: the first line is the single
// `b3` value, the next lines the x-b3-traceid, -spanid, -sampled and -flags
// values. A valid result must survive inject -> extract in both encodings.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "callpath/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath;
  static constexpr const char* kNames[] = {"b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled",
                                           "x-b3-flags"};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  HeaderMapCarrier::Headers in;
  for (const char* name : kNames) {
    size_t nl = input.find('\n');
    in.emplace_back(name, std::string(input.substr(0, nl)));
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  Context first = B3Propagator().Extract(HeaderMapCarrier(std::as_const(in)));
  if (!first.span_context().IsValid()) return 0;
  if (!first.span_context().IsRemote()) std::abort();

  for (auto encoding : {B3Propagator::Encoding::kSingleHeader,
                        B3Propagator::Encoding::kMultiHeader}) {
    B3Propagator b3(encoding);
    FlatCarrier<> out;
    b3.Inject(first, out);
    if (out.Get("x-b3-parentspanid").size() != 0) std::abort();
    if (!(b3.Extract(out) == first)) std::abort();
  }
  return 0;
}
