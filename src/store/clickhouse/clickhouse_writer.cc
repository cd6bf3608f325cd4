// Writing: Prepare encodes a batch's rows (RowBinary) and statistics on the
// caller's thread, the rows keyed by trace already split by shard; Write
// sends each shard one INSERT per table, the shards in parallel, then the
// position row (clickhouse_store.h, "Durability").
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <thread>

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

// The batch's spans grouped by trace: indices into b.spans, each trace's
// spans next to each other in batch order. The traces come in the order of
// their ids' first eight bytes (cheap to compare, and ids are random).
std::vector<uint32_t> GroupByTrace(const IngestBatch& b) {
  struct Entry {
    uint64_t head;  // the id's first eight bytes
    uint32_t index;
  };
  std::vector<Entry> entries(b.spans.size());
  for (size_t i = 0; i < b.spans.size(); ++i) {
    std::memcpy(&entries[i].head, b.spans[i].trace_id.bytes().data(), 8);
    entries[i].index = static_cast<uint32_t>(i);
  }
  std::sort(entries.begin(), entries.end(), [&](const Entry& x, const Entry& y) {
    if (x.head != y.head) return x.head < y.head;
    const TraceId& a = b.spans[x.index].trace_id;
    const TraceId& c = b.spans[y.index].trace_id;
    return a == c ? x.index < y.index : a < c;
  });
  std::vector<uint32_t> out(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) out[i] = entries[i].index;
  return out;
}

// Calls f(first, last) for each trace's range [first, last) of `grouped`.
template <typename F>
void ForEachTrace(const IngestBatch& b, const std::vector<uint32_t>& grouped, F f) {
  for (size_t i = 0; i < grouped.size();) {
    size_t end = i + 1;
    while (end < grouped.size() && b.spans[grouped[end]].trace_id == b.spans[grouped[i]].trace_id) ++end;
    f(i, end);
    i = end;
  }
}

// One summaries row per trace of the batch, in its trace's shard.
void PrepareSummaries(const IngestBatch& b, const std::vector<uint32_t>& grouped, const ch::ShardMap& shards,
                      std::vector<ChRows>* out) {
  std::vector<std::string_view> services;
  ForEachTrace(b, grouped, [&](size_t first, size_t last) {
    const TraceId& trace = b.spans[grouped[first]].trace_id;
    uint64_t start = UINT64_MAX, end = 0;
    uint32_t errors = 0;
    services.clear();
    for (size_t i = first; i < last; ++i) {
      const StoredSpan& s = b.spans[grouped[i]];
      start = std::min(start, s.start_ns);
      end = std::max(end, s.end_ns());
      errors += s.is_error() ? 1 : 0;
      services.push_back(s.service);
    }
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    ChRows& rows = (*out)[shards.ShardOf(trace)];
    ch::RowWriter w(&rows.data);
    w.Trace(trace);
    w.U64(start);
    w.U64(end);
    w.U32(errors);
    w.ArraySize(services.size());
    for (auto s : services) w.String(s);
    rows.EndRow();
  });
}

uint64_t TagHashOf(const KeyValue& kv) {
  const Value& v = kv.value;
  if (v.type == Value::Type::kString || v.type == Value::Type::kJson) return ch::TagHash(kv.key, v.text);
  return ch::TagHash(kv.key, v.AsText());
}

// The tags rows of the batch: each (key, value) of a trace's spans'
// attributes of every kind once per trace and day, with the latest start
// of the spans carrying it, in its trace's shard. Sorted and merged trace
// by trace: a few dozen tags at a time, not the whole batch's.
void PrepareTags(const IngestBatch& b, const std::vector<uint32_t>& grouped, uint64_t partition_ns,
                 const ch::ShardMap& shards, std::vector<ChRows>* out) {
  struct Tag {
    uint64_t day;
    uint64_t tag;
    uint64_t start;
  };
  std::vector<std::vector<uint64_t>> resource_tags(b.resources.size());  // once per resource
  for (size_t r = 0; r < b.resources.size(); ++r) {
    for (const auto& kv : b.resources[r]) resource_tags[r].push_back(TagHashOf(kv));
  }
  std::vector<Tag> tags;
  struct ResourceUse {
    uint64_t day;
    uint32_t resource;
    uint64_t start;  // the latest of the trace's spans of that resource and day
  };
  std::vector<ResourceUse> uses;  // a trace's spans share a few resources
  ForEachTrace(b, grouped, [&](size_t first, size_t last) {
    tags.clear();
    uses.clear();
    for (size_t i = first; i < last; ++i) {
      const StoredSpan& s = b.spans[grouped[i]];
      const uint64_t day = s.start_ns / partition_ns;
      auto add = [&](const Attributes& attrs) {
        for (const auto& kv : attrs) tags.push_back({day, TagHashOf(kv), s.start_ns});
      };
      add(s.attributes);
      for (const auto& e : s.events) add(e.attributes);
      for (const auto& l : s.links) add(l.attributes);
      const uint32_t resource = b.span_resource[grouped[i]];
      auto use = std::find_if(uses.begin(), uses.end(),
                              [&](const ResourceUse& u) { return u.day == day && u.resource == resource; });
      if (use == uses.end()) {
        uses.push_back({day, resource, s.start_ns});
      } else {
        use->start = std::max(use->start, s.start_ns);
      }
    }
    for (const ResourceUse& u : uses) {
      for (uint64_t tag : resource_tags[u.resource]) tags.push_back({u.day, tag, u.start});
    }
    std::sort(tags.begin(), tags.end(), [](const Tag& x, const Tag& y) {
      return x.day != y.day ? x.day < y.day : x.tag < y.tag;
    });
    const TraceId& trace = b.spans[grouped[first]].trace_id;
    ChRows& rows = (*out)[shards.ShardOf(trace)];
    for (size_t i = 0; i < tags.size();) {
      const Tag& t = tags[i];
      uint64_t max = t.start;
      for (++i; i < tags.size() && tags[i].day == t.day && tags[i].tag == t.tag; ++i) max = std::max(max, tags[i].start);
      ch::RowWriter w(&rows.data);
      w.U64(t.tag);
      w.U64(max);
      w.Trace(trace);
      rows.EndRow();
    }
  });
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
  auto out = std::make_unique<ChPreparedBatch>(0, 0, shard_map_.shards());
  if (options_.stats) PrepareStats(FoldBatchStats(b), out.get());
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

Result<std::unique_ptr<PreparedBatch>> ClickHouseStore::Prepare(IngestBatch b) const {
  CALLPATH_RETURN_IF_ERROR(CheckBatch(b));
  auto out = std::make_unique<ChPreparedBatch>(b.spans.size(), b.logs.size(), shard_map_.shards());
  // Room for the rows up front (typical sizes, rounded up): growing the
  // buffers by doubling would copy every row byte once more.
  const size_t per_shard = b.spans.size() / shard_map_.shards() + 1;
  for (size_t i = 0; i < shard_map_.shards(); ++i) {
    out->spans[i].data.reserve(per_shard * 512);
    out->spans[i].ends.reserve(per_shard * 5 / 4);
    out->span_index[i].data.reserve(per_shard * 80);
    out->span_index[i].ends.reserve(per_shard * 5 / 4);
  }
  if (options_.stats && b.fold_statistics) {
    BatchStats stats = FoldBatchStats(b);
    for (size_t i = 0; i < b.logs.size(); ++i) {
      if (b.logs[i].template_id == 0) b.logs[i].template_id = stats.log_template_ids[i];
    }
    PrepareStats(stats, out.get());
  } else if (options_.stats) {
    FillLogTemplateIds(&b.logs);  // as the fold would have
  }
  // Each resource is encoded and hashed once; items carry the hash, and
  // the resources rows go out once per day of the items using them.
  std::vector<std::string> encoded(b.resources.size());
  std::vector<uint64_t> resource(b.resources.size(), 0);
  for (size_t i = 0; i < b.resources.size(); ++i) {
    if (b.resources[i].empty()) continue;  // 0: none
    ch::RowWriter w(&encoded[i]);
    ch::PutAttributes(w, b.resources[i]);
    resource[i] = ch::ResourceHash(encoded[i]);
  }
  std::vector<std::vector<uint64_t>> days(b.resources.size());  // each resource's days added so far
  auto use = [&](uint32_t index, uint64_t time_ns) {
    if (resource[index] == 0) return;
    const uint64_t day = time_ns / schema_.partition_ns;
    std::vector<uint64_t>& added = days[index];
    if (std::find(added.begin(), added.end(), day) != added.end()) return;
    added.push_back(day);
    out->resources.push_back({day, resource[index], encoded[index]});
  };
  // Most spans repeat a known name: kept as views while the batch lives,
  // copied once each at the end.
  std::set<std::tuple<uint64_t, std::string_view, std::string_view, uint8_t>> names;
  for (size_t i = 0; i < b.spans.size(); ++i) {
    const StoredSpan& s = b.spans[i];
    const size_t shard = shard_map_.ShardOf(s.trace_id);
    use(b.span_resource[i], s.start_ns);
    ch::RowWriter spans(&out->spans[shard].data);
    ch::PutSpan(spans, s, resource[b.span_resource[i]]);
    out->spans[shard].EndRow();
    ch::RowWriter index(&out->span_index[shard].data);
    index.String(s.service);
    index.U64(s.start_ns);
    index.String(s.operation);
    index.U64(s.duration_ns);
    index.U8(static_cast<uint8_t>(s.status));
    index.U8(static_cast<uint8_t>(s.kind));
    index.Trace(s.trace_id);
    out->span_index[shard].EndRow();
    // insert, not emplace: a name already there costs no node allocation.
    names.insert({s.start_ns / schema_.partition_ns, s.service, s.operation, static_cast<uint8_t>(s.kind)});
  }
  for (const auto& [day, service, operation, kind] : names) {
    out->operations.emplace(day, std::string(service), std::string(operation), kind);
  }
  const std::vector<uint32_t> grouped = GroupByTrace(b);
  PrepareSummaries(b, grouped, shard_map_, &out->summaries);
  PrepareTags(b, grouped, schema_.partition_ns, shard_map_, &out->tags);
  for (size_t i = 0; i < b.logs.size(); ++i) {
    ChRows& rows = out->logs[shard_map_.ShardOf(b.logs[i].trace_id)];
    ch::RowWriter logs(&rows.data);
    use(b.log_resource[i], b.logs[i].effective_time_ns());
    ch::PutLog(logs, b.logs[i], resource[b.log_resource[i]]);
    rows.EndRow();
  }
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

namespace {

// Rows of every batch as one INSERT body, each row of a versioned table
// ending in (writer, version, seq): seq numbers rows across the write, so
// of two copies of a span (always in the same shard) the later one wins.
void AppendRows(const std::vector<const ChRows*>& parts, bool versioned, std::string_view writer, uint64_t position,
                std::string* body) {
  ch::RowWriter w(body);
  uint32_t seq = 0;
  for (const ChRows* rows : parts) {
    if (!versioned) {
      w.Raw(rows->data);
      continue;
    }
    uint32_t from = 0;
    for (uint32_t end : rows->ends) {
      w.Raw(std::string_view(rows->data).substr(from, end - from));
      ch::PutVersion(w, writer, position, seq++);
      from = end;
    }
  }
}

// As AppendRows for spans rows, in the table's order (trace_id, start_ns,
// span_id): ClickHouse then finds the insert already sorted and spares the
// permutation of every column. Each row keeps the seq of its place in the
// write.
void AppendSpanRowsSorted(const std::vector<const ChRows*>& parts, std::string_view writer, uint64_t position,
                          std::string* body) {
  struct Row {
    uint64_t head;  // the trace id's first eight bytes, as a number in byte order
    const char* data;
    uint32_t size;
    uint32_t seq;
  };
  std::vector<Row> rows;
  uint32_t seq = 0;
  for (const ChRows* part : parts) {
    uint32_t from = 0;
    for (uint32_t end : part->ends) {
      Row r{0, part->data.data() + from, end - from, seq++};
      for (int i = 0; i < 8; ++i) r.head = (r.head << 8) | static_cast<uint8_t>(r.data[i]);
      rows.push_back(r);
      from = end;
    }
  }
  // A row starts with trace_id (16 bytes), start_ns (8, little-endian) and
  // span_id (8): PutSpan.
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    if (x.head != y.head) return x.head < y.head;
    if (int c = std::memcmp(x.data + 8, y.data + 8, 8)) return c < 0;
    uint64_t xs, ys;
    std::memcpy(&xs, x.data + 16, 8);
    std::memcpy(&ys, y.data + 16, 8);
    if (xs != ys) return xs < ys;
    if (int c = std::memcmp(x.data + 24, y.data + 24, 8)) return c < 0;
    return x.seq < y.seq;
  });
  ch::RowWriter w(body);
  for (const Row& r : rows) {
    w.Raw(std::string_view(r.data, r.size));
    ch::PutVersion(w, writer, position, r.seq);
  }
}

}  // namespace

Status ClickHouseStore::WriteShard(const std::vector<const PreparedBatch*>& batches, uint64_t position, size_t shard,
                                   bool with_unkeyed, const std::string& resources, const std::string& operations) {
  const bool split = !shard_servers_.empty();
  ch::Http& server = split ? *shard_servers_[shard] : *servers_.front();
  auto table = [&](const char* name) { return split ? T(name) + "_local" : T(name); };
  struct Keyed {
    const char* table;
    const char* columns;
    std::vector<ChRows> ChPreparedBatch::*rows;
    bool versioned;
  };
  static const Keyed kKeyed[] = {
      {"spans", ch::kSpanColumns, &ChPreparedBatch::spans, true},
      {"span_index", nullptr, &ChPreparedBatch::span_index, true},
      {"tags", nullptr, &ChPreparedBatch::tags, false},
      {"summaries", nullptr, &ChPreparedBatch::summaries, true},
      {"logs", ch::kLogColumns, &ChPreparedBatch::logs, true},
  };
  // Resources first: a stored row never names a resource that is not.
  if (!resources.empty()) {
    CALLPATH_RETURN_IF_ERROR(server.Insert("INSERT INTO " + table("resources") + " (" + ch::kResourceColumns +
                                           ") FORMAT RowBinary", resources));
  }
  std::vector<const ChRows*> parts;
  std::string body;
  auto insert = [&](const char* name, const char* columns, bool versioned) {
    body.clear();
    if (std::string_view(name) == "spans") {
      AppendSpanRowsSorted(parts, options_.writer_id, position, &body);
    } else {
      AppendRows(parts, versioned, options_.writer_id, position, &body);
    }
    if (body.empty()) return Status::Ok();
    const std::string list = columns ? std::string(" (") + columns + ")" : "";
    return server.Insert("INSERT INTO " + table(name) + list + " FORMAT RowBinary", body);
  };
  for (const Keyed& k : kKeyed) {
    parts.clear();
    for (const PreparedBatch* b : batches) parts.push_back(&(static_cast<const ChPreparedBatch*>(b)->*k.rows)[shard]);
    CALLPATH_RETURN_IF_ERROR(insert(k.table, k.columns, k.versioned));
  }
  if (!with_unkeyed) return Status::Ok();
  for (ChRows ChPreparedBatch::*rows : {&ChPreparedBatch::op_stats, &ChPreparedBatch::log_stats}) {
    parts.clear();
    for (const PreparedBatch* b : batches) parts.push_back(&(static_cast<const ChPreparedBatch*>(b)->*rows));
    CALLPATH_RETURN_IF_ERROR(insert(rows == &ChPreparedBatch::op_stats ? "op_stats" : "log_stats", nullptr, true));
  }
  if (operations.empty()) return Status::Ok();
  return server.Insert("INSERT INTO " + table("operations") + " FORMAT RowBinary", operations);
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

  uint64_t spans = 0, logs = 0;
  std::set<std::tuple<uint64_t, std::string, std::string, uint8_t>> operations;
  for (const PreparedBatch* b : batches) {
    const auto* in = static_cast<const ChPreparedBatch*>(b);
    if (in->spans.size() != shard_map_.shards()) return Internal("clickhouse: batch prepared for another shard layout");
    spans += in->span_count();
    logs += in->log_count();
    operations.insert(in->operations.begin(), in->operations.end());
  }
  // Names: only those this process has not written yet.
  std::string names;
  {
    ch::RowWriter w(&names);
    std::lock_guard<std::mutex> ops_lock(ops_mu_);
    for (const auto& op : operations) {
      if (ops_written_.count(op)) continue;
      w.U64(std::get<0>(op));
      w.String(std::get<1>(op));
      w.String(std::get<2>(op));
      w.U8(std::get<3>(op));
    }
  }
  // The shards' inserts run side by side; the statistics and names, not
  // keyed by trace, go to one shard per write in turn.
  dirty_.store(true);
  const size_t n = shard_map_.shards();
  const size_t unkeyed = position % n;
  std::vector<std::string> resources;
  std::vector<std::pair<uint64_t, uint64_t>> resource_keys;
  NewResources(batches, &resources, &resource_keys);
  std::vector<Status> done(n, Status::Ok());
  std::vector<std::thread> others;
  for (size_t i = 1; i < n; ++i) {
    others.emplace_back([&, i] { done[i] = WriteShard(batches, position, i, i == unkeyed, resources[i], names); });
  }
  done[0] = WriteShard(batches, position, 0, unkeyed == 0, resources[0], names);
  for (auto& t : others) t.join();
  for (const Status& s : done) CALLPATH_RETURN_IF_ERROR(s);
  // Last: the position, which vouches for every row above.
  std::string body;
  ch::RowWriter w(&body);
  w.String(options_.writer_id);
  w.U64(position);
  Status s = servers_.front()->Insert("INSERT INTO " + T("positions") + " FORMAT RowBinary", body);
  if (!s.ok()) return s;
  committed_.store(position);
  dirty_.store(false);
  {
    std::lock_guard<std::mutex> ops_lock(ops_mu_);
    if (ops_written_.size() > 65536) ops_written_.clear();
    ops_written_.insert(operations.begin(), operations.end());
    if (resources_written_.size() > 65536) resources_written_.clear();
    resources_written_.insert(resource_keys.begin(), resource_keys.end());
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
