#include "store/model.h"

#include "store/summary_fold.h"
#include "text/hex.h"

#include <algorithm>
#include <charconv>

namespace callpath::store {

std::string Value::AsText() const {
  switch (type) {
    case Type::kBool: return int_value ? "true" : "false";
    case Type::kInt64: return std::to_string(int_value);
    case Type::kDouble: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, double_value);
      return std::string(buf, r.ptr);
    }
    case Type::kBytes: return text::HexString(text);
    default: return text;
  }
}

namespace {
constexpr std::string_view kKindNames[] = {"unspecified", "internal", "server",
                                           "client",      "producer", "consumer"};
}

std::string_view SpanKindName(SpanKind kind) noexcept {
  auto i = static_cast<size_t>(kind);
  return i < std::size(kKindNames) ? kKindNames[i] : "unspecified";
}

bool ParseSpanKind(std::string_view name, SpanKind* out) noexcept {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    std::string_view k = kKindNames[i];
    if (k.size() != name.size()) continue;
    bool eq = true;
    for (size_t j = 0; j < k.size() && eq; ++j) {
      char c = name[j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      eq = c == k[j];
    }
    if (eq) {
      *out = static_cast<SpanKind>(i);
      return true;
    }
  }
  return false;
}

namespace {
// Which of two root candidates names the trace: a real root beats an
// inferred one; among equals the earlier start, then the smaller name so
// the choice does not depend on arrival order.
bool BetterRoot(bool a_root, uint64_t a_start, std::string_view a_svc, std::string_view a_op,
                bool b_root, uint64_t b_start, std::string_view b_svc, std::string_view b_op) {
  if (a_root != b_root) return a_root;
  if (a_start != b_start) return a_start < b_start;
  if (a_svc != b_svc) return a_svc < b_svc;
  return a_op < b_op;
}

void InsertService(const std::string& s, std::vector<std::string>* services) {
  auto it = std::lower_bound(services->begin(), services->end(), s);
  if (it == services->end() || *it != s) services->insert(it, s);
}

// Sums `add` into `into` (both sorted by name).
void AddServiceStats(const std::vector<ServiceStats>& add, std::vector<ServiceStats>* into) {
  for (const ServiceStats& a : add) {
    auto it = std::lower_bound(into->begin(), into->end(), a.name,
                               [](const ServiceStats& s, const std::string& n) { return s.name < n; });
    if (it == into->end() || it->name != a.name) {
      into->insert(it, a);
    } else {
      it->span_count += a.span_count;
      it->error_count += a.error_count;
    }
  }
}
}  // namespace

void AddSpanToSummary(const StoredSpan& span, TraceSummary* sum) {
  TraceSummary one;
  one.trace_id = span.trace_id;
  one.root_service = span.service;
  one.root_operation = span.operation;
  one.has_root = span.is_root();
  one.root_start_ns = span.start_ns;
  one.start_ns = span.start_ns;
  one.duration_ns = span.duration_ns;
  one.span_count = 1;
  one.error_count = span.is_error() ? 1 : 0;
  one.services.push_back(span.service);
  one.service_stats.push_back({span.service, 1, one.error_count});
  one.orphan_count = span.is_root() ? 0 : 1;
  MergeSummaries(one, sum);
}

void MergeSummaries(const TraceSummary& o, TraceSummary* into) {
  if (o.span_count == 0) return;
  if (into->span_count == 0) {
    *into = o;
    return;
  }
  if (BetterRoot(o.has_root, o.root_start_ns, o.root_service, o.root_operation, into->has_root,
                 into->root_start_ns, into->root_service, into->root_operation)) {
    into->root_service = o.root_service;
    into->root_operation = o.root_operation;
    into->has_root = o.has_root;
    into->root_start_ns = o.root_start_ns;
  }
  uint64_t end = std::max(into->end_ns(), o.end_ns());
  into->start_ns = std::min(into->start_ns, o.start_ns);
  into->duration_ns = end - into->start_ns;
  into->span_count += o.span_count;
  into->error_count += o.error_count;
  into->orphan_count += o.orphan_count;
  for (const auto& s : o.services) InsertService(s, &into->services);
  if (o.service_stats.empty() || into->service_stats.empty()) {
    into->service_stats.clear();  // one side does not know its split
  } else {
    AddServiceStats(o.service_stats, &into->service_stats);
  }
}

TraceSummary SummarizeSpans(const std::vector<const StoredSpan*>& spans, std::vector<uint32_t>* service_of) {
  TraceSummary sum;
  if (spans.empty()) return sum;
  const StoredSpan* root = spans.front();
  uint64_t start = root->start_ns, end = root->end_ns();
  // Services in order of first appearance, and each span's among them: a
  // trace has few services, and its spans come grouped by service, so the
  // last match is checked first and names are compared about once a span.
  std::vector<std::string_view> seen;
  std::vector<uint32_t> seen_of(spans.size());
  std::vector<SpanId> ids;
  ids.reserve(spans.size());
  for (const StoredSpan* s : spans) ids.push_back(s->span_id);
  std::sort(ids.begin(), ids.end());
  uint32_t last = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const StoredSpan* s = spans[i];
    if (!s->is_root() && !std::binary_search(ids.begin(), ids.end(), s->parent_span_id)) {
      ++sum.orphan_count;
    }
    if (BetterRoot(s->is_root(), s->start_ns, s->service, s->operation, root->is_root(),
                   root->start_ns, root->service, root->operation)) {
      root = s;
    }
    start = std::min(start, s->start_ns);
    end = std::max(end, s->end_ns());
    sum.error_count += s->is_error() ? 1 : 0;
    if (seen.empty() || seen[last] != s->service) {
      auto it = std::find(seen.begin(), seen.end(), s->service);
      if (it == seen.end()) it = seen.insert(it, s->service);
      last = static_cast<uint32_t>(it - seen.begin());
    }
    seen_of[i] = last;
  }
  sum.trace_id = root->trace_id;
  sum.root_service = root->service;
  sum.root_operation = root->operation;
  sum.has_root = root->is_root();
  sum.root_start_ns = root->start_ns;
  sum.start_ns = start;
  sum.duration_ns = end - start;
  sum.span_count = static_cast<uint32_t>(spans.size());
  // Sorted names; rank[k] is where the k-th seen service went.
  std::vector<uint32_t> order(seen.size());
  for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return seen[a] < seen[b]; });
  std::vector<uint32_t> rank(seen.size());
  sum.services.reserve(seen.size());
  sum.service_stats.resize(seen.size());
  for (uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    sum.services.emplace_back(seen[order[r]]);
    sum.service_stats[r].name = sum.services.back();
  }
  if (service_of) service_of->resize(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    const uint32_t r = rank[seen_of[i]];
    ServiceStats& st = sum.service_stats[r];
    ++st.span_count;
    st.error_count += spans[i]->is_error() ? 1 : 0;
    if (service_of) (*service_of)[i] = r;
  }
  return sum;
}

}  // namespace callpath::store
