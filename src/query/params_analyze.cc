#include "query/params_analyze.h"

#include <cctype>

#include "query/params.h"

namespace callpath::query {
namespace {

Result<TraceId> TraceIdParam(std::string_view name, std::string_view hex) {
  std::string padded(hex);
  bool ok = !padded.empty() && padded.size() <= 32;
  for (char c : padded) ok &= std::isxdigit(static_cast<unsigned char>(c)) != 0;
  if (ok) {
    for (auto& c : padded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    padded.insert(0, 32 - padded.size(), '0');
    auto id = TraceId::FromHex(padded);
    if (id && id->IsValid()) return *id;
  }
  return InvalidArgument("parameter " + std::string(name) + ": a trace id is 1 to 32 hex digits, not all zero");
}

}  // namespace

Result<DiagnoseParams> ParseDiagnoseParams(std::string_view qs, uint64_t now_ns) {
  DiagnoseParams p;
  std::string start, end, bstart, bend;
  bool has_start = false, has_bstart = false, has_bend = false;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "start") start = v, has_start = true;
    else if (k == "end") end = v;
    else if (k == "baseline_start") bstart = v, has_bstart = true;
    else if (k == "baseline_end") bend = v, has_bend = true;
    else if (k == "service") p.service = v;
    else return InvalidArgument("unknown parameter '" + k + "'");
  }
  if (!has_start) return InvalidArgument("parameter start is required: the window's start (RFC 3339, Unix ns or 15m)");
  auto s = ParseNativeTime("start", start, now_ns);
  if (!s.ok()) return s.status();
  p.start_ns = *s;
  p.end_ns = now_ns;
  if (!end.empty()) {
    auto e = ParseNativeTime("end", end, now_ns);
    if (!e.ok()) return e.status();
    p.end_ns = *e;
  }
  if (p.start_ns >= p.end_ns) return InvalidArgument("parameter start must be before end");
  if (has_bstart != has_bend) return InvalidArgument("parameters baseline_start and baseline_end go together");
  uint64_t len = p.end_ns - p.start_ns;
  p.baseline_end_ns = p.start_ns;
  p.baseline_start_ns = p.start_ns > len ? p.start_ns - len : 0;
  if (has_bstart) {
    auto bs = ParseNativeTime("baseline_start", bstart, now_ns);
    if (!bs.ok()) return bs.status();
    auto be = ParseNativeTime("baseline_end", bend, now_ns);
    if (!be.ok()) return be.status();
    p.baseline_start_ns = *bs;
    p.baseline_end_ns = *be;
  }
  if (p.baseline_start_ns >= p.baseline_end_ns) {
    return InvalidArgument("the baseline is empty: baseline_start must be before baseline_end");
  }
  if (p.baseline_start_ns < p.end_ns && p.start_ns < p.baseline_end_ns) {
    return InvalidArgument("the baseline overlaps the window");
  }
  return p;
}

Result<CompareParams> ParseCompareParams(std::string_view qs) {
  std::string a, b;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "a") a = v;
    else if (k == "b") b = v;
    else if (k == "adjust_skew") continue;
    else return InvalidArgument("unknown parameter '" + k + "'");
  }
  if (a.empty() || b.empty()) return InvalidArgument("parameters a and b are required: the two trace ids");
  CompareParams p;
  auto ia = TraceIdParam("a", a);
  if (!ia.ok()) return ia.status();
  auto ib = TraceIdParam("b", b);
  if (!ib.ok()) return ib.status();
  p.a = *ia;
  p.b = *ib;
  return p;
}

}  // namespace callpath::query
