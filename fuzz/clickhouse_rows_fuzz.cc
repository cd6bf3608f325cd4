// ClickHouse answers (RowBinary rows of the spans, logs and resources
// tables) as the ClickHouse store reads them: malformed input is refused,
// never read past.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/clickhouse/rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath::store;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  uint64_t resource, version;
  uint32_t seq;
  ch::RowReader spans(in);
  for (int i = 0; i < 64 && !spans.done(); ++i) {
    StoredSpan s;
    if (!ch::ReadSpan(spans, &s, &resource, &version, &seq)) break;
  }
  ch::RowReader logs(in);
  for (int i = 0; i < 64 && !logs.done(); ++i) {
    StoredLog l;
    if (!ch::ReadLog(logs, &l, &resource, &version, &seq)) break;
  }
  ch::RowReader resources(in);
  for (int i = 0; i < 64 && !resources.done(); ++i) {
    Attributes attrs;
    if (!ch::ReadResource(resources, &resource, &attrs)) break;
  }
  return 0;
}
