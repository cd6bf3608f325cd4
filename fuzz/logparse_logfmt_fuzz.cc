// fuzz_logparse_logfmt: any bytes as a logfmt line. A line that starts like
// logfmt always parses (the parser never gives up half way); others leave
// the record empty.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logparse/logfmt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  callpath::logparse::ParsedLog r;
  bool parsed = callpath::logparse::ParseLogfmt(line, &r);
  if (parsed != callpath::logparse::LooksLikeLogfmt(line)) std::abort();
  if (!parsed && !r.attributes.empty()) std::abort();
  return 0;
}
