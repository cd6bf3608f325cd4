// Fuzzes callpathd's OTLP/JSON decoder (simdjson) with arbitrary bytes, as
// both a traces and a logs request. It must never crash, hang or leak, and
// an accepted request must only yield valid items.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "otlp/convert/otlp_json_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  callpath::daemon::SpanBatch spans;
  if (callpath::daemon::DecodeOtlpJsonTraces(body, &spans).ok()) {
    for (const auto& s : spans.spans) {
      if (!s.trace_id.IsValid() || !s.span_id.IsValid()) std::abort();
    }
  }
  callpath::daemon::LogBatch logs;
  (void)callpath::daemon::DecodeOtlpJsonLogs(body, &logs);
  return 0;
}
