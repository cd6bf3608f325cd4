// Writing: Prepare encodes a batch's rows (RowBinary) and statistics on the
// caller's thread; Write sends them as one INSERT per table, then the
// position row (clickhouse_store.h, "Durability").
#include <algorithm>
#include <map>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/rows.h"
#include "store/stats_fold.h"

namespace callpath::store {

namespace {

Status CheckBatch(const IngestBatch& b) {
  if (b.span_resource.size() != b.spans.size() || b.log_resource.size() != b.logs.size()) {
    return InvalidArgument("ingest batch: one resource index per item expected");
  }
  for (uint32_t r : b.span_resource) {
    if (r >= b.resources.size()) return InvalidArgument("span resource index out of range");
  }
  for (uint32_t r : b.log_resource) {
    if (r >= b.resources.size()) return InvalidArgument("log resource index out of range");
  }
  for (const auto& s : b.spans) {
    if (!s.trace_id.IsValid() || !s.span_id.IsValid()) {
      return InvalidArgument("span with invalid trace or span id");
    }
  }
  return Status::Ok();
}

// One summaries row per trace of the batch.
void PrepareSummaries(const IngestBatch& b, ChRows* out) {
  std::vector<const StoredSpan*> spans;
  for (const auto& s : b.spans) spans.push_back(&s);
  std::sort(spans.begin(), spans.end(), [](const StoredSpan* x, const StoredSpan* y) { return x->trace_id < y->trace_id; });
  ch::RowWriter w(&out->data);
  std::vector<std::string_view> services;
  for (size_t i = 0; i < spans.size();) {
    const TraceId& trace = spans[i]->trace_id;
    uint64_t start = UINT64_MAX, end = 0;
    uint32_t errors = 0;
    services.clear();
    for (; i < spans.size() && spans[i]->trace_id == trace; ++i) {
      start = std::min(start, spans[i]->start_ns);
      end = std::max(end, spans[i]->end_ns());
      errors += spans[i]->is_error() ? 1 : 0;
      services.push_back(spans[i]->service);
    }
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    w.Trace(trace);
    w.U64(start);
    w.U64(end);
    w.U32(errors);
    w.ArraySize(services.size());
    for (auto s : services) w.String(s);
    out->EndRow();
  }
}

void PrepareStats(const BatchStats& stats, ChPreparedBatch* out) {
  ch::RowWriter ops(&out->op_stats.data);
  std::string sketch;
  for (const OperationStats& o : stats.operations) {
    ops.U64(o.start_ns);
    ops.String(o.service);
    ops.String(o.operation);
    ops.U8(static_cast<uint8_t>(o.kind));
    ops.U64(o.calls);
    ops.U64(o.errors);
    ops.U64(o.root_calls);
    sketch.clear();
    o.duration.EncodeTo(&sketch);
    ops.String(sketch);
    sketch.clear();
    o.self_time.EncodeTo(&sketch);
    ops.String(sketch);
    out->op_stats.EndRow();
  }
  ch::RowWriter logs(&out->log_stats.data);
  for (const LogTemplateStats& l : stats.log_templates) {
    logs.U64(l.start_ns);
    logs.String(l.service);
    logs.U64(l.template_id);
    logs.String(l.template_text);
    logs.I32(l.severity_number);
    logs.U64(l.count);
    logs.U64(l.in_traces);
    out->log_stats.EndRow();
  }
}

}  // namespace

Result<std::unique_ptr<PreparedBatch>> ClickHouseStore::PrepareStatistics(const IngestBatch& b) const {
  CALLPATH_RETURN_IF_ERROR(CheckBatch(b));
  auto out = std::make_unique<ChPreparedBatch>(0, 0);
  if (options_.stats) PrepareStats(FoldBatchStats(b), out.get());
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

Result<std::unique_ptr<PreparedBatch>> ClickHouseStore::Prepare(IngestBatch b) const {
  CALLPATH_RETURN_IF_ERROR(CheckBatch(b));
  auto out = std::make_unique<ChPreparedBatch>(b.spans.size(), b.logs.size());
  if (options_.stats && b.fold_statistics) {
    BatchStats stats = FoldBatchStats(b);
    for (size_t i = 0; i < b.logs.size(); ++i) {
      if (b.logs[i].template_id == 0) b.logs[i].template_id = stats.log_template_ids[i];
    }
    PrepareStats(stats, out.get());
  } else if (options_.stats) {
    FillLogTemplateIds(&b.logs);  // as the fold would have
  }
  // Each resource's attribute arrays are encoded once and copied per item.
  std::vector<std::string> resources(b.resources.size());
  for (size_t i = 0; i < b.resources.size(); ++i) {
    ch::RowWriter w(&resources[i]);
    ch::PutAttributes(w, b.resources[i]);
  }
  ch::RowWriter spans(&out->spans.data);
  for (size_t i = 0; i < b.spans.size(); ++i) {
    const StoredSpan& s = b.spans[i];
    ch::PutSpan(spans, s, resources[b.span_resource[i]]);
    out->spans.EndRow();
    ch::RowWriter index(&out->span_index.data);
    index.String(s.service);
    index.U64(s.start_ns);
    index.String(s.operation);
    index.U64(s.duration_ns);
    index.U8(static_cast<uint8_t>(s.status));
    index.U8(static_cast<uint8_t>(s.kind));
    index.Trace(s.trace_id);
    out->span_index.EndRow();
    out->operations.emplace(s.start_ns / schema_.partition_ns, s.service, s.operation, static_cast<uint8_t>(s.kind));
  }
  PrepareSummaries(b, &out->summaries);
  ch::RowWriter logs(&out->logs.data);
  for (size_t i = 0; i < b.logs.size(); ++i) {
    ch::PutLog(logs, b.logs[i], resources[b.log_resource[i]]);
    out->logs.EndRow();
  }
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

Status ClickHouseStore::Write(const std::vector<const PreparedBatch*>& batches, uint64_t position) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::lock_guard<std::mutex> lock(write_mu_);
  if (position <= committed_.load()) {
    return InvalidArgument("write position " + std::to_string(position) + " is not after the last one (" +
                           std::to_string(committed_.load()) + ")");
  }
  // Rows a failed attempt may have left go first, so that this write (often
  // the same one again) is stored once.
  CALLPATH_RETURN_IF_ERROR(RemoveIncompleteWrites());

  // Each table's rows of every batch, each ending in (writer, version, seq):
  // seq numbers rows across the write, so a later copy of a span wins.
  struct Insert {
    const char* table;
    const char* columns;
    ChRows ChPreparedBatch::*rows;
  };
  static const Insert kInserts[] = {
      {"spans", ch::kSpanColumns, &ChPreparedBatch::spans},
      {"span_index", nullptr, &ChPreparedBatch::span_index},
      {"summaries", nullptr, &ChPreparedBatch::summaries},
      {"logs", ch::kLogColumns, &ChPreparedBatch::logs},
      {"op_stats", nullptr, &ChPreparedBatch::op_stats},
      {"log_stats", nullptr, &ChPreparedBatch::log_stats},
  };
  uint64_t spans = 0, logs = 0;
  std::set<std::tuple<uint64_t, std::string, std::string, uint8_t>> operations;
  for (const PreparedBatch* b : batches) {
    const auto* in = static_cast<const ChPreparedBatch*>(b);
    spans += in->span_count();
    logs += in->log_count();
    operations.insert(in->operations.begin(), in->operations.end());
  }
  std::string body;
  for (const Insert& insert : kInserts) {
    body.clear();
    ch::RowWriter w(&body);
    uint32_t seq = 0;
    for (const PreparedBatch* b : batches) {
      const ChRows& rows = static_cast<const ChPreparedBatch*>(b)->*insert.rows;
      uint32_t from = 0;
      for (uint32_t end : rows.ends) {
        w.Raw(std::string_view(rows.data).substr(from, end - from));
        ch::PutVersion(w, options_.writer_id, position, seq++);
        from = end;
      }
    }
    if (body.empty()) continue;
    dirty_.store(true);
    const std::string columns = insert.columns ? std::string(" (") + insert.columns + ")" : "";
    Status s = servers_.front()->Insert("INSERT INTO " + T(insert.table) + columns + " FORMAT RowBinary", body);
    if (!s.ok()) return s;
  }
  // Names: only those this process has not written yet.
  body.clear();
  {
    ch::RowWriter w(&body);
    std::lock_guard<std::mutex> ops_lock(ops_mu_);
    for (const auto& op : operations) {
      if (ops_written_.count(op)) continue;
      w.U64(std::get<0>(op));
      w.String(std::get<1>(op));
      w.String(std::get<2>(op));
      w.U8(std::get<3>(op));
    }
  }
  if (!body.empty()) {
    dirty_.store(true);
    Status s = servers_.front()->Insert("INSERT INTO " + T("operations") + " FORMAT RowBinary", body);
    if (!s.ok()) return s;
  }
  // Last: the position, which vouches for every row above.
  body.clear();
  ch::RowWriter w(&body);
  w.String(options_.writer_id);
  w.U64(position);
  dirty_.store(true);
  Status s = servers_.front()->Insert("INSERT INTO " + T("positions") + " FORMAT RowBinary", body);
  if (!s.ok()) return s;
  committed_.store(position);
  dirty_.store(false);
  {
    std::lock_guard<std::mutex> ops_lock(ops_mu_);
    if (ops_written_.size() > 65536) ops_written_.clear();
    ops_written_.insert(operations.begin(), operations.end());
  }
  spans_written_.fetch_add(spans);
  logs_written_.fetch_add(logs);
  return Status::Ok();
}

Result<uint64_t> ClickHouseStore::Checkpoint() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // Nothing is buffered here: a Write returns once ClickHouse acknowledged
  // its position row (clickhouse_store.h, "Durability").
  return committed_.load();
}

Status ClickHouseStore::Resume() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::lock_guard<std::mutex> lock(write_mu_);
  return RemoveIncompleteWrites();
}

}  // namespace callpath::store
