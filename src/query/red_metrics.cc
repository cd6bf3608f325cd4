// RED metrics from the store's statistics (red_metrics.h).
#include "query/red_metrics.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "query/render_util.h"

namespace callpath::query {

namespace {

constexpr uint64_t kMinuteNs = store::kStatsBucketNs;
constexpr double kNsPerMs = 1e6;
constexpr double kQuantiles[] = {0.5, 0.9, 0.99};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99"};

bool KindWanted(const std::vector<store::SpanKind>& kinds, store::SpanKind k) {
  return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

// A google.protobuf.Timestamp as proto3 JSON writes it: UTC, "Z", and 0,
// 3, 6 or 9 fraction digits.
std::string ProtoTimestamp(uint64_t ns) {
  const auto secs = static_cast<time_t>(ns / 1'000'000'000ull);
  const uint64_t nanos = ns % 1'000'000'000ull;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nanos == 0) {
    snprintf(buf + n, sizeof buf - n, "Z");
  } else if (nanos % 1'000'000 == 0) {
    snprintf(buf + n, sizeof buf - n, ".%03lluZ", static_cast<unsigned long long>(nanos / 1'000'000));
  } else if (nanos % 1'000 == 0) {
    snprintf(buf + n, sizeof buf - n, ".%06lluZ", static_cast<unsigned long long>(nanos / 1'000));
  } else {
    snprintf(buf + n, sizeof buf - n, ".%09lluZ", static_cast<unsigned long long>(nanos));
  }
  return buf;
}

// The minutes of one series, in time order.
struct Minute {
  uint64_t start_ns = 0;
  uint64_t calls = 0, errors = 0;
  store::LatencySketch duration;
};
struct Series {
  std::string service, operation;  // operation "" unless grouped
  std::vector<Minute> minutes;
};

// Every series of `q` with its minutes from `first_minute` to the end.
Result<std::vector<Series>> ReadJaegerSeries(store::StatsReader& stats, const JaegerMetricsQuery& q,
                                             uint64_t first_minute) {
  std::map<std::pair<std::string, std::string>, std::map<uint64_t, Minute>> grouped;
  for (const std::string& service : q.services) {
    store::StatsQuery sq;
    sq.start_ns = first_minute;
    sq.end_ns = q.end_ns;
    sq.service = service;
    sq.step_ns = kMinuteNs;
    auto rows = stats.Operations(sq);
    if (!rows.ok()) return rows.status();
    for (const store::OperationStats& r : *rows) {
      if (!KindWanted(q.span_kinds, r.kind)) continue;
      Minute& m = grouped[{r.service, q.group_by_operation ? r.operation : ""}][r.start_ns];
      m.start_ns = r.start_ns;
      m.calls += r.calls;
      m.errors += r.errors;
      m.duration.Merge(r.duration);
    }
  }
  std::vector<Series> out;
  for (auto& [key, minutes] : grouped) {
    Series& s = out.emplace_back();
    s.service = key.first;
    s.operation = key.second;
    for (auto& [start, m] : minutes) s.minutes.push_back(std::move(m));
  }
  return out;
}

}  // namespace

Result<std::vector<RedPoint>> ReadRedSeries(store::StatsReader& stats, const NativeMetricsQuery& q) {
  store::StatsQuery sq;
  sq.start_ns = q.start_ns;
  sq.end_ns = q.end_ns;
  sq.service = q.service;
  sq.operation = q.operation;
  sq.step_ns = q.step_ns;
  auto rows = stats.Operations(sq);
  if (!rows.ok()) return rows.status();
  std::vector<RedPoint> points;
  for (uint64_t t = q.start_ns; t < q.end_ns; t += q.step_ns) {
    RedPoint& p = points.emplace_back();
    p.start_ns = t;
    p.seconds = std::max<uint64_t>(1, std::min(q.step_ns, q.end_ns - t) / 1'000'000'000ull);
    if (q.end_ns - t <= q.step_ns) break;  // the last step (and no overflow past it)
  }
  for (const store::OperationStats& r : *rows) {
    if (q.kind && r.kind != *q.kind) continue;
    if (r.start_ns < q.start_ns) continue;
    const size_t i = (r.start_ns - q.start_ns) / q.step_ns;
    if (i >= points.size()) continue;
    points[i].calls += r.calls;
    points[i].errors += r.errors;
    points[i].duration.Merge(r.duration);
  }
  return points;
}

std::string RenderNativeMetrics(const NativeMetricsQuery& q, const std::vector<RedPoint>& points) {
  JsonWriter w;
  w.BeginObject();
  w.Field("service", q.service);
  w.Key("operation");
  if (q.operation.empty()) w.Null(); else w.String(q.operation);
  w.Key("kind");
  if (q.kind) w.String(store::SpanKindName(*q.kind)); else w.Null();
  w.FieldUint("start_ns", q.start_ns);
  w.FieldUint("end_ns", q.end_ns);
  w.FieldUint("step_ns", q.step_ns);
  w.Key("points");
  w.BeginArray();
  for (const RedPoint& p : points) {
    w.BeginObject();
    w.Field("start", detail::Rfc3339Nanos(p.start_ns));
    w.FieldUint("start_ns", p.start_ns);
    w.FieldUint("seconds", p.seconds);
    w.FieldUint("calls", p.calls);
    w.Key("rate_per_second");
    w.Double(p.rate_per_second());
    w.FieldUint("errors", p.errors);
    w.Key("error_rate");
    w.Double(p.error_rate());
    for (int unit = 0; unit < 2; ++unit) {
      for (size_t i = 0; i < std::size(kQuantiles); ++i) {
        w.Key(std::string(kQuantileNames[i]) + (unit == 0 ? "_ms" : "_ns"));
        if (p.calls == 0) {
          w.Null();
        } else if (unit == 0) {
          w.Double(static_cast<double>(p.duration.Quantile(kQuantiles[i])) / kNsPerMs);
        } else {
          w.Uint64(p.duration.Quantile(kQuantiles[i]));
        }
      }
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Result<std::string> ReadJaegerMetrics(store::StatsReader& stats, const JaegerMetricsQuery& q) {
  // A point at t sums the minutes that start in [t - window, t).
  const uint64_t window = std::max(q.rate_per_ns, kMinuteNs);
  const uint64_t start = q.end_ns > q.lookback_ns ? q.end_ns - q.lookback_ns : 0;
  const uint64_t reach = start > window ? start - window : 0;
  auto series = ReadJaegerSeries(stats, q, reach - reach % kMinuteNs);
  if (!series.ok()) return series.status();

  std::string name, help;
  char quantile[32];
  snprintf(quantile, sizeof quantile, "%.2f", q.quantile);
  switch (q.metric) {
    case JaegerMetric::kLatencies:
      name = "service_latencies";
      help = std::string(quantile) + "th quantile latency, grouped by service";
      break;
    case JaegerMetric::kCalls:
      name = "service_call_rate";
      help = "calls/sec, grouped by service";
      break;
    case JaegerMetric::kErrors:
      name = "service_error_rate";
      help = "error rate, computed as a fraction of errors/sec over calls/sec, grouped by service";
      break;
  }
  if (q.group_by_operation) {
    name.replace(0, 7, "service_operation");
    help += " & operation";
  }
  JsonWriter w;
  w.BeginObject();
  w.Field("name", name);
  w.Field("type", "GAUGE");
  w.Field("help", help);
  w.Key("metrics");
  w.BeginArray();
  for (const Series& s : *series) {
    w.BeginObject();
    w.Key("labels");
    w.BeginArray();
    w.BeginObject();
    w.Field("name", "service_name");
    w.Field("value", s.service);
    w.EndObject();
    if (q.group_by_operation) {
      w.BeginObject();
      w.Field("name", "operation");
      w.Field("value", s.operation);
      w.EndObject();
    }
    w.EndArray();
    w.Key("metricPoints");
    w.BeginArray();
    size_t lo = 0, hi = 0;  // the minutes of the window, [lo, hi)
    for (uint64_t t = start;; t += q.step_ns) {
      while (hi < s.minutes.size() && s.minutes[hi].start_ns < t) ++hi;
      const uint64_t from = t > window ? t - window : 0;
      while (lo < hi && s.minutes[lo].start_ns < from) ++lo;
      uint64_t calls = 0, errors = 0;
      store::LatencySketch duration;
      for (size_t i = lo; i < hi; ++i) {
        calls += s.minutes[i].calls;
        errors += s.minutes[i].errors;
        if (q.metric == JaegerMetric::kLatencies) duration.Merge(s.minutes[i].duration);
      }
      double value = 0;
      bool emit = true;
      switch (q.metric) {
        case JaegerMetric::kCalls:
          value = static_cast<double>(calls) / (static_cast<double>(window) / 1e9);
          break;
        case JaegerMetric::kErrors:
          emit = calls > 0;
          value = emit ? static_cast<double>(errors) / static_cast<double>(calls) : 0;
          break;
        case JaegerMetric::kLatencies:
          emit = calls > 0;
          value = emit ? static_cast<double>(duration.Quantile(q.quantile)) / kNsPerMs : 0;
          break;
      }
      if (emit) {
        w.BeginObject();
        w.Key("gaugeValue");
        w.BeginObject();
        w.Key("doubleValue");
        w.Double(value);
        w.EndObject();
        w.Field("timestamp", ProtoTimestamp(t));
        w.EndObject();
      }
      if (q.end_ns - t < q.step_ns) break;
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderJaegerMinStep() {
  JsonWriter w;
  w.BeginObject();
  w.FieldUint("data", kMinuteNs / 1'000'000);
  w.FieldUint("total", 0);
  w.FieldUint("limit", 0);
  w.FieldUint("offset", 0);
  w.Key("errors");
  w.Null();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
