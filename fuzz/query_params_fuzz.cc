// Fuzzes the HTTP API's query-string parsers: any bytes must give a query
// or an InvalidArgument, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/params.h"
#include "query/skew_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view qs(reinterpret_cast<const char*>(data), size);
  constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
  auto j = callpath::query::ParseJaegerSearchParams(qs, kNow);
  if (j.ok() && j->start_time_min_ns > j->start_time_max_ns) __builtin_trap();
  auto n = callpath::query::ParseNativeSearchParams(qs, kNow);
  if (n.ok() && n->limit == 0) __builtin_trap();
  (void)callpath::query::ParseLogSearchParams(qs, kNow);
  auto v3 = callpath::query::ParseApiV3SearchParams(qs, kNow);
  if (v3.ok() && (v3->start_time_min_ns >= v3->start_time_max_ns || v3->limit == 0)) __builtin_trap();
  (void)callpath::query::ParseRfc3339(qs);
  (void)callpath::query::ParseDuration(qs);
  (void)callpath::query::UrlDecode(qs);
  auto skew = callpath::query::ParseSkewParams(qs, callpath::query::AssembleOptions{}, true);
  if (skew.ok() && skew->max_clock_skew_ns != callpath::query::AssembleOptions{}.max_clock_skew_ns) __builtin_trap();
  return 0;
}
