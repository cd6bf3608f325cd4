// RED metrics (rate, errors, duration) read from the statistics the store
// keeps at ingest (store/stats.h), for the native endpoint
// GET /api/v1/metrics, Jaeger's monitor API (/api/metrics/*) and
// `callpath top`: their parameters, the series, and their JSON.
//
// Granularity is the statistics' minute: windows and steps are whole
// minutes, latencies are quantiles of the merged latency sketches (within
// 2 % of the exact value).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "store/stats.h"
#include "store/store.h"

namespace callpath::query {

// --- native: GET /api/v1/metrics ---

// service (required), operation, kind (span kind name: server, client,
// ...), start / end (Unix ns, RFC 3339, or a duration ago like "15m";
// default the last hour up to now), step (a duration, default "1m",
// rounded up to whole minutes). The start is rounded down to its minute.
struct NativeMetricsQuery {
  std::string service;
  std::string operation;  // "" = every operation of the service
  std::optional<store::SpanKind> kind;
  uint64_t start_ns = 0, end_ns = 0, step_ns = 0;
};
Result<NativeMetricsQuery> ParseNativeMetricsParams(std::string_view query_string, uint64_t now_ns);

// One step of one series.
struct RedPoint {
  uint64_t start_ns = 0;
  uint64_t seconds = 0;  // the step's length in seconds (the last may be shorter)
  uint64_t calls = 0, errors = 0;
  store::LatencySketch duration;
  double rate_per_second() const { return seconds ? static_cast<double>(calls) / static_cast<double>(seconds) : 0; }
  double error_rate() const { return calls ? static_cast<double>(errors) / static_cast<double>(calls) : 0; }
};

// Every step of the window (empty ones with zero calls), the operations of
// the query (one, or all of the service, of the kind if given) merged.
Result<std::vector<RedPoint>> ReadRedSeries(store::StatsReader& stats, const NativeMetricsQuery& q);

// {"service","operation" (null = all),"kind" (null = all),"start_ns",
//  "end_ns","step_ns","points":[{"start","start_ns","seconds","calls",
//  "rate_per_second","errors","error_rate","p50_ms","p90_ms","p99_ms",
//  "p50_ns","p90_ns","p99_ns"}]} ; quantiles null in a step without calls.
std::string RenderNativeMetrics(const NativeMetricsQuery& q, const std::vector<RedPoint>& points);

// --- Jaeger: GET /api/metrics/{latencies,calls,errors,minstep} ---

enum class JaegerMetric { kLatencies, kCalls, kErrors };

// Jaeger's parameters: service (repeatable, at least one),
// groupByOperation (bool), quantile (0..1, latencies only, required
// there), endTs (Unix ms, default now), lookback (ms, default 1 h), step
// (ms, default 5 s), ratePer (ms, default 10 min), spanKind (repeatable:
// "server" or "SPAN_KIND_SERVER"; default server).
struct JaegerMetricsQuery {
  JaegerMetric metric = JaegerMetric::kCalls;
  std::vector<std::string> services;
  bool group_by_operation = false;
  double quantile = 0;
  uint64_t end_ns = 0, lookback_ns = 0, step_ns = 0, rate_per_ns = 0;
  std::vector<store::SpanKind> span_kinds;
};
Result<JaegerMetricsQuery> ParseJaegerMetricsParams(JaegerMetric metric, std::string_view query_string,
                                                    uint64_t now_ns);

// Jaeger's MetricFamily as its query service answers in JSON: {"name",
// "type":"GAUGE","help","metrics":[{"labels":[{"name":"service_name",
// "value"},{"name":"operation","value"}],"metricPoints":[{"gaugeValue":
// {"doubleValue"},"timestamp":"RFC 3339"}]}]}. A point at time t sums the
// minutes of (t - ratePer, t): calls per second, errors / calls, or the
// quantile of duration in milliseconds; points without calls are left
// out of the error and latency series.
Result<std::string> ReadJaegerMetrics(store::StatsReader& stats, const JaegerMetricsQuery& q);

// /api/metrics/minstep: {"data":60000,...} - the statistics' minute in ms.
std::string RenderJaegerMinStep();

// --- native: GET /api/v1/top (callpath top) ---

// since (a duration, default "15m", whole minutes), service (optional),
// end (as in /api/v1/metrics; default now). The window is the `since`
// minutes ending with the minute that holds `end`, cut at `end`; the
// previous window is as long and ends where it starts.
struct TopQuery {
  std::string service;  // "": one row per service; else one per operation
  uint64_t end_ns = 0;
  uint64_t window_ns = 0;  // whole minutes
};
Result<TopQuery> ParseTopParams(std::string_view query_string, uint64_t now_ns);

struct TopFigures {
  uint64_t calls = 0, errors = 0;
  double rate_per_second = 0;
  store::LatencySketch duration;
};
struct TopRow {
  std::string service;
  std::string operation;  // "" for a service row
  std::string kind;       // span kind name; "" for a service row
  TopFigures now, before;
};

// Service rows count the spans that serve requests (server and consumer
// spans), or every span of a service that has none; operation rows count
// each (operation, kind). Busiest first.
Result<std::vector<TopRow>> ReadTop(store::StatsReader& stats, const TopQuery& q);

// {"service":null|"S","start_ns","end_ns","window_ns","rows":[{"service",
//  "operation" (null for services),"kind","calls","rate_per_second",
//  "errors","error_rate","p99_ms" (null without calls),"previous":{the
//  same five}}]}
std::string RenderTop(const TopQuery& q, const std::vector<TopRow>& rows);

}  // namespace callpath::query
