// fuzz_logparse_trace_ids: any bytes as an id field's value, as message
// text, as a timestamp and as a level. Whatever is found must be a valid
// (non-zero) id; nothing crashes or reads out of bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logparse/severity.h"
#include "logparse/timestamp.h"
#include "logparse/trace_ids.h"

using namespace callpath::logparse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto tc = ParseTraceIdValue(s); tc && !tc->trace_id.IsValid()) std::abort();
  if (auto span = ParseSpanIdValue(s); span && !span->IsValid()) std::abort();
  TraceContext found = FindTraceContextInText(s);
  if (!found.trace_id.IsValid() && (found.span_id.IsValid() || found.flags != 0)) std::abort();
  uint64_t ns = 0;
  (void)ParseTimestamp(s, &ns);
  int32_t sev = SeverityFromText(s);
  if (sev < 0 || sev > 24) std::abort();
  ParsedLog r;
  r.body = std::string(s);
  r.attributes.push_back({"trace_id", std::string(s)});
  r.attributes.push_back({"dd.span_id", std::string(s)});
  PickTraceContext(r);
  return 0;
}
