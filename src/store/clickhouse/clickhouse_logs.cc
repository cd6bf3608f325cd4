// Log records: by trace, oldest first; searched newest first.
#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/rows.h"

namespace callpath::store {

Result<std::vector<StoredLog>> ClickHouseStore::ReadLogs(const Result<std::string>& answer) {
  if (!answer.ok()) return answer.status();
  std::vector<StoredLog> out;
  std::vector<uint64_t> resources;
  ch::RowReader r(*answer);
  uint64_t resource, version;
  uint32_t seq;
  while (!r.done()) {
    StoredLog l;
    if (!ch::ReadLog(r, &l, &resource, &version, &seq)) return DataLoss("clickhouse: malformed log row");
    out.push_back(std::move(l));
    resources.push_back(resource);
  }
  std::vector<std::pair<uint64_t, Attributes*>> targets;
  for (size_t i = 0; i < out.size(); ++i) targets.emplace_back(resources[i], &out[i].resource_attributes);
  CALLPATH_RETURN_IF_ERROR(AttachResources(targets));
  return out;
}

Result<std::vector<StoredLog>> ClickHouseStore::LogsForTrace(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  return ReadLogs(TraceServer(trace_id).Query(std::string("SELECT ") + ch::kLogColumns + " FROM " + TraceTable("logs") +
                                              " PREWHERE trace_id = " + ch::HexLiteral(trace_id.AsBytes()) +
                                              " ORDER BY effective_ns, version, seq FORMAT RowBinary"));
}

Result<std::vector<StoredLog>> ClickHouseStore::SearchLogs(const LogQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const size_t limit = q.limit == 0 ? 100 : q.limit;
  std::string where = "effective_ns >= " + std::to_string(q.start_time_min_ns) +
                      " AND effective_ns <= " + std::to_string(q.start_time_max_ns);
  if (q.trace_id.IsValid()) where += " AND trace_id = " + ch::HexLiteral(q.trace_id.AsBytes());
  if (!q.service.empty()) where += " AND service = " + ch::Quote(q.service);
  if (q.min_severity > 0) where += " AND severity_number >= " + std::to_string(q.min_severity);
  if (!q.text.empty()) where += " AND position(body, " + ch::Quote(q.text) + ") > 0";
  return ReadLogs(Query(std::string("SELECT ") + ch::kLogColumns + " FROM " + T("logs") + " WHERE " + where +
                        " ORDER BY effective_ns DESC, version, seq LIMIT " + std::to_string(limit) +
                        " FORMAT RowBinary"));
}

}  // namespace callpath::store
