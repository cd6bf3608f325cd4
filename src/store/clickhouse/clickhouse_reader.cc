// Reading traces: by id, their summaries (folded from the spans' light
// columns with SummarizeSpans, as every backend folds them), names and the
// service graph.
#include <algorithm>
#include <map>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/rows.h"
#include "store/summary_fold.h"

namespace callpath::store {

namespace {

std::string IdList(const std::vector<TraceId>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ", ";
    out += ch::HexLiteral(id.AsBytes());
  }
  return out;
}

// A span and the (version, seq) of its row: of several copies of one span,
// the latest written is kept.
struct Copy {
  StoredSpan span;
  uint64_t version = 0;
  uint32_t seq = 0;
  uint64_t resource = 0;  // its resource's hash (GetTrace)
};

// Sorted by (trace, start, span id); the last copy of each span kept.
void KeepLatest(std::vector<Copy>* copies) {
  std::sort(copies->begin(), copies->end(), [](const Copy& a, const Copy& b) {
    return std::tie(a.span.trace_id, a.span.start_ns, a.span.span_id, a.version, a.seq) <
           std::tie(b.span.trace_id, b.span.start_ns, b.span.span_id, b.version, b.seq);
  });
  std::vector<Copy> out;
  out.reserve(copies->size());
  for (size_t i = 0; i < copies->size(); ++i) {
    const Copy& c = (*copies)[i];
    if (i + 1 < copies->size()) {
      const Copy& n = (*copies)[i + 1];
      if (n.span.trace_id == c.span.trace_id && n.span.start_ns == c.span.start_ns && n.span.span_id == c.span.span_id) {
        continue;  // a later copy follows
      }
    }
    out.push_back(std::move((*copies)[i]));
  }
  *copies = std::move(out);
}

}  // namespace

Result<std::vector<StoredSpan>> ClickHouseStore::GetTrace(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // A trace lives on one shard: asked there, the other shards are spared.
  auto answer = TraceServer(trace_id).Query(std::string("SELECT ") + ch::kSpanColumns + " FROM " + TraceTable("spans") +
                                            " PREWHERE trace_id = " + ch::HexLiteral(trace_id.AsBytes()) +
                                            " FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  std::vector<Copy> copies;
  ch::RowReader r(*answer);
  while (!r.done()) {
    Copy c;
    if (!ch::ReadSpan(r, &c.span, &c.resource, &c.version, &c.seq)) return DataLoss("clickhouse: malformed span row");
    copies.push_back(std::move(c));
  }
  if (copies.empty()) return NotFound("trace not found");
  KeepLatest(&copies);
  std::vector<std::pair<uint64_t, Attributes*>> resources;
  for (auto& c : copies) resources.emplace_back(c.resource, &c.span.resource_attributes);
  CALLPATH_RETURN_IF_ERROR(AttachResources(resources));
  std::vector<StoredSpan> out;
  out.reserve(copies.size());
  for (auto& c : copies) out.push_back(std::move(c.span));
  return out;
}

Result<std::vector<StoredSpan>> ClickHouseStore::GetTraceSkeleton(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  auto answer = TraceServer(trace_id).Query(std::string("SELECT ") + ch::kSpanSkeletonColumns + " FROM " +
                                            TraceTable("spans") + " PREWHERE trace_id = " +
                                            ch::HexLiteral(trace_id.AsBytes()) + " FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  std::vector<Copy> copies;
  ch::RowReader r(*answer);
  while (!r.done()) {
    Copy c;
    c.span.trace_id = r.Trace();
    c.span.start_ns = r.U64();
    c.span.span_id = r.Span();
    c.span.parent_span_id = r.Span();
    c.span.service = r.String();
    c.span.operation = r.String();
    uint8_t kind = r.U8();
    c.span.duration_ns = r.U64();
    uint8_t status = r.U8();
    c.version = r.U64();
    c.seq = r.U32();
    if (!r.ok() || kind > 5 || status > 2) return DataLoss("clickhouse: malformed span skeleton row");
    c.span.kind = static_cast<SpanKind>(kind);
    c.span.status = static_cast<SpanStatus>(status);
    copies.push_back(std::move(c));
  }
  if (copies.empty()) return NotFound("trace not found");
  KeepLatest(&copies);
  std::vector<StoredSpan> out;
  out.reserve(copies.size());
  for (auto& c : copies) out.push_back(std::move(c.span));
  return out;
}

Status ClickHouseStore::Summaries(const std::vector<TraceId>& ids, std::vector<TraceSummary>* out) {
  out->clear();
  if (ids.empty()) return Status::Ok();
  // One trace (GetTraceSummary) is asked of its shard alone.
  const std::string sql = std::string("SELECT ") + ch::kSpanSummaryColumns + " FROM " +
                          (ids.size() == 1 ? TraceTable("spans") : T("spans")) + " PREWHERE trace_id IN (" +
                          IdList(ids) + ") FORMAT RowBinary";
  auto answer = ids.size() == 1 ? TraceServer(ids.front()).Query(sql) : Query(sql);
  if (!answer.ok()) return answer.status();
  std::vector<Copy> copies;
  ch::RowReader r(*answer);
  while (!r.done()) {
    Copy c;
    c.span.trace_id = r.Trace();
    c.span.start_ns = r.U64();
    c.span.span_id = r.Span();
    c.span.parent_span_id = r.Span();
    c.span.service = r.String();
    c.span.operation = r.String();
    c.span.duration_ns = r.U64();
    c.span.status = static_cast<SpanStatus>(r.U8());
    c.version = r.U64();
    c.seq = r.U32();
    if (!r.ok()) return DataLoss("clickhouse: malformed span summary row");
    copies.push_back(std::move(c));
  }
  KeepLatest(&copies);
  std::map<TraceId, TraceSummary> by_trace;
  std::vector<const StoredSpan*> spans;
  for (size_t i = 0; i < copies.size();) {
    spans.clear();
    const TraceId& trace = copies[i].span.trace_id;
    for (; i < copies.size() && copies[i].span.trace_id == trace; ++i) spans.push_back(&copies[i].span);
    TraceSummary s = SummarizeSpans(spans);
    s.trace_id = trace;
    by_trace.emplace(trace, std::move(s));
  }
  for (const auto& id : ids) {
    auto it = by_trace.find(id);
    if (it != by_trace.end()) out->push_back(std::move(it->second));
  }
  return Status::Ok();
}

Result<TraceSummary> ClickHouseStore::GetTraceSummary(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<TraceSummary> found;
  CALLPATH_RETURN_IF_ERROR(Summaries({trace_id}, &found));
  if (found.empty()) return NotFound("trace not found");
  return std::move(found.front());
}

Result<std::vector<std::string>> ClickHouseStore::GetServices() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  auto answer = Query("SELECT DISTINCT service FROM " + T("operations") + " ORDER BY service FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  std::vector<std::string> out;
  ch::RowReader r(*answer);
  while (!r.done() && r.ok()) out.push_back(r.String());
  if (!r.ok()) return DataLoss("clickhouse: malformed service list");
  return out;
}

Result<std::vector<Operation>> ClickHouseStore::GetOperations(const std::string& service,
                                                              std::optional<SpanKind> kind) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::string sql = "SELECT DISTINCT operation, kind FROM " + T("operations") + " WHERE service = " + ch::Quote(service);
  if (kind) sql += " AND kind = " + std::to_string(static_cast<int>(*kind));
  auto answer = Query(sql + " ORDER BY operation, kind FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  std::vector<Operation> out;
  ch::RowReader r(*answer);
  while (!r.done() && r.ok()) {
    Operation op;
    op.name = r.String();
    op.kind = static_cast<SpanKind>(r.U8());
    out.push_back(std::move(op));
  }
  if (!r.ok()) return DataLoss("clickhouse: malformed operation list");
  return out;
}

Result<std::vector<DependencyLink>> ClickHouseStore::GetDependencies(uint64_t start_ns, uint64_t end_ns) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const std::string range = "start_ns >= " + std::to_string(start_ns) + " AND start_ns <= " + std::to_string(end_ns);
  // Children that start in the range, each span once (of its copies, any
  // one), joined to their parents wherever those start.
  const std::string sql =
      "SELECT parent_service, child_service, count(), countIf(child_status = 2),"
      " toUInt64(quantile(0.99)(child_duration)) FROM ("
      " SELECT trace_id, any(parent_span_id) AS pid, any(service) AS child_service,"
      "  any(duration_ns) AS child_duration, any(status) AS child_status FROM " + T("spans") + " WHERE " + range +
      "  AND parent_span_id != toFixedString(unhex('0000000000000000'), 8) GROUP BY trace_id, span_id"
      ") ALL INNER JOIN ("
      " SELECT trace_id, span_id AS pid, any(service) AS parent_service FROM " + T("spans") +
      "  WHERE trace_id IN (SELECT trace_id FROM " + T("spans") + " WHERE " + range + ")"
      "  GROUP BY trace_id, span_id"
      ") USING (trace_id, pid) WHERE parent_service != child_service"
      " GROUP BY parent_service, child_service ORDER BY parent_service, child_service FORMAT RowBinary";
  auto answer = Query(sql);
  if (!answer.ok()) return answer.status();
  std::vector<DependencyLink> out;
  ch::RowReader r(*answer);
  while (!r.done() && r.ok()) {
    DependencyLink d;
    d.parent = r.String();
    d.child = r.String();
    d.call_count = r.U64();
    d.error_count = r.U64();
    d.p99_duration_ns = r.U64();
    out.push_back(std::move(d));
  }
  if (!r.ok()) return DataLoss("clickhouse: malformed dependency rows");
  return out;
}

}  // namespace callpath::store
