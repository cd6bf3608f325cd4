// Fuzzes the query-string parsers of /api/v1/diagnose and /api/v1/compare:
// any bytes must give parameters that keep their promises or an
// InvalidArgument, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/params_analyze.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view qs(reinterpret_cast<const char*>(data), size);
  constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
  auto d = callpath::query::ParseDiagnoseParams(qs, kNow);
  if (d.ok()) {
    if (d->start_ns >= d->end_ns || d->baseline_start_ns >= d->baseline_end_ns) __builtin_trap();
    if (d->baseline_start_ns < d->end_ns && d->start_ns < d->baseline_end_ns) __builtin_trap();
  }
  auto c = callpath::query::ParseCompareParams(qs);
  if (c.ok() && (!c->a.IsValid() || !c->b.IsValid())) __builtin_trap();
  (void)callpath::query::ParseNativeTime("t", qs, kNow);
  return 0;
}
