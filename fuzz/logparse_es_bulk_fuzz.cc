// fuzz_logparse_es_bulk: any bytes as an Elasticsearch _bulk body. A body
// that splits into items answers one item per action, in a response that
// is always well-formed JSON; stored records never outnumber created items.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logparse/es_bulk.h"

using namespace callpath::logparse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  PushedLogs out;
  std::vector<BulkItem> items;
  if (!DecodeEsBulk(in, "fuzz", &out, &items).ok()) return 0;
  size_t created = 0;
  for (const BulkItem& i : items) created += i.status == 201;
  if (created != out.record_count()) std::abort();
  std::string response = EsBulkResponse(items, 0);
  if (response.empty() || response.front() != '{' || response.back() != '}') std::abort();
  (void)out.EncodeOtlp(1);
  return 0;
}
