// Feeds arbitrary bytes to LogTemplateOf, which runs on every log record
// the daemon stores (log_template.h). It must never crash or read past the
// message; its template is at most 512 bytes, has a non-zero id and is the
// same every time.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/log_template.h"

using callpath::store::LogTemplateOf;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  const callpath::store::LogTemplate t = LogTemplateOf(message);
  if (t.id == 0 || t.text.size() > 512) std::abort();
  if (LogTemplateOf(message).id != t.id) std::abort();  // deterministic
  return 0;
}
