// FindTraces in SQL: the span-level filters (and every tag, with
// store/tag_match.h's meaning) select spans; the trace-level filters are
// checked on the traces' summary rows grouped by trace; the newest matching
// span orders the traces. Only the answer's traces are then summarised.
#include <charconv>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/row_binary.h"
#include "store/tag_match.h"

namespace callpath::store {

namespace {

using ch::Quote;

// A Nested (key, type, value) attribute list has key=value, as
// AttributeMatches compares: as text, and doubles as numbers.
std::string AttrMatch(const std::string& nested, std::string_view key, std::string_view value) {
  std::string values = "v = " + Quote(value);
  double d;
  auto r = std::from_chars(value.data(), value.data() + value.size(), d);
  if (r.ec == std::errc() && r.ptr == value.data() + value.size()) {
    // A double is stored shortest round-trip: any spelling of it matches.
    values += " OR (t = " + std::to_string(static_cast<int>(Value::Type::kDouble)) + " AND v = " +
              Quote(Value::Double(d).AsText()) + ")";
  }
  return "arrayExists((k, t, v) -> k = " + Quote(key) + " AND (" + values + "), " + nested + ".key, " + nested +
         ".type, " + nested + ".value)";
}

bool ParseStatusName(std::string_view v, SpanStatus* out) {
  std::string up(v);
  for (char& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  if (up == "ERROR") *out = SpanStatus::kError;
  else if (up == "OK") *out = SpanStatus::kOk;
  else if (up == "UNSET") *out = SpanStatus::kUnset;
  else return false;
  return true;
}

// The SQL condition on one span row for tag key=value (tag_match.h).
std::string TagCondition(const std::string& key, const std::string& value) {
  const std::string error = std::to_string(static_cast<int>(SpanStatus::kError));
  switch (ClassifyTag(key, value)) {
    case TagTarget::kStatus: {
      if (key == "otel.status_description") return "status_message = " + Quote(value);
      if (key == "error") {
        bool want = false;
        ParseTagBool(value, &want);
        const std::string is_error = "(status = " + error +
                                     " OR arrayExists((k, v) -> k = 'error' AND v = 'true', attr.key, attr.value))";
        return want ? is_error : "NOT " + is_error;
      }
      SpanStatus st = SpanStatus::kUnset;
      ParseStatusName(value, &st);
      return "status = " + std::to_string(static_cast<int>(st));
    }
    case TagTarget::kKind: {
      SpanKind kind = SpanKind::kUnspecified;
      ParseSpanKind(value, &kind);
      return "kind = " + std::to_string(static_cast<int>(kind));
    }
    case TagTarget::kScope:
      return (key.find("version") != std::string::npos ? "scope_version = " : "scope_name = ") + Quote(value);
    case TagTarget::kResource:
      return AttrMatch("res", std::string_view(key).substr(9), value);
    case TagTarget::kEventName:
      return "(has(events.name, " + Quote(value) + ") OR " + AttrMatch("attr", key, value) + ")";
    case TagTarget::kAny:
      break;
  }
  return "(" + AttrMatch("attr", key, value) + " OR " + AttrMatch("res", key, value) + " OR " +
         AttrMatch("event_attr", key, value) + " OR " + AttrMatch("link_attr", key, value) + ")";
}

std::string SpanConditions(const TraceQuery& q) {
  std::string w = "start_ns >= " + std::to_string(q.start_time_min_ns) + " AND start_ns <= " +
                  std::to_string(q.start_time_max_ns);
  if (!q.service.empty()) w += " AND service = " + Quote(q.service);
  if (!q.operation.empty()) w += " AND operation = " + Quote(q.operation);
  if (q.min_span_duration_ns) w += " AND duration_ns >= " + std::to_string(q.min_span_duration_ns);
  if (q.max_span_duration_ns) w += " AND duration_ns <= " + std::to_string(q.max_span_duration_ns);
  for (const auto& [k, v] : q.tags) w += " AND " + TagCondition(k, v);
  return w;
}

std::string TraceConditions(const TraceQuery& q) {
  std::string h;
  auto add = [&](const std::string& c) { h += (h.empty() ? "" : " AND ") + c; };
  if (q.errors_only) add("sum(error_count) > 0");
  if (q.min_trace_duration_ns) add("max(end_ns) - min(start_ns) >= " + std::to_string(q.min_trace_duration_ns));
  if (q.max_trace_duration_ns) add("max(end_ns) - min(start_ns) <= " + std::to_string(q.max_trace_duration_ns));
  if (!q.services_all.empty()) {
    std::string list;
    for (const auto& s : q.services_all) list += (list.empty() ? "" : ", ") + Quote(s);
    add("hasAll(groupUniqArrayArray(services), [" + list + "])");
  }
  return h;
}

}  // namespace

Result<std::vector<TraceSummary>> ClickHouseStore::FindTraces(const TraceQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const size_t limit = q.limit == 0 ? 20 : q.limit;
  std::vector<TraceSummary> out;
  if (q.start_time_min_ns > q.start_time_max_ns) return out;
  if (!q.operation.empty() && q.service.empty()) return InvalidArgument("operation filter needs a service");

  // Without tags, the light copy ordered by (service, start) answers.
  const std::string table = q.tags.empty() ? T("span_index") : T("spans");
  const std::string spans = SpanConditions(q);
  std::string where = spans;
  if (const std::string having = TraceConditions(q); !having.empty()) {
    where += " AND trace_id IN (SELECT trace_id FROM " + T("summaries") + " WHERE trace_id IN (SELECT trace_id FROM " +
             table + " WHERE " + spans + ") GROUP BY trace_id HAVING " + having + ")";
  }
  auto answer = Query("SELECT trace_id, max(start_ns) AS newest FROM " + table + " WHERE " + where +
                      " GROUP BY trace_id ORDER BY newest DESC, trace_id LIMIT " + std::to_string(limit) +
                      " FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  std::vector<TraceId> ids;
  ch::RowReader r(*answer);
  while (!r.done() && r.ok()) {
    ids.push_back(r.Trace());
    (void)r.U64();
  }
  if (!r.ok()) return DataLoss("clickhouse: malformed search answer");
  CALLPATH_RETURN_IF_ERROR(Summaries(ids, &out));
  return out;
}

}  // namespace callpath::store
