// Parameters of the RED metrics endpoints (red_metrics.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "query/params.h"
#include "query/red_metrics.h"

namespace callpath::query {

namespace {

constexpr uint64_t kMsNs = 1'000'000;
constexpr uint64_t kMinuteNs = store::kStatsBucketNs;
// Prometheus refuses more points per series than this; so do we.
constexpr uint64_t kMaxPoints = 11000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "server", "SERVER" or Jaeger's "SPAN_KIND_SERVER".
bool ParseKindName(std::string_view text, store::SpanKind* kind) {
  std::string name = Lower(text);
  if (name.starts_with("span_kind_")) name.erase(0, 10);
  return store::ParseSpanKind(name, kind);
}

Result<uint64_t> JaegerMillis(std::string_view name, std::string_view v) {
  uint64_t ms = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || ms > UINT64_MAX / kMsNs) {
    return InvalidArgument("unable to parse param '" + std::string(name) + "': want a whole number of milliseconds");
  }
  return ms * kMsNs;
}

// Go's strconv.ParseBool, which Jaeger reads groupByOperation with.
Result<bool> GoBool(std::string_view name, std::string_view v) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (v == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (v == f) return false;
  }
  return InvalidArgument("unable to parse param '" + std::string(name) + "': want true or false");
}

}  // namespace

Result<NativeMetricsQuery> ParseNativeMetricsParams(std::string_view qs, uint64_t now_ns) {
  NativeMetricsQuery q;
  std::string start, end, step;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "service") {
      q.service = v;
    } else if (k == "operation") {
      q.operation = v;
    } else if (k == "kind") {
      store::SpanKind kind;
      if (!ParseKindName(v, &kind)) return InvalidArgument("parameter kind: unknown span kind '" + v + "'");
      q.kind = kind;
    } else if (k == "start") {
      start = v;
    } else if (k == "end") {
      end = v;
    } else if (k == "step") {
      step = v;
    } else {
      return InvalidArgument("unknown parameter '" + k + "'");
    }
  }
  if (q.service.empty()) return InvalidArgument("parameter service is required");
  q.end_ns = now_ns;
  if (!end.empty()) {
    auto e = ParseNativeTime("end", end, now_ns);
    if (!e.ok()) return e.status();
    q.end_ns = *e;
  }
  const uint64_t hour = 60 * kMinuteNs;
  q.start_ns = q.end_ns > hour ? q.end_ns - hour : 0;
  if (!start.empty()) {
    auto s = ParseNativeTime("start", start, now_ns);
    if (!s.ok()) return s.status();
    q.start_ns = *s;
  }
  q.start_ns -= q.start_ns % kMinuteNs;
  if (q.start_ns >= q.end_ns) return InvalidArgument("parameter start is not before end");
  q.step_ns = kMinuteNs;
  if (!step.empty()) {
    auto d = ParseDuration(step);
    if (!d.ok()) return InvalidArgument("parameter step: " + d.status().message());
    if (*d == 0) return InvalidArgument("parameter step: must be more than 0");
    q.step_ns = std::min<uint64_t>((*d + kMinuteNs - 1) / kMinuteNs, UINT64_MAX / kMinuteNs) * kMinuteNs;
  }
  if ((q.end_ns - q.start_ns) / q.step_ns >= kMaxPoints) {
    return InvalidArgument("too many steps: (end - start) / step must stay under 11000");
  }
  return q;
}

Result<JaegerMetricsQuery> ParseJaegerMetricsParams(JaegerMetric metric, std::string_view qs, uint64_t now_ns) {
  JaegerMetricsQuery q;
  q.metric = metric;
  q.end_ns = now_ns;
  q.lookback_ns = 60 * kMinuteNs;
  q.step_ns = 5'000 * kMsNs;
  q.rate_per_ns = 10 * kMinuteNs;
  bool have_quantile = false;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "service") {
      if (!v.empty()) q.services.push_back(v);
    } else if (k == "groupByOperation") {
      if (v.empty()) continue;
      auto b = GoBool(k, v);
      if (!b.ok()) return b.status();
      q.group_by_operation = *b;
    } else if (k == "quantile") {
      double x = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), x);
      if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || !(x >= 0 && x <= 1)) {
        return InvalidArgument("unable to parse param 'quantile': want a number from 0 to 1");
      }
      q.quantile = x;
      have_quantile = true;
    } else if (k == "endTs" || k == "lookback" || k == "step" || k == "ratePer") {
      if (v.empty()) continue;  // Jaeger: an empty value takes the default
      Result<uint64_t> ms = JaegerMillis(k, v);
      if (!ms.ok()) return ms.status();
      if (k == "endTs") q.end_ns = *ms;
      else if (k == "lookback") q.lookback_ns = *ms;
      else if (k == "step") q.step_ns = *ms;
      else q.rate_per_ns = *ms;
    } else if (k == "spanKind") {
      store::SpanKind kind;
      if (!ParseKindName(v, &kind)) return InvalidArgument("unable to parse param 'spanKind': unsupported span kind: '" + v + "'");
      q.span_kinds.push_back(kind);
    }
    // Other parameters (prettyPrint, ...) are ignored, as Jaeger does.
  }
  if (q.services.empty()) return InvalidArgument("unable to parse param 'service': please provide at least one service name");
  if (metric == JaegerMetric::kLatencies && !have_quantile) {
    return InvalidArgument("unable to parse param 'quantile': it is required for latencies");
  }
  if (q.step_ns == 0) return InvalidArgument("unable to parse param 'step': must be more than 0");
  if (q.lookback_ns / q.step_ns >= kMaxPoints) {
    return InvalidArgument("too many points: lookback / step must stay under 11000");
  }
  if (q.span_kinds.empty()) q.span_kinds.push_back(store::SpanKind::kServer);
  return q;
}

}  // namespace callpath::query
