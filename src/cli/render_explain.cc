// `callpath explain` and the verdict under `callpath trace`:
//
//   Verdict: error · payment Charge failed: card processor unavailable.
//   Root cause: payment: Charge  (error, score 0.90, span 00000000000000a4)
//     evidence:   payment Charge (server) took 182 ms and failed: ...
//     also:       2. fraud: Check (latency 0.52)
#include <cstdio>

#include "cli/explain_view.h"
#include "cli/line.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

Tone VerdictTone(std::string_view status) {
  return status == "error" ? Tone::kBoldRed : status == "slow" ? Tone::kYellow : Tone::kGreen;
}

std::string Score(double score) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", score);
  return buf;
}

// "payment: Charge", or "payment (no span)" where none exists.
void AddCulprit(Line& line, const CauseEntryView& c) {
  line.Add(Sanitize(c.service), Tone::kCyan);
  if (c.has_operation) {
    line.Add(": ").Add(Sanitize(c.operation), Tone::kBold);
  } else {
    line.Add(" (no span)", Tone::kDim);
  }
}

std::string CauseHead(const CauseEntryView& c) {
  return "(" + Sanitize(c.kind) + ", score " + Score(c.score) +
         (c.span_id.empty() ? "" : ", span " + Sanitize(c.span_id)) + ")";
}

void AddVerdictLine(std::string& out, const ExplainView& e, const Style& style, size_t width) {
  Line l(style, width);
  l.Add("Verdict: ", Tone::kBold).Add(Sanitize(e.status), VerdictTone(e.status)).Add(" · ").Add(Sanitize(e.summary));
  out += l.Finish();
}

}  // namespace

std::string RenderVerdictText(const ExplainView& e, const RenderOptions& o) {
  Style style(o.color);
  size_t width = o.width == 0 ? 0 : o.width * 4;  // the verdict may take a few lines' worth
  std::string out;
  AddVerdictLine(out, e, style, width);
  if (e.causes.empty() || e.status == "ok") return out;
  const CauseEntryView& top = e.causes.front();
  Line head(style, width);
  head.Add("Root cause: ", VerdictTone(e.status));
  AddCulprit(head, top);
  head.Add("  " + CauseHead(top), Tone::kDim);
  out += head.Finish();
  size_t shown = 0;
  for (const auto& ev : top.evidence) {
    if (shown++ == 4) break;
    Line l(style, width);
    l.Add("  " + PadRight(Sanitize(ev.type) + ":", 12), Tone::kDim).Add(Sanitize(ev.text));
    out += l.Finish();
  }
  if (e.causes.size() > 1) {
    Line also(style, width);
    also.Add("  " + PadRight("also:", 12), Tone::kDim);
    for (size_t k = 1; k < e.causes.size() && k < 4; ++k) {
      if (k > 1) also.Add(", ");
      also.Add(std::to_string(e.causes[k].rank) + ". ");
      AddCulprit(also, e.causes[k]);
      also.Add(" (" + Sanitize(e.causes[k].kind) + " " + Score(e.causes[k].score) + ")", Tone::kDim);
    }
    out += also.Finish();
  }
  return out;
}

std::string RenderExplainText(const ExplainView& e, const RenderOptions& o) {
  Style style(o.color);
  std::string out;
  out += Line(style, o.width).Add("Trace ", Tone::kBold).Add(Sanitize(e.trace_id), Tone::kBold).Finish();
  AddVerdictLine(out, e, style, o.width == 0 ? 0 : o.width * 4);
  for (const auto& c : e.causes) {
    out += '\n';
    Line head(style, o.width);
    head.Add(std::to_string(c.rank) + ". ", Tone::kBold);
    AddCulprit(head, c);
    head.Add("  " + CauseHead(c), Tone::kDim);
    out += head.Finish();
    out += Line(style, o.width == 0 ? 0 : o.width * 4).Add("   " + Sanitize(c.summary)).Finish();
    for (const auto& ev : c.evidence) {
      Line l(style, o.width == 0 ? 0 : o.width * 2);
      l.Add("   - ", Tone::kDim).Add("[" + Sanitize(ev.type) + "] ", Tone::kDim).Add(Sanitize(ev.text));
      out += l.Finish();
    }
  }
  out += '\n';
  Line b(style, o.width);
  b.Add("Baseline: ", Tone::kDim);
  if (e.baseline_end_ns > e.baseline_start_ns) {
    b.Add("statistics " + FormatTimestamp(e.baseline_start_ns, o.utc) + " – " +
          FormatTimestamp(e.baseline_end_ns, o.utc) + (o.utc ? " UTC" : ""));
  } else {
    b.Add("no statistics");
  }
  b.Add(", " + std::to_string(e.reference_traces) + " healthy reference trace" +
        (e.reference_traces == 1 ? "" : "s"));
  out += b.Finish();
  return out;
}

}  // namespace callpath::cli
