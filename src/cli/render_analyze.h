// Text renderings of the cause-finding documents for the terminal, under
// the rules of render.h (pure, sanitized, lines end in '\n').
#pragma once

#include <string>
#include <vector>

#include "cli/api_analyze.h"
#include "cli/render.h"

namespace callpath::cli {

// The ranked causes, one block each: "1. payment  latency  0.82", its
// summary, its evidence and example traces, indented.
std::string RenderRankedCausesText(const std::vector<RankedCauseView>& causes, const RenderOptions& options);

// `callpath diagnose`: the window and baseline, the summary, the causes and
// the symptoms seen at the entry points.
std::string RenderDiagnosisText(const DiagnosisView& diagnosis, const RenderOptions& options);

// `callpath compare`: both traces, the summary, one line per span that
// differs, then the log templates found in one trace only.
std::string RenderComparisonText(const ComparisonView& comparison, const RenderOptions& options);

}  // namespace callpath::cli
