// `callpath trace`: the call tree of one trace on one screen.
//
//   Trace 4b00…f9
//   web: GET /items · 100ms · 2 spans · 1 error · started 2023-11-14 22:13:20.000
//   SPAN                      TIMELINE                  DURATION   SELF  STATUS
//   web: GET /items           │██████████████████████│    100ms  20.0ms
//   └─ api: List              │  ████████████████    │   80.0ms  80.0ms  ✗ db "timeout"
//      └┄ +15.0ms ERROR [api] query timed out  db.statement="SELECT 1"
//   Root cause: api: List ...
//
// The tree is rebuilt from parent ids and the API's depths (a parent link
// is trusted only when it goes exactly one level up, so the walk can never
// loop); logs hang under the span that wrote them, in time order among its
// child spans, and logs of unknown spans under the root.
#include <algorithm>
#include <unordered_map>

#include "cli/explain_view.h"
#include "cli/line.h"
#include "cli/render.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

constexpr size_t kNumberColumn = 8;  // "DURATION" / "SELF" columns
constexpr size_t kMaxNameColumn = 64;

struct Tree {
  int root = -1;
  std::vector<int> parent;
  std::vector<std::vector<size_t>> children;
  std::vector<uint64_t> shift;                // clock-skew shift of each span (subtree sum, two's complement)
  std::vector<std::vector<size_t>> logs;      // log indexes per span
  std::vector<bool> log_span_unknown;         // per log: span id given but not in the trace
  std::unordered_map<std::string, size_t> by_id;
};

// Modular arithmetic: absurd times from the wire must not be undefined
// behaviour.
uint64_t Shifted(uint64_t t, uint64_t delta) { return t + delta; }

Tree BuildTree(const TraceView& t) {
  Tree tree;
  const size_t n = t.spans.size();
  tree.parent.assign(n, -1);
  tree.children.assign(n, {});
  tree.shift.assign(n, 0);
  tree.logs.assign(n, {});
  tree.log_span_unknown.assign(t.logs.size(), false);
  if (n == 0) return tree;
  for (size_t i = 0; i < n; ++i) tree.by_id.emplace(t.spans[i].span_id, i);
  for (size_t i = 0; i < n && tree.root < 0; ++i) {
    if (t.spans[i].depth == 0) tree.root = static_cast<int>(i);
  }
  if (tree.root < 0) tree.root = 0;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<int>(i) == tree.root) continue;
    int p = tree.root;
    auto it = tree.by_id.find(t.spans[i].parent_span_id);
    if (it != tree.by_id.end() && it->second != i && t.spans[it->second].depth + 1 == t.spans[i].depth) {
      p = static_cast<int>(it->second);
    }
    tree.parent[i] = p;
    tree.children[static_cast<size_t>(p)].push_back(i);
  }
  for (auto& c : tree.children) {
    std::stable_sort(c.begin(), c.end(),
                     [&](size_t a, size_t b) { return t.spans[a].start_ns < t.spans[b].start_ns; });
  }
  // Skew shifts: each adjustment moved a span and its subtree; a log keeps
  // its original time, so it is moved by the sum along its ancestors.
  std::vector<uint64_t> own(n, 0);
  for (const auto& a : t.adjustments) {
    auto it = tree.by_id.find(a.span_id);
    if (it != tree.by_id.end()) own[it->second] += static_cast<uint64_t>(a.delta_ns);
  }
  std::vector<size_t> order{static_cast<size_t>(tree.root)};
  for (size_t k = 0; k < order.size(); ++k) {
    size_t i = order[k];
    tree.shift[i] = own[i] + (tree.parent[i] >= 0 ? tree.shift[static_cast<size_t>(tree.parent[i])] : 0);
    for (size_t c : tree.children[i]) order.push_back(c);
  }
  for (size_t l = 0; l < t.logs.size(); ++l) {
    size_t owner = static_cast<size_t>(tree.root);
    if (!t.logs[l].span_id.empty()) {
      auto it = tree.by_id.find(t.logs[l].span_id);
      if (it != tree.by_id.end()) {
        owner = it->second;
      } else {
        tree.log_span_unknown[l] = true;
      }
    }
    tree.logs[owner].push_back(l);
  }
  for (size_t i = 0; i < n; ++i) {
    std::stable_sort(tree.logs[i].begin(), tree.logs[i].end(), [&](size_t a, size_t b) {
      return t.logs[a].time_ns < t.logs[b].time_ns;
    });
  }
  return tree;
}

struct Item {
  enum Type { kWarning, kLog, kSpan } type;
  size_t index;
};

// What hangs under span i: its warnings, then its logs and child spans
// merged by time (a log written before a call started comes first).
std::vector<Item> Items(const TraceView& t, const Tree& tree, size_t i) {
  std::vector<Item> items;
  for (size_t w = 0; w < t.spans[i].warnings.size(); ++w) items.push_back({Item::kWarning, w});
  const auto& logs = tree.logs[i];
  const auto& kids = tree.children[i];
  size_t a = 0, b = 0;
  while (a < logs.size() || b < kids.size()) {
    bool take_log = b == kids.size() ||
                    (a < logs.size() && Shifted(t.logs[logs[a]].time_ns, tree.shift[i]) <= t.spans[kids[b]].start_ns);
    if (take_log) {
      items.push_back({Item::kLog, logs[a++]});
    } else {
      items.push_back({Item::kSpan, kids[b++]});
    }
  }
  return items;
}

std::string Offset(uint64_t t, uint64_t origin) {
  std::string out(1, t >= origin ? '+' : '-');
  out += FormatDuration(t >= origin ? t - origin : origin - t);
  return out;
}

std::string SpanLabelPlain(const SpanView& s) { return Sanitize(s.service) + ": " + Sanitize(s.operation); }

// "service: operation" fitted into `columns`: when both do not fit, the
// service keeps at most half, the operation the rest.
void AddSpanLabel(Line& line, const SpanView& s, size_t columns, const Style&) {
  std::string svc = Sanitize(s.service), op = Sanitize(s.operation);
  size_t ws = DisplayWidth(svc), wo = DisplayWidth(op);
  if (columns != 0 && ws + 2 + wo > columns) {
    size_t avail = columns > 2 ? columns - 2 : 0;
    size_t svc_max = std::min(ws, std::max(avail / 2, avail > wo ? avail - wo : 0));
    svc = Truncate(svc, svc_max);
    op = Truncate(op, avail - DisplayWidth(svc));
  }
  line.Add(svc, Tone::kCyan).Add(": ").Add(op);
}

std::string Bar(const SpanView& s, uint64_t origin, uint64_t total, size_t columns) {
  size_t from = 0, to = columns;
  if (total > 0) {
    uint64_t off = s.start_ns > origin ? s.start_ns - origin : 0;
    long double scale = static_cast<long double>(columns) / static_cast<long double>(total);
    long double cols = static_cast<long double>(columns);
    long double begin = std::min(static_cast<long double>(off) * scale, cols - 1);
    long double end = std::min((static_cast<long double>(off) + static_cast<long double>(s.duration_ns)) * scale, cols);
    from = static_cast<size_t>(begin);
    to = static_cast<size_t>(end);
    if (static_cast<long double>(to) < end) ++to;  // ceil: a started column is drawn
    to = std::clamp(to, from + 1, columns);
  }
  std::string bar;
  for (size_t c = 0; c < columns; ++c) bar += (c >= from && c < to) ? "█" : " ";
  return bar;
}

const std::string* FindAttribute(const SpanView& s, std::string_view key) {
  for (const auto& f : s.attributes) {
    if (f.key == key) return &f.value;
  }
  return nullptr;
}

// Attributes that explain a failure, shown first in the footer.
constexpr std::string_view kTellingAttributes[] = {
    "http.response.status_code", "http.status_code", "rpc.grpc.status_code", "error.type",
    "http.request.method",       "http.method",      "url.path",             "http.route",
    "http.target",               "url.full",         "rpc.method",           "db.statement",
    "db.query.text",             "server.address",   "peer.service"};

std::string ErrorText(const SpanView& s) {
  if (!s.status_message.empty()) return s.status_message;
  if (!s.exception.empty()) return s.exception;
  for (auto key : {"http.response.status_code", "http.status_code"}) {
    if (const std::string* v = FindAttribute(s, key)) return "HTTP " + *v;
  }
  if (const std::string* v = FindAttribute(s, "rpc.grpc.status_code")) return "gRPC status " + *v;
  return "error";
}

void AddFields(Line& line, const std::vector<Field>& fields) {
  for (const auto& f : fields) {
    line.Add("  ");
    line.Add(Sanitize(f.key), Tone::kDim).Add("=", Tone::kDim).Add(LogfmtValue(f.value));
  }
}

void AddLogBody(Line& line, const LogView& l, uint64_t shown_time, uint64_t origin) {
  line.Add(Offset(shown_time, origin), Tone::kDim).Add(" ");
  std::string level = l.level.empty() ? "-" : Sanitize(l.level);
  line.Add(PadRight(level, 5), Style::LevelTone(l.level)).Add(" ");
  line.Add("[", Tone::kCyan).Add(Sanitize(l.service), Tone::kCyan).Add("]", Tone::kCyan).Add(" ");
  line.Add(Sanitize(l.msg));
  AddFields(line, l.fields);
}

struct Layout {
  size_t name = 0;  // name column incl. tree prefix
  size_t bar = 0;
  size_t width = 0;
};

Layout ComputeLayout(const TraceView& t, const RenderOptions& o) {
  Layout l;
  l.width = o.width;
  l.bar = o.bar_width == 0 ? 1 : o.bar_width;
  // Widest label + tree prefix (3 columns per level).
  size_t needed = 4;
  for (const auto& s : t.spans) {
    size_t depth_cols = 3 * std::min<uint64_t>(s.depth, 16);
    needed = std::max(needed, depth_cols + DisplayWidth(SpanLabelPlain(s)));
  }
  size_t fixed = 1 + l.bar + 1 + kNumberColumn + 1 + kNumberColumn;
  if (o.width == 0) {
    l.name = std::min(needed, kMaxNameColumn);
  } else {
    // Leave room for a short status; never below 16 columns for names.
    size_t room = o.width > fixed + 16 ? o.width - fixed - 16 : 16;
    l.name = std::clamp<size_t>(std::min(needed, room), 16, kMaxNameColumn);
    if (l.name + fixed > o.width && l.bar > 10) {
      l.bar = std::max<size_t>(10, l.bar - (l.name + fixed - o.width));
    }
  }
  return l;
}

void RenderSpanLine(std::string& out, const TraceView& t, size_t i, const std::string& prefix,
                    const Layout& lay, const Style& style) {
  const SpanView& s = t.spans[i];
  Line line(style, lay.width);
  // The tree prefix may not eat the whole name column on very deep trees.
  // On very deep trees the tree prefix is cut from the left and the depth
  // written out, so names keep their column: "(27) …   └─ ".
  std::string pre = prefix;
  if (DisplayWidth(pre) > lay.name / 2) {
    std::string depth = "(" + std::to_string(s.depth) + ") ";
    size_t budget = lay.name / 2;
    pre = depth + TruncateLeft(pre, budget > DisplayWidth(depth) + 4 ? budget - DisplayWidth(depth) : 4);
  }
  line.Add(pre, Tone::kDim);
  size_t label_cols = lay.name - DisplayWidth(pre);
  size_t before = line.used();
  AddSpanLabel(line, s, label_cols, style);
  line.Add(std::string(label_cols - std::min(label_cols, line.used() - before), ' '));
  line.Add(" ");
  Tone bar_tone = s.error ? Tone::kRed : s.critical ? Tone::kYellow : Tone::kDim;
  line.Add(Bar(s, t.start_ns, t.duration_ns, lay.bar), bar_tone);
  line.Add(" ").Add(PadLeft(FormatDuration(s.duration_ns), kNumberColumn));
  line.Add(" ").Add(PadLeft(FormatDuration(s.self_ns), kNumberColumn), Tone::kDim);
  if (s.error) line.Add("  ").Add("✗ " + Sanitize(ErrorText(s)), Tone::kBoldRed);
  out += line.Finish();
}

void RenderHeader(std::string& out, const TraceView& t, const RenderOptions& o, const Style& style) {
  out += Line(style, o.width).Add("Trace ", Tone::kBold).Add(Sanitize(t.trace_id), Tone::kBold).Finish();
  Line l(style, o.width);
  if (!t.root_service.empty() || !t.root_operation.empty()) {
    l.Add(Sanitize(t.root_service), Tone::kCyan).Add(": ").Add(Sanitize(t.root_operation)).Add(" · ");
  }
  l.Add(FormatDuration(t.duration_ns)).Add(" · ");
  l.Add(std::to_string(t.span_count) + (t.span_count == 1 ? " span" : " spans")).Add(" · ");
  std::string errors = std::to_string(t.error_count) + (t.error_count == 1 ? " error" : " errors");
  if (t.error_count > 0) {
    l.Add(errors, Tone::kBoldRed);
  } else {
    l.Add(errors);
  }
  l.Add(" · started " + FormatTimestamp(t.start_ns, o.utc) + (o.utc ? " UTC" : ""));
  out += l.Finish();
  Line s(style, o.width);
  s.Add("Services (" + std::to_string(t.services.size()) + "): ");
  for (size_t k = 0; k < t.services.size(); ++k) {
    if (k) s.Add(", ");
    s.Add(Sanitize(t.services[k]), Tone::kCyan);
  }
  out += s.Finish();
}

// "  why:        ": the footer's labels line up.
std::string FooterLabel(std::string_view name) { return "  " + PadRight(std::string(name) + ":", 12); }

// The error span to blame: the API's ranking when present, else the
// deepest erroring span (latest start among equals).
int BlamedSpan(const TraceView& t, const Tree& tree, std::string* reason) {
  for (const auto& c : t.error_causes) {
    auto it = tree.by_id.find(c.span_id);
    if (it != tree.by_id.end()) {
      *reason = c.reason;
      return static_cast<int>(it->second);
    }
  }
  int best = -1;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!t.spans[i].error) continue;
    if (best < 0 || t.spans[i].depth >= t.spans[static_cast<size_t>(best)].depth) best = static_cast<int>(i);
  }
  if (best >= 0) *reason = "deepest span with error status";
  return best;
}

void RenderFooter(std::string& out, const TraceView& t, const Tree& tree, const RenderOptions& o,
                  const Style& style) {
  // The footer is the answer: allow it a few lines' worth before cutting.
  size_t width = o.width == 0 ? 0 : o.width * 4;
  std::string reason;
  int blamed = BlamedSpan(t, tree, &reason);
  if (blamed >= 0) {
    size_t b = static_cast<size_t>(blamed);
    const SpanView& s = t.spans[b];
    Line head(style, width);
    head.Add("Root cause: ", Tone::kBoldRed).Add(Sanitize(s.service), Tone::kCyan).Add(": ");
    head.Add(Sanitize(s.operation), Tone::kBold);
    head.Add("  (span " + Sanitize(s.span_id) + ", " + Offset(s.start_ns, t.start_ns) + ", " +
             FormatDuration(s.duration_ns) + ")");
    out += head.Finish();
    if (!reason.empty()) out += Line(style, width).Add(FooterLabel("why")).Add(Sanitize(reason)).Finish();
    if (!s.status_message.empty()) {
      out += Line(style, width).Add(FooterLabel("error")).Add(Sanitize(s.status_message), Tone::kRed).Finish();
    }
    if (!s.exception.empty() && s.exception != s.status_message) {
      out += Line(style, width).Add(FooterLabel("exception")).Add(Sanitize(s.exception), Tone::kRed).Finish();
    }
    if (!s.attributes.empty()) {
      Line attrs(style, o.width == 0 ? 0 : o.width * 2);
      attrs.Add(FooterLabel("attributes"));
      std::vector<bool> shown(s.attributes.size(), false);
      size_t k_shown = 0;
      auto add = [&](size_t k) {
        shown[k] = true;
        if (k_shown++) attrs.Add(" ");
        attrs.Add(Sanitize(s.attributes[k].key), Tone::kDim).Add("=", Tone::kDim);
        attrs.Add(LogfmtValue(s.attributes[k].value));
      };
      for (auto key : kTellingAttributes) {
        for (size_t k = 0; k < s.attributes.size(); ++k) {
          if (!shown[k] && s.attributes[k].key == key) add(k);
        }
      }
      for (size_t k = 0; k < s.attributes.size(); ++k) {
        if (!shown[k]) add(k);
      }
      out += attrs.Finish();
    }
    // The most severe log line the span wrote (the earliest among equals).
    const auto& logs = tree.logs[b];
    int pick = -1;
    for (size_t l : logs) {
      if (tree.log_span_unknown[l]) continue;
      if (pick < 0 || t.logs[l].severity_number > t.logs[static_cast<size_t>(pick)].severity_number) {
        pick = static_cast<int>(l);
      }
    }
    if (pick >= 0) {
      const LogView& l = t.logs[static_cast<size_t>(pick)];
      Line line(style, width);
      line.Add(FooterLabel("log"));
      AddLogBody(line, l, Shifted(l.time_ns, tree.shift[b]), t.start_ns);
      out += line.Finish();
    }
    std::vector<size_t> others;
    for (size_t i = 0; i < t.spans.size(); ++i) {
      if (t.spans[i].error && i != b) others.push_back(i);
    }
    if (!others.empty()) {
      Line also(style, width);
      also.Add("  also failing (" + std::to_string(others.size()) + "): ");
      for (size_t k = 0; k < others.size() && k < 5; ++k) {
        if (k) also.Add(", ");
        also.Add(Sanitize(t.spans[others[k]].service), Tone::kCyan).Add(": ");
        also.Add(Sanitize(t.spans[others[k]].operation));
      }
      if (others.size() > 5) also.Add(", …");
      out += also.Finish();
    }
    return;
  }
  // No error: name where the time went.
  int slow = -1;
  for (const auto& c : t.slow_causes) {
    auto it = tree.by_id.find(c.span_id);
    if (it != tree.by_id.end()) {
      slow = static_cast<int>(it->second);
      break;
    }
  }
  if (slow < 0) {
    for (size_t i = 0; i < t.spans.size(); ++i) {
      if (slow < 0 || t.spans[i].self_ns > t.spans[static_cast<size_t>(slow)].self_ns) slow = static_cast<int>(i);
    }
  }
  Line line(style, width);
  line.Add("No errors.", Tone::kGreen);
  if (slow >= 0) {
    const SpanView& s = t.spans[static_cast<size_t>(slow)];
    line.Add(" Most self time: ").Add(Sanitize(s.service), Tone::kCyan).Add(": ").Add(Sanitize(s.operation), Tone::kBold);
    line.Add(" " + FormatDuration(s.self_ns));
    if (t.duration_ns > 0) {
      line.Add(" (" + std::to_string(static_cast<unsigned>(100.0 * static_cast<double>(s.self_ns) /
                                                           static_cast<double>(t.duration_ns) + 0.5)) +
               "% of the trace)");
    }
  }
  out += line.Finish();
}

}  // namespace

std::string RenderTraceText(const TraceView& t, const RenderOptions& o, const ExplainView* verdict) {
  Style style(o.color);
  std::string out;
  RenderHeader(out, t, o, style);
  out += '\n';
  if (t.spans.empty()) {
    out += "(the trace has no spans)\n";
    return out;
  }
  Tree tree = BuildTree(t);
  Layout lay = ComputeLayout(t, o);

  Line head(style, o.width);
  head.Add(PadRight("SPAN", lay.name), Tone::kBold).Add(" ");
  head.Add(PadRight(Truncate("TIMELINE " + FormatDuration(t.duration_ns), lay.bar), lay.bar), Tone::kBold);
  head.Add(" ").Add(PadLeft("DURATION", kNumberColumn), Tone::kBold);
  head.Add(" ").Add(PadLeft("SELF", kNumberColumn), Tone::kBold);
  head.Add("  STATUS", Tone::kBold);
  out += head.Finish();

  struct Frame {
    size_t span;
    std::vector<Item> items;
    size_t next;
    std::string prefix;
  };
  size_t root = static_cast<size_t>(tree.root);
  RenderSpanLine(out, t, root, "", lay, style);
  std::vector<Frame> stack;
  stack.push_back({root, Items(t, tree, root), 0, ""});
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.items.size()) {
      stack.pop_back();
      continue;
    }
    Item item = f.items[f.next++];
    bool last = f.next == f.items.size();
    size_t owner = f.span;
    std::string prefix = f.prefix;  // copied: push_back below may move `f`
    std::string child_prefix = prefix + (last ? "   " : "│  ");
    if (item.type == Item::kSpan) {
      RenderSpanLine(out, t, item.index, prefix + (last ? "└─ " : "├─ "), lay, style);
      stack.push_back({item.index, Items(t, tree, item.index), 0, child_prefix});
      continue;
    }
    Line line(style, o.width);
    line.Add(prefix + (last ? "└┄ " : "├┄ "), Tone::kDim);
    if (item.type == Item::kWarning) {
      line.Add("⚠ " + Sanitize(t.spans[owner].warnings[item.index]), Tone::kYellow);
    } else {
      const LogView& l = t.logs[item.index];
      AddLogBody(line, l, Shifted(l.time_ns, tree.shift[owner]), t.start_ns);
      if (tree.log_span_unknown[item.index]) {
        line.Add("  (span " + Sanitize(l.span_id) + " not in trace)", Tone::kDim);
      }
    }
    out += line.Finish();
  }
  out += '\n';
  if (verdict) {
    out += RenderVerdictText(*verdict, o);
  } else {
    RenderFooter(out, t, tree, o, style);
  }
  return out;
}

}  // namespace callpath::cli
