// FoldBatchStats (stats_fold.h). Runs in Writer::Prepare on every ingest
// thread, so it avoids per-span allocations: rows are found through maps
// keyed by views into the batch and made into strings once per row.
#include "store/stats_fold.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "store/encoding.h"
#include "store/log_template.h"

namespace callpath::store {

namespace {

uint64_t MinuteOf(uint64_t ns) { return ns - ns % kStatsBucketNs; }

uint64_t Word(const SpanId& id) {
  uint64_t w;
  std::memcpy(&w, id.bytes().data(), 8);
  return w;
}

bool SameTrace(const TraceId& a, const TraceId& b) {
  uint64_t x[2], y[2];
  std::memcpy(x, a.bytes().data(), 16);
  std::memcpy(y, b.bytes().data(), 16);
  return x[0] == y[0] && x[1] == y[1];
}

// The batch's spans by span id: an open-addressing table of span indexes
// (a sort or a node-based map cost several times more per span).
class SpanIndex {
 public:
  explicit SpanIndex(const std::vector<StoredSpan>& spans) : spans_(spans) {
    size_t n = 16;
    while (n < 2 * spans.size()) n *= 2;
    slots_.assign(n, kEmpty);
    for (size_t i = 0; i < spans.size(); ++i) {
      size_t at = Home(Word(spans[i].span_id));
      while (slots_[at] != kEmpty) at = (at + 1) & (slots_.size() - 1);
      slots_[at] = static_cast<uint32_t>(i);
    }
  }
  // The span of `trace` with id `id`, or nullptr.
  const StoredSpan* Find(const TraceId& trace, const SpanId& id, uint32_t* index) const {
    const uint64_t w = Word(id);
    for (size_t at = Home(w); slots_[at] != kEmpty; at = (at + 1) & (slots_.size() - 1)) {
      const StoredSpan& s = spans_[slots_[at]];
      if (Word(s.span_id) == w && SameTrace(s.trace_id, trace)) {
        *index = slots_[at];
        return &s;
      }
    }
    return nullptr;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  size_t Home(uint64_t w) const { return static_cast<size_t>((w * 0x9e3779b97f4a7c15ull) >> 20) & (slots_.size() - 1); }
  const std::vector<StoredSpan>& spans_;
  std::vector<uint32_t> slots_;
};

// The local self time of each span (OperationStats::self_time): its
// duration less the union of its same-service children's time inside it.
std::vector<uint64_t> LocalSelfTimes(const std::vector<StoredSpan>& spans) {
  std::vector<uint64_t> self(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) self[i] = spans[i].duration_ns;
  const SpanIndex index(spans);
  struct Child {
    uint32_t parent;
    uint64_t start, end;
  };
  std::vector<Child> children;
  children.reserve(spans.size());
  for (const StoredSpan& s : spans) {
    if (s.is_root()) continue;
    uint32_t parent = 0;
    const StoredSpan* p = index.Find(s.trace_id, s.parent_span_id, &parent);
    if (p == nullptr || p->service != s.service) continue;
    // Only the part of the child inside its parent is the parent's wait.
    const uint64_t start = std::max(s.start_ns, p->start_ns);
    const uint64_t end = std::min(s.end_ns(), p->end_ns());
    if (start < end) children.push_back({parent, start, end});
  }
  std::sort(children.begin(), children.end(), [](const Child& a, const Child& b) {
    return a.parent != b.parent ? a.parent < b.parent : a.start < b.start;
  });
  for (size_t i = 0; i < children.size();) {
    const uint32_t parent = children[i].parent;
    uint64_t covered = 0, run_start = children[i].start, run_end = children[i].end;
    for (; i < children.size() && children[i].parent == parent; ++i) {
      if (children[i].start > run_end) {
        covered += run_end - run_start;
        run_start = children[i].start;
      }
      run_end = std::max(run_end, children[i].end);
    }
    covered += run_end - run_start;
    self[parent] -= std::min(covered, self[parent]);
  }
  return self;
}

struct OperationKey {
  uint64_t minute;
  std::string_view service, operation;
  SpanKind kind;
  bool operator==(const OperationKey&) const = default;
};
struct OperationKeyHash {
  size_t operator()(const OperationKey& k) const noexcept {
    const size_t h = std::hash<std::string_view>()(k.service) * 31 + std::hash<std::string_view>()(k.operation);
    return h * 31 + k.minute * 7 + static_cast<size_t>(k.kind);
  }
};

std::vector<OperationStats> FoldSpans(const std::vector<StoredSpan>& spans) {
  const std::vector<uint64_t> self = LocalSelfTimes(spans);
  std::unordered_map<OperationKey, size_t, OperationKeyHash> index;
  index.reserve(64);
  std::vector<OperationStats> rows;
  for (size_t i = 0; i < spans.size(); ++i) {
    const StoredSpan& s = spans[i];
    const OperationKey key{MinuteOf(s.start_ns), s.service, s.operation, s.kind};
    auto [it, fresh] = index.try_emplace(key, rows.size());
    if (fresh) {
      OperationStats& row = rows.emplace_back();
      row.start_ns = key.minute;
      row.service = s.service;
      row.operation = s.operation;
      row.kind = s.kind;
    }
    OperationStats& row = rows[it->second];
    ++row.calls;
    if (s.is_error()) ++row.errors;
    if (s.is_root()) ++row.root_calls;
    row.duration.Add(s.duration_ns);
    row.self_time.Add(self[i]);
  }
  return rows;
}

struct TemplateKey {
  uint64_t minute;
  std::string_view service;
  uint64_t template_id;
  int32_t severity;
  bool operator==(const TemplateKey&) const = default;
};
struct TemplateKeyHash {
  size_t operator()(const TemplateKey& k) const noexcept {
    return std::hash<std::string_view>()(k.service) * 31 + k.template_id * 7 + k.minute * 3 +
           static_cast<size_t>(k.severity);
  }
};

}  // namespace

std::string_view LogBodyText(const StoredLog& log, std::string* scratch) {
  if (log.body.type == Value::Type::kString || log.body.type == Value::Type::kJson) return log.body.text;
  *scratch = log.body.AsText();
  return *scratch;
}

void FillLogTemplateIds(std::vector<StoredLog>* logs) {
  std::string scratch;
  for (StoredLog& l : *logs) {
    if (l.template_id == 0) l.template_id = LogTemplateOf(LogBodyText(l, &scratch)).id;
  }
}

BatchStats FoldBatchStats(const IngestBatch& batch) {
  BatchStats out;
  if (!batch.spans.empty()) out.operations = FoldSpans(batch.spans);
  if (batch.logs.empty()) return out;

  std::unordered_map<uint64_t, std::string> texts;  // template id -> text
  std::unordered_map<TemplateKey, size_t, TemplateKeyHash> index;
  std::string scratch;
  out.log_template_ids.reserve(batch.logs.size());
  for (const StoredLog& l : batch.logs) {
    uint64_t id = l.template_id;
    if (id == 0 || !texts.contains(id)) {
      LogTemplate t = LogTemplateOf(LogBodyText(l, &scratch));
      if (id == 0) id = t.id;
      texts.try_emplace(id, std::move(t.text));
    }
    out.log_template_ids.push_back(id);
    const TemplateKey key{MinuteOf(l.effective_time_ns()), l.service, id, l.severity_number};
    auto [it, fresh] = index.try_emplace(key, out.log_templates.size());
    if (fresh) {
      LogTemplateStats& row = out.log_templates.emplace_back();
      row.start_ns = key.minute;
      row.service = l.service;
      row.template_id = id;
      row.template_text = texts[id];
      row.severity_number = l.severity_number;
    }
    LogTemplateStats& row = out.log_templates[it->second];
    ++row.count;
    if (l.trace_id.IsValid()) ++row.in_traces;
  }
  return out;
}

void MergeOperationStats(const OperationStats& from, OperationStats* into) {
  into->calls += from.calls;
  into->errors += from.errors;
  into->root_calls += from.root_calls;
  into->duration.Merge(from.duration);
  into->self_time.Merge(from.self_time);
}

void MergeLogTemplateStats(const LogTemplateStats& from, LogTemplateStats* into) {
  into->count += from.count;
  into->in_traces += from.in_traces;
  if (into->template_text.empty()) into->template_text = from.template_text;
}

}  // namespace callpath::store
