// fuzz_logparse_json: any bytes as a JSON log line. Parsing either fails
// leaving the record empty or gives a record whose OTLP encoding always
// builds; never a crash, whatever the nesting, numbers or UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logparse/json_line.h"
#include "logparse/otlp_logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static callpath::logparse::JsonLineParser parser;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  callpath::logparse::ParsedLog r;
  if (!parser.Parse(line, &r)) {
    if (!r.attributes.empty() || !r.body.empty()) std::abort();
    return 0;
  }
  if (!r.trace_id.IsValid() && r.span_id.IsValid()) std::abort();  // a span id needs its trace
  std::string out;
  callpath::logparse::AppendResourceLogsProto({{}, "fuzz", "fuzz"}, {&r, 1}, 1, &out);
  if (out.empty()) std::abort();
  return 0;
}
