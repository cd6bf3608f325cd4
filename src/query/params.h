// Query-string parsing for the HTTP query API. Any input is accepted:
// malformed parameters give InvalidArgument with a message naming the
// parameter, never a crash or a throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/status.h"
#include "query/trace_search.h"
#include "store/store.h"

namespace callpath::query {

// "100ms", "1.5s", "250us", "2m", "1h", "10ns", "1µs" -> nanoseconds.
// A bare number is microseconds (Jaeger's convention). Negative, empty or
// overflowing values are InvalidArgument.
Result<uint64_t> ParseDuration(std::string_view text);

// A true/false parameter: "true"/"1" or "false"/"0" in any case; empty (a
// bare `?errors`) is true. Anything else is InvalidArgument naming it.
Result<bool> ParseBoolParam(std::string_view name, std::string_view value);

// Percent-decodes a query-string component ('+' is a space).
std::string UrlDecode(std::string_view s);

// The decoded key/value pairs of a query string, in order (a leading '?'
// is skipped; a key without '=' has an empty value).
std::vector<std::pair<std::string, std::string>> SplitQueryString(std::string_view qs);

// Jaeger UI / HTTP API /api/traces parameters:
//   service, operation, tags (JSON object {"k":"v"} as the UI sends, or
//   logfmt "k1=v1 k2=v2"; also repeated tag=k:v), start / end (Unix µs),
//   lookback ("1h", or "custom"), minDuration / maxDuration (SPAN-level,
//   e.g. "100ms"), limit.
// `now_ns` is used for lookback when no start is given. When neither start
// nor lookback is given, the window is the last hour.
Result<store::TraceQuery> ParseJaegerSearchParams(std::string_view query_string, uint64_t now_ns);

// Jaeger api_v3 FindTraces / FindTraceSummaries parameters (GET
// /api/v3/traces and /api/v3/trace-summaries), by the names Jaeger's HTTP
// gateway reads, each also by its older snake_case alias:
//   query.serviceName (query.service_name), query.operationName,
//   query.attributes (JSON object {"k":"v"}; also query.attributes.k=v),
//   query.startTimeMin / query.startTimeMax (RFC 3339; the min must be
//   before the max), query.durationMin / query.durationMax (SPAN-level,
//   "100ms"), query.searchDepth (query.num_traces; default 100, 1..10000).
// Where Jaeger requires both times, a missing one defaults to now / an hour
// before the max. query.filter is not supported (InvalidArgument).
Result<store::TraceQuery> ParseApiV3SearchParams(std::string_view query_string, uint64_t now_ns);

// RFC 3339 ("2024-05-01T12:00:00.123456789Z", "...+02:00") -> Unix ns.
// A space where the offset's '+' belongs is read as '+' (an unencoded '+'
// in a query string decodes to a space).
Result<uint64_t> ParseRfc3339(std::string_view text);

// A time parameter of the native API: Unix nanoseconds, RFC 3339, or a
// duration meaning that long before `now_ns` ("15m"). Errors name `name`.
Result<uint64_t> ParseNativeTime(std::string_view name, std::string_view value, uint64_t now_ns);

// Tags as the Jaeger APIs take them: a JSON object {"k":"v","n":500} (what
// the Jaeger UI and Grafana send) or logfmt k1=v1 k2="v 2". Appends to *tags.
Status ParseJaegerTags(std::string_view text, std::vector<std::pair<std::string, std::string>>* tags);

// Native /api/v1/search parameters (names follow TraceQuery):
//   service, operation, tag=k:v (repeatable), min_duration, max_duration
//   (span-level), min_trace_duration, max_trace_duration, services_all
//   (comma list, trace-level), errors (true/false/1/0, trace-level),
//   start / end (Unix ns, RFC 3339, or a duration ago like "15m"),
//   lookback, limit (1..10000, default 20).
// With `log` given, also the trace-level log condition (trace_search.h):
//   log_text (substring of a log body), log_level (as `level` of
//   ParseLogSearchParams); without it those names are unknown parameters.
Result<store::TraceQuery> ParseNativeSearchParams(std::string_view query_string, uint64_t now_ns,
                                                  LogCondition* log = nullptr);

// A log level: a name (trace, debug, info, warn/warning, error, fatal; any
// case) or an OTLP severity number 1..24. `name` is the parameter named in
// the error.
Result<int32_t> ParseSeverityLevel(std::string_view name, std::string_view value);

// A time window [start_ns, end_ns].
struct TimeWindow {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};
// The window of the dependency graph (/api/v1/dependencies): start, end
// (Unix ns, RFC 3339, or a duration ago) and lookback (default 24h before
// end; end defaults to now).
Result<TimeWindow> ParseDependencyWindow(std::string_view query_string, uint64_t now_ns);

// Native /api/v1/logs parameters: trace_id (hex), service, level
// (name like "warn" or number 1-24), q (substring), start, end, lookback,
// limit (1..10000, default 100).
Result<store::LogQuery> ParseLogSearchParams(std::string_view query_string, uint64_t now_ns);

}  // namespace callpath::query
