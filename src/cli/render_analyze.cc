#include "cli/render_analyze.h"

#include <cstdio>

#include "cli/line.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

std::string Score(double s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

std::string Plain(const Style& style, size_t width, std::string_view text, std::optional<Tone> tone = {}) {
  Line line(style, width);
  if (tone) {
    line.Add(text, *tone);
  } else {
    line.Add(text);
  }
  return line.Finish();
}

std::string Change(const ComparedSpanView& s) {
  if (s.change == "only_in_a") return "only in a";
  if (s.change == "only_in_b") return "only in b";
  return s.change;
}

}  // namespace

std::string RenderRankedCausesText(const std::vector<RankedCauseView>& causes, const RenderOptions& o) {
  Style style(o.color);
  std::string out;
  for (const auto& c : causes) {
    Line head(style, o.width);
    head.Add(std::to_string(c.rank) + ". ").Add(Sanitize(c.service), Tone::kBold);
    if (!c.operation.empty()) head.Add(" " + Sanitize(c.operation), Tone::kCyan);
    head.Add("  " + Sanitize(c.kind), Tone::kYellow).Add("  score " + Score(c.score), Tone::kDim);
    out += head.Finish();
    out += Plain(style, o.width, "   " + Sanitize(c.summary));
    for (const auto& e : c.evidence) {
      if (e.text == c.summary) continue;
      out += Plain(style, o.width, "   - " + Sanitize(e.text), Tone::kDim);
    }
    if (!c.example_traces.empty()) {
      std::string ids;
      for (const auto& t : c.example_traces) ids += (ids.empty() ? "" : " ") + Sanitize(t);
      out += Plain(style, o.width, "   traces: " + ids, Tone::kDim);
    }
  }
  return out;
}

std::string RenderDiagnosisText(const DiagnosisView& d, const RenderOptions& o) {
  Style style(o.color);
  std::string out;
  out +=
      Plain(style, o.width,
            "window   " + FormatTimestamp(d.start_ns, o.utc) + " .. " + FormatTimestamp(d.end_ns, o.utc), Tone::kDim);
  out += Plain(
      style, o.width,
      "baseline " + FormatTimestamp(d.baseline_start_ns, o.utc) + " .. " + FormatTimestamp(d.baseline_end_ns, o.utc),
      Tone::kDim);
  out += Plain(style, o.width, Sanitize(d.summary), Tone::kBold);
  if (!d.causes.empty()) {
    out += "\n";
    out += RenderRankedCausesText(d.causes, o);
  }
  if (!d.symptoms.empty()) {
    out += "\n";
    out += Plain(style, o.width, "at the entry points:", Tone::kBold);
    for (const auto& s : d.symptoms) out += Plain(style, o.width, "  " + Sanitize(s.text));
  }
  return out;
}

std::string RenderComparisonText(const ComparisonView& c, const RenderOptions& o) {
  Style style(o.color);
  std::string out;
  out += Plain(style, o.width, "a " + Sanitize(c.a_trace_id) + "  " + FormatDuration(c.a_duration_ns));
  out += Plain(style, o.width, "b " + Sanitize(c.b_trace_id) + "  " + FormatDuration(c.b_duration_ns));
  out += Plain(style, o.width, Sanitize(c.summary), Tone::kBold);
  if (!c.spans.empty()) out += "\n";
  for (const auto& s : c.spans) {
    Line line(style, o.width);
    Tone tone = s.change == "slower" || s.change == "only_in_b" ? Tone::kRed
                : s.change == "status"                          ? Tone::kBoldRed
                                                                : Tone::kGreen;
    line.Add(PadRight(Change(s), 10), tone).Add(" ");
    if (s.in_a && s.in_b) {
      line.Add(PadLeft(FormatDuration(s.a_duration_ns), 8) + " -> " + PadRight(FormatDuration(s.b_duration_ns), 8));
    } else {
      line.Add(PadLeft(FormatDuration(s.in_a ? s.a_duration_ns : s.b_duration_ns), 8) + "             ");
    }
    if (s.a_status != s.b_status && s.in_a && s.in_b) line.Add(" " + s.a_status + " -> " + s.b_status, Tone::kBoldRed);
    line.Add("  ").Add(Sanitize(s.path));
    out += line.Finish();
  }
  if (!c.templates.empty()) out += "\n";
  for (const auto& t : c.templates) {
    Line line(style, o.width);
    line.Add("log only in " + Sanitize(t.only_in) + "  ", Tone::kYellow)
        .Add(Sanitize(t.service), Tone::kCyan)
        .Add("  x" + std::to_string(t.count) + "  ")
        .Add(Sanitize(t.text));
    out += line.Finish();
  }
  return out;
}

}  // namespace callpath::cli
