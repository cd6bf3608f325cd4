// Trace reads: by id, summaries, service and operation names, dependencies.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "store/encoding.h"
#include "store/read_deadline.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"

namespace callpath::store {

Result<SummaryRecord> RocksDbStore::ReadSummary(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::string v;
  rocksdb::Status s = db_->Get({}, cf(kTraces), trace_id.AsBytes(), &v);
  if (s.IsNotFound()) return NotFound("trace " + trace_id.ToHex() + " not found");
  if (!s.ok()) return FromRocks(s, "read summary");
  return ParseSummary(trace_id, v);
}

Result<SummaryRecord> RocksDbStore::ParseSummary(const TraceId& trace_id,
                                                 std::string_view value) const {
  SummaryRecord rec;
  if (!DecodeSummaryRecord(value, &rec)) return DataLoss("corrupt summary of " + trace_id.ToHex());
  if (rec.summary.end_ns() < retention_cutoff_ns_.load(std::memory_order_relaxed)) {
    return NotFound("trace " + trace_id.ToHex() + " expired");
  }
  rec.summary.trace_id = trace_id;
  return rec;
}

Result<TraceSummary> RocksDbStore::GetTraceSummary(const TraceId& trace_id) {
  auto rec = ReadSummary(trace_id);
  if (!rec.ok()) return rec.status();
  return std::move(rec->summary);
}

namespace {

bool SameSpan(const StoredSpan& a, const StoredSpan& b) {
  return a.start_ns == b.start_ns && a.span_id == b.span_id;
}

// Orders spans by (start, span id) and keeps the last written copy of each.
// Spans arrive as segments in sequence order, so within one (start, id) the
// later copy is the newer; the sort is over indices (stable), and each
// span is moved once: moving whole spans inside a sort cost a tenth of a
// 200k-span read.
void OrderAndDeduplicate(std::vector<StoredSpan>* spans) {
  auto before = [&](uint32_t a, uint32_t b) {
    const StoredSpan& x = (*spans)[a];
    const StoredSpan& y = (*spans)[b];
    if (x.start_ns != y.start_ns) return x.start_ns < y.start_ns;
    return x.span_id < y.span_id;
  };
  std::vector<uint32_t> order(spans->size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  bool sorted = std::is_sorted(order.begin(), order.end(), before);
  if (!sorted) std::stable_sort(order.begin(), order.end(), before);
  std::vector<StoredSpan> out;
  out.reserve(spans->size());
  for (size_t k = 0; k < order.size(); ++k) {
    if (k + 1 < order.size() && SameSpan((*spans)[order[k + 1]], (*spans)[order[k]])) continue;
    out.push_back(std::move((*spans)[order[k]]));
  }
  spans->swap(out);
}

}  // namespace

Result<std::vector<StoredSpan>> RocksDbStore::ReadTraceSpans(const TraceId& trace_id, bool skeleton_only) {
  auto rec = ReadSummary(trace_id);
  if (!rec.ok()) return rec.status();
  std::vector<StoredSpan> spans;
  spans.reserve(rec->summary.span_count);
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kSpans)));
  uint32_t min_live = MinLiveBucket();
  std::vector<seg::BlobSpan> blob;
  std::string blob_bytes;  // inflated blob, which `blob` points into
  for (uint32_t b : rec->buckets) {
    if (b < min_live) continue;
    std::string prefix = keys::SpanPrefix(b, trace_id);
    // Segments in sequence order: a span written again comes later.
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != keys::kSpanKeySize) continue;
      if (!seg::DecodeBlob(std::string_view(it->value().data(), it->value().size()), &blob_bytes, &blob)) {
        return DataLoss("corrupt span blob in trace " + trace_id.ToHex());
      }
      for (const auto& bs : blob) {
        StoredSpan& s = spans.emplace_back();
        s.trace_id = trace_id;
        s.start_ns = bs.start_ns;
        s.span_id = bs.span_id;
        uint64_t rh = 0;
        bool ok = skeleton_only ? enc::DecodeSpanSkeleton(bs.value, &s) : enc::DecodeSpanValue(bs.value, &s, &rh);
        if (!ok) return DataLoss("corrupt span in trace " + trace_id.ToHex());
        if (!skeleton_only) CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &s.resource_attributes));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan trace");
  }
  if (spans.empty()) return NotFound("trace " + trace_id.ToHex() + " has no stored spans");
  OrderAndDeduplicate(&spans);
  return spans;
}

Result<std::vector<StoredSpan>> RocksDbStore::GetTrace(const TraceId& trace_id) {
  return ReadTraceSpans(trace_id, false);
}

Result<std::vector<StoredSpan>> RocksDbStore::GetTraceSkeleton(const TraceId& trace_id) {
  return ReadTraceSpans(trace_id, true);
}

Result<std::vector<std::string>> RocksDbStore::GetServices() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kNames)));
  for (it->Seek("s"); it->Valid() && it->key().starts_with("s"); it->Next()) {
    out.emplace_back(it->key().data() + 1, it->key().size() - 1);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan services");
  return out;
}

Result<std::vector<Operation>> RocksDbStore::GetOperations(const std::string& service,
                                                           std::optional<SpanKind> kind) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<Operation> out;
  std::string prefix = keys::OperationPrefix(service);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kNames)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    if (rest.size() < 2 || rest[rest.size() - 2] != '\0') continue;
    auto k = static_cast<SpanKind>(static_cast<uint8_t>(rest.back()));
    if (kind && *kind != k) continue;
    out.push_back({std::string(rest.substr(0, rest.size() - 2)), k});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan operations");
  return out;
}

Result<std::vector<DependencyLink>> RocksDbStore::GetDependencies(uint64_t start_ns,
                                                                  uint64_t end_ns) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  struct Edge {
    uint64_t calls = 0, errors = 0;
    LatencySketch durations;
  };
  std::map<std::pair<std::string, std::string>, Edge> edges;
  if (start_ns > end_ns || max_bucket_.load() < min_bucket_.load()) return std::vector<DependencyLink>{};
  uint32_t first = std::max(BucketOf(start_ns), MinLiveBucket());
  uint32_t last = std::min(BucketOf(end_ns), MaxBucket());

  // Spans are collected per trace (id -> service, parent) across all
  // buckets of the range, so a trace that crosses a bucket boundary is
  // joined whole; the maps are flushed into edges only when they grow
  // large (then a parent/child pair split across the flush is missed).
  struct Node {
    std::string service;
    SpanId parent;
    bool in_range;
    bool error;
    uint64_t duration_ns;
  };
  std::unordered_map<std::string, std::unordered_map<uint64_t, Node>> traces;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.fill_cache = false;  // a range scan would evict the hot trace blocks
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kSpans)));
  auto flush = [&](std::unordered_map<uint64_t, Node>& nodes) {
    for (const auto& [id, n] : nodes) {
      if (!n.in_range || !n.parent.IsValid()) continue;
      uint64_t pid;
      std::memcpy(&pid, n.parent.bytes().data(), 8);
      auto p = nodes.find(pid);
      if (p == nodes.end() || p->second.service == n.service) continue;
      Edge& e = edges[{p->second.service, n.service}];
      ++e.calls;
      e.errors += n.error;
      e.durations.Add(n.duration_ns);
    }
  };
  std::vector<seg::BlobSpan> blob;
  std::string blob_bytes;  // inflated blob, which `blob` points into
  for (uint64_t b = first; b <= last; ++b) {
    std::string lo = keys::Bucket(static_cast<uint32_t>(b));
    for (it->Seek(lo); it->Valid() && it->key().starts_with(lo); it->Next()) {
      CALLPATH_RETURN_IF_ERROR(CheckReadDeadline());
      rocksdb::Slice k = it->key();
      if (k.size() != keys::kSpanKeySize) continue;
      if (!seg::DecodeBlob(std::string_view(it->value().data(), it->value().size()), &blob_bytes, &blob)) continue;
      auto& nodes = traces[std::string(k.data() + keys::kBucketSize, 16)];
      for (const auto& bs : blob) {
        enc::SpanHead head;
        if (!enc::DecodeSpanHead(bs.value, &head)) continue;
        uint64_t sid;
        std::memcpy(&sid, bs.span_id.bytes().data(), 8);
        nodes[sid] = Node{std::string(head.service), head.parent, bs.start_ns >= start_ns && bs.start_ns <= end_ns,
                          head.status == SpanStatus::kError, head.duration_ns};
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan spans");
    if (traces.size() > 200000 || b == last) {
      for (auto& [t, nodes] : traces) flush(nodes);
      traces.clear();
    }
  }
  std::vector<DependencyLink> out;
  for (const auto& [k, e] : edges) out.push_back({k.first, k.second, e.calls, e.errors, e.durations.Quantile(0.99)});
  return out;
}

}  // namespace callpath::store
