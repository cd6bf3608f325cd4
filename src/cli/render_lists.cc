// `callpath search | services | operations | logs`: plain tables whose
// last column takes what is left of the line.
#include <algorithm>

#include "cli/line.h"
#include "cli/render.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

constexpr size_t kTraceIdColumn = 32;
constexpr size_t kTimeColumn = 23;  // "2023-11-14 22:13:20.015"
constexpr size_t kMaxRootColumn = 40;
constexpr size_t kMaxServiceColumn = 20;

std::string RootLabel(const TraceSummaryView& s) {
  std::string label = Sanitize(s.root_service) + ": " + Sanitize(s.root_operation);
  return s.has_root ? label : label + " (root missing)";
}

}  // namespace

std::string RenderSearchText(const std::vector<TraceSummaryView>& traces, const RenderOptions& o) {
  if (traces.empty()) return {};
  Style style(o.color);
  size_t root_cols = 4;
  for (const auto& s : traces) root_cols = std::max(root_cols, DisplayWidth(RootLabel(s)));
  root_cols = std::min(root_cols, kMaxRootColumn);
  std::string out;
  Line head(style, o.width);
  head.Add(PadRight("TRACE ID", kTraceIdColumn) + "  " + PadRight("START", kTimeColumn) + "  " +
               PadLeft("DURATION", 8) + "  " + PadLeft("SPANS", 5) + "  " + PadLeft("ERRORS", 6) + "  " +
               PadRight("ROOT", root_cols) + "  SERVICES",
           Tone::kBold);
  out += head.Finish();
  for (const auto& s : traces) {
    Line line(style, o.width);
    line.Add(PadRight(Sanitize(s.trace_id), kTraceIdColumn)).Add("  ");
    line.Add(FormatTimestamp(s.start_ns, o.utc), Tone::kDim).Add("  ");
    line.Add(PadLeft(FormatDuration(s.duration_ns), 8)).Add("  ");
    line.Add(PadLeft(std::to_string(s.span_count), 5)).Add("  ");
    std::string errors = PadLeft(std::to_string(s.error_count), 6);
    if (s.error_count > 0) {
      line.Add(errors, Tone::kBoldRed);
    } else {
      line.Add(errors, Tone::kDim);
    }
    line.Add("  ").Add(PadRight(Truncate(RootLabel(s), root_cols), root_cols)).Add("  ");
    for (size_t k = 0; k < s.services.size(); ++k) {
      if (k) line.Add(",");
      line.Add(Sanitize(s.services[k]), Tone::kCyan);
    }
    out += line.Finish();
  }
  return out;
}

std::string RenderServicesText(const std::vector<std::string>& services, const RenderOptions& o) {
  Style style(o.color);
  std::string out;
  for (const auto& s : services) out += Line(style, o.width).Add(Sanitize(s)).Finish();
  return out;
}

std::string RenderOperationsText(const std::vector<OperationView>& ops, const RenderOptions& o) {
  if (ops.empty()) return {};
  Style style(o.color);
  size_t kind_cols = 4;
  for (const auto& op : ops) kind_cols = std::max(kind_cols, DisplayWidth(Sanitize(op.kind)));
  kind_cols = std::min<size_t>(kind_cols, 12);
  std::string out = Line(style, o.width).Add(PadRight("KIND", kind_cols) + "  NAME", Tone::kBold).Finish();
  for (const auto& op : ops) {
    Line line(style, o.width);
    line.Add(PadRight(Truncate(Sanitize(op.kind), kind_cols), kind_cols), Tone::kDim).Add("  ");
    line.Add(Sanitize(op.name));
    out += line.Finish();
  }
  return out;
}

std::string RenderLogsText(const std::vector<LogView>& logs, const RenderOptions& o) {
  if (logs.empty()) return {};
  Style style(o.color);
  // The API returns newest first; a log reads top to bottom.
  std::vector<const LogView*> sorted;
  for (const auto& l : logs) sorted.push_back(&l);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const LogView* a, const LogView* b) { return a->time_ns < b->time_ns; });
  size_t svc_cols = 7;
  for (const auto& l : logs) svc_cols = std::max(svc_cols, DisplayWidth(Sanitize(l.service)));
  svc_cols = std::min(svc_cols, kMaxServiceColumn);
  std::string out;
  out += Line(style, o.width)
             .Add(PadRight("TIME", kTimeColumn) + "  LEVEL  " + PadRight("SERVICE", svc_cols) + "  " +
                      PadRight("TRACE ID", kTraceIdColumn) + "  MESSAGE",
                  Tone::kBold)
             .Finish();
  for (const LogView* l : sorted) {
    Line line(style, o.width);
    line.Add(FormatTimestamp(l->time_ns, o.utc), Tone::kDim).Add("  ");
    std::string level = l->level.empty() ? "-" : Sanitize(l->level);
    line.Add(PadRight(Truncate(level, 5), 5), Style::LevelTone(l->level)).Add("  ");
    line.Add(PadRight(Truncate(Sanitize(l->service), svc_cols), svc_cols), Tone::kCyan).Add("  ");
    line.Add(PadRight(l->trace_id.empty() ? "-" : Sanitize(l->trace_id), kTraceIdColumn), Tone::kDim).Add("  ");
    line.Add(Sanitize(l->msg));
    for (const auto& f : l->fields) {
      line.Add("  ").Add(Sanitize(f.key), Tone::kDim).Add("=", Tone::kDim).Add(LogfmtValue(f.value));
    }
    out += line.Finish();
  }
  return out;
}

}  // namespace callpath::cli
