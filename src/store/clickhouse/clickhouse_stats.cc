// Statistics (stats.h): per-minute rows of each write, merged at read per
// window or per step, as the RocksDB store merges its rows.
#include <algorithm>
#include <map>
#include <tuple>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/row_binary.h"
#include "store/stats_fold.h"

namespace callpath::store {

namespace {

uint64_t MinuteOf(uint64_t ns) { return ns - ns % kStatsBucketNs; }

// Where a minute's row goes in the answer: the start of its step.
struct Steps {
  uint64_t start = 0, step = 0;  // step 0: the whole window
  explicit Steps(const StatsQuery& q) : start(q.start_ns) {
    if (q.step_ns != 0) {
      const uint64_t minutes = (q.step_ns + kStatsBucketNs - 1) / kStatsBucketNs;
      step = std::max<uint64_t>(1, minutes) * kStatsBucketNs;
    }
  }
  uint64_t Of(uint64_t minute) const {
    if (step == 0 || minute <= start) return start;  // the minute holding `start` joins the first step
    return start + (minute - start) / step * step;
  }
};

std::string Window(const StatsQuery& q) {
  return "minute >= " + std::to_string(MinuteOf(q.start_ns)) + " AND minute < " + std::to_string(q.end_ns) +
         (q.service.empty() ? "" : " AND service = " + ch::Quote(q.service));
}

}  // namespace

Result<std::vector<OperationStats>> ClickHouseStore::Operations(const StatsQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<OperationStats> out;
  if (q.end_ns <= q.start_ns) return out;
  std::string where = Window(q);
  if (!q.operation.empty()) where += " AND operation = " + ch::Quote(q.operation);
  auto answer = Query("SELECT minute, service, operation, kind, calls, errors, root_calls, duration, self_time FROM " +
                      T("op_stats") + " WHERE " + where + " FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  const Steps steps(q);
  std::map<std::tuple<uint64_t, std::string, std::string, int>, OperationStats> merged;
  ch::RowReader r(*answer);
  while (!r.done()) {
    OperationStats row;
    const uint64_t minute = r.U64();
    row.service = r.String();
    row.operation = r.String();
    row.kind = static_cast<SpanKind>(r.U8());
    row.calls = r.U64();
    row.errors = r.U64();
    row.root_calls = r.U64();
    auto duration = LatencySketch::Decode(r.String());
    auto self_time = LatencySketch::Decode(r.String());
    if (!r.ok() || !duration.ok() || !self_time.ok()) return DataLoss("clickhouse: malformed statistics row");
    row.duration = std::move(*duration);
    row.self_time = std::move(*self_time);
    row.start_ns = steps.Of(minute);
    auto [it, fresh] = merged.try_emplace({row.start_ns, row.service, row.operation, static_cast<int>(row.kind)});
    if (fresh) {
      it->second.start_ns = row.start_ns;
      it->second.service = row.service;
      it->second.operation = row.operation;
      it->second.kind = row.kind;
    }
    MergeOperationStats(row, &it->second);
  }
  for (auto& [key, row] : merged) out.push_back(std::move(row));
  return out;
}

Result<std::vector<LogTemplateStats>> ClickHouseStore::LogTemplates(const StatsQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<LogTemplateStats> out;
  if (q.end_ns <= q.start_ns) return out;
  auto answer = Query("SELECT minute, service, template_id, template_text, severity_number, count, in_traces FROM " +
                      T("log_stats") + " WHERE " + Window(q) + " FORMAT RowBinary");
  if (!answer.ok()) return answer.status();
  const Steps steps(q);
  std::map<std::tuple<uint64_t, std::string, uint64_t, int32_t>, LogTemplateStats> merged;
  ch::RowReader r(*answer);
  while (!r.done()) {
    LogTemplateStats row;
    const uint64_t minute = r.U64();
    row.service = r.String();
    row.template_id = r.U64();
    row.template_text = r.String();
    row.severity_number = r.I32();
    row.count = r.U64();
    row.in_traces = r.U64();
    if (!r.ok()) return DataLoss("clickhouse: malformed log statistics row");
    row.start_ns = steps.Of(minute);
    auto [it, fresh] = merged.try_emplace({row.start_ns, row.service, row.template_id, row.severity_number});
    if (fresh) {
      it->second.start_ns = row.start_ns;
      it->second.service = row.service;
      it->second.template_id = row.template_id;
      it->second.severity_number = row.severity_number;
      it->second.template_text = row.template_text;
    }
    MergeLogTemplateStats(row, &it->second);
  }
  for (auto& [key, row] : merged) out.push_back(std::move(row));
  return out;
}

}  // namespace callpath::store
