// FindTraces in SQL: the span-level filters (and every tag, with
// store/tag_match.h's meaning) select spans; the trace-level filters are
// checked on the traces' summary rows grouped by trace; the newest matching
// span orders the traces. Only the answer's traces are then summarised.
// With an attribute tag, the tags table names candidate traces, newest
// first, and only their spans are checked.
#include <algorithm>
#include <charconv>
#include <set>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/row_binary.h"
#include "store/clickhouse/rows.h"
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

// A span row's resource has key=value: in its own `res` arrays (rows of
// schema version 2 and older) or in the resources row its hash names.
// GLOBAL: the resources matching are found once, on the server asked, and
// sent to every shard (a resource's row lives on one shard only).
std::string ResourceMatch(const std::string& resources, std::string_view key, std::string_view value) {
  return "(" + AttrMatch("res", key, value) + " OR resource GLOBAL IN (SELECT resource FROM " + resources +
         " WHERE " + AttrMatch("res", key, value) + "))";
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

// The SQL condition on one span row for tag key=value (tag_match.h);
// `resources` is the resources table as queried.
std::string TagCondition(const std::string& key, const std::string& value, const std::string& resources) {
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
      return ResourceMatch(resources, std::string_view(key).substr(9), value);
    case TagTarget::kEventName:
      return "(has(events.name, " + Quote(value) + ") OR " + AttrMatch("attr", key, value) + ")";
    case TagTarget::kAny:
      break;
  }
  return "(" + AttrMatch("attr", key, value) + " OR " + ResourceMatch(resources, key, value) + " OR " +
         AttrMatch("event_attr", key, value) + " OR " + AttrMatch("link_attr", key, value) + ")";
}

std::string SpanConditions(const TraceQuery& q, const std::string& resources) {
  std::string w = "start_ns >= " + std::to_string(q.start_time_min_ns) + " AND start_ns <= " +
                  std::to_string(q.start_time_max_ns);
  if (!q.service.empty()) w += " AND service = " + Quote(q.service);
  if (!q.operation.empty()) w += " AND operation = " + Quote(q.operation);
  if (q.min_span_duration_ns) w += " AND duration_ns >= " + std::to_string(q.min_span_duration_ns);
  if (q.max_span_duration_ns) w += " AND duration_ns <= " + std::to_string(q.max_span_duration_ns);
  for (const auto& [k, v] : q.tags) w += " AND " + TagCondition(k, v, resources);
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

// The condition on tags rows that a span matching tag key=value (as
// TagCondition) has in its trace, or "" when the tag is not an attribute
// match (status, kind, scope, event name: answered by scanning spans).
std::string TagsRowCondition(const std::string& key, const std::string& value) {
  std::string_view k = key;
  switch (ClassifyTag(key, value)) {
    case TagTarget::kAny: break;
    case TagTarget::kResource: k.remove_prefix(9); break;
    default: return "";
  }
  std::string tags = std::to_string(ch::TagHash(k, value));
  double d;
  auto r = std::from_chars(value.data(), value.data() + value.size(), d);
  if (r.ec == std::errc() && r.ptr == value.data() + value.size()) {
    tags += ", " + std::to_string(ch::TagHash(k, Value::Double(d).AsText()));
  }
  return "tag IN (" + tags + ")";
}

std::string IdList(const std::vector<TraceId>& ids, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (out.empty() ? "" : ", ") + ch::HexLiteral(ids[i].AsBytes());
  return out;
}

// (newest matching start, trace): the search's order is newest first, then
// by trace id.
using Hit = std::pair<uint64_t, TraceId>;
bool Before(const Hit& a, const Hit& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; }

Status ReadHits(const Result<std::string>& answer, std::vector<Hit>* out) {
  if (!answer.ok()) return answer.status();
  ch::RowReader r(*answer);
  while (!r.done() && r.ok()) {
    Hit h;
    h.second = r.Trace();
    h.first = r.U64();
    if (r.ok()) out->push_back(h);
  }
  return r.ok() ? Status::Ok() : DataLoss("clickhouse: malformed search answer");
}

}  // namespace

Status ClickHouseStore::FindTracesByTag(const TraceQuery& q, const std::string& spans, const std::string& having,
                                        const std::string& tag, std::vector<TraceId>* ids, bool* answered) {
  const size_t limit = q.limit == 0 ? 20 : q.limit;
  const std::string max = std::to_string(q.start_time_max_ns);
  const std::string candidates_where = tag + " AND max_start_ns >= " + std::to_string(q.start_time_min_ns);
  // Each shard's candidates, grouped there (a trace lives on one shard).
  std::vector<std::pair<ch::Http*, std::string>> sources;
  if (shard_servers_.empty()) sources.emplace_back(servers_.front().get(), T("tags"));
  for (ch::Http* shard : shard_servers_) sources.emplace_back(shard, T("tags") + "_local");
  std::vector<Hit> found;
  std::set<TraceId> checked;
  // Candidates come best bound first (the latest start of the tagged spans
  // in range, which no exact match can exceed); each round takes more until
  // `limit` exact matches are newer than any candidate not yet taken.
  for (size_t k = 4 * limit; k <= 65536; k *= 4) {
    std::vector<Hit> candidates;
    bool more = false;
    uint64_t bound = 0;  // no candidate not taken is newer
    for (auto& [server, table] : sources) {
      std::vector<Hit> part;
      CALLPATH_RETURN_IF_ERROR(ReadHits(
          server->Query("SELECT trace_id, max(least(max_start_ns, " + max + ")) AS u FROM " + table + " WHERE " +
                        candidates_where + " GROUP BY trace_id ORDER BY u DESC, trace_id LIMIT " +
                        std::to_string(k) + " FORMAT RowBinary"),
          &part));
      if (part.size() == k) {
        more = true;
        bound = std::max(bound, part.back().first);
      }
      candidates.insert(candidates.end(), part.begin(), part.end());
    }
    std::vector<TraceId> unchecked;
    for (const Hit& c : candidates) {
      if (checked.insert(c.second).second) unchecked.push_back(c.second);
    }
    // Checked exactly on their spans (a primary key lookup), a few hundred
    // ids per query.
    for (size_t from = 0; from < unchecked.size(); from += 256) {
      const std::string in = " AND trace_id IN (" + IdList(unchecked, from, std::min(unchecked.size(), from + 256)) + ")";
      std::string where = spans + in;
      if (!having.empty()) {
        where += " AND trace_id IN (SELECT trace_id FROM " + T("summaries") + " WHERE 1" + in +
                 " GROUP BY trace_id HAVING " + having + ")";
      }
      CALLPATH_RETURN_IF_ERROR(ReadHits(Query("SELECT trace_id, max(start_ns) FROM " + T("spans") + " WHERE " + where +
                                              " GROUP BY trace_id FORMAT RowBinary"),
                                        &found));
    }
    std::sort(found.begin(), found.end(), Before);
    if (!more || (found.size() >= limit && found[limit - 1].first > bound)) {
      for (size_t i = 0; i < found.size() && i < limit; ++i) ids->push_back(found[i].second);
      *answered = true;
      return Status::Ok();
    }
  }
  return Status::Ok();  // too many candidates not matching: the caller scans instead
}

Result<std::vector<TraceSummary>> ClickHouseStore::FindTraces(const TraceQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const size_t limit = q.limit == 0 ? 20 : q.limit;
  std::vector<TraceSummary> out;
  if (q.start_time_min_ns > q.start_time_max_ns) return out;
  if (!q.operation.empty() && q.service.empty()) return InvalidArgument("operation filter needs a service");

  // Without tags, the light copy ordered by (service, start) answers.
  const std::string table = q.tags.empty() ? T("span_index") : T("spans");
  const std::string spans = SpanConditions(q, T("resources"));
  const std::string having = TraceConditions(q);
  std::string where = spans;
  if (!having.empty()) {
    where += " AND trace_id IN (SELECT trace_id FROM " + T("summaries") + " WHERE trace_id IN (SELECT trace_id FROM " +
             table + " WHERE " + spans + ") GROUP BY trace_id HAVING " + having + ")";
  }
  // An attribute tag, in a time range the tags table covers: candidates
  // from there, checked on their spans; else a scan.
  std::string tag;
  if (q.start_time_min_ns >= tags_from_ns_) {
    for (const auto& [k, v] : q.tags) {
      if (tag.empty()) tag = TagsRowCondition(k, v);
    }
  }
  std::vector<TraceId> ids;
  bool answered = false;
  if (!tag.empty()) CALLPATH_RETURN_IF_ERROR(FindTracesByTag(q, spans, having, tag, &ids, &answered));
  if (!answered) {
    auto answer = Query("SELECT trace_id, max(start_ns) AS newest FROM " + table + " WHERE " + where +
                        " GROUP BY trace_id ORDER BY newest DESC, trace_id LIMIT " + std::to_string(limit) +
                        " FORMAT RowBinary");
    std::vector<Hit> hits;
    CALLPATH_RETURN_IF_ERROR(ReadHits(answer, &hits));
    for (const Hit& h : hits) ids.push_back(h.second);
  }
  CALLPATH_RETURN_IF_ERROR(Summaries(ids, &out));
  return out;
}

}  // namespace callpath::store
