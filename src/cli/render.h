// Text renderings of the query API's documents for the terminal. Pure
// functions: parsed document in, text out (every line ends in '\n').
// Untrusted strings (names, messages, field values) are sanitized, so
// output never carries control characters except the colour escapes the
// renderer adds itself when `color` is on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/api_model.h"

namespace callpath::cli {

struct RenderOptions {
  // ANSI colours (SGR escapes) on or off.
  bool color = false;
  // Total line width in columns; longer lines are cut with "…". 0 = never
  // cut (names still align to the longest one, up to a limit).
  size_t width = 120;
  // Columns of the duration bar in `trace`.
  size_t bar_width = 30;
  // Times in UTC instead of the local time zone.
  bool utc = false;
};

struct ExplainView;  // explain_view.h

// `callpath trace`: header, call tree with duration bars and interleaved
// logs, and at the end the explain verdict (`verdict`, RenderVerdictText)
// or, without one (a server that does not explain), a footer naming the
// deepest failing span or the one with most self time.
std::string RenderTraceText(const TraceView& trace, const RenderOptions& options,
                            const ExplainView* verdict = nullptr);

// `callpath search`: one row per trace. Empty input gives "".
std::string RenderSearchText(const std::vector<TraceSummaryView>& traces, const RenderOptions& options);

// `callpath services`: one name per line (nothing else, for scripts).
std::string RenderServicesText(const std::vector<std::string>& services, const RenderOptions& options);

// `callpath operations`: KIND and NAME columns.
std::string RenderOperationsText(const std::vector<OperationView>& operations,
                                 const RenderOptions& options);

// `callpath logs`: one line per record, oldest first.
std::string RenderLogsText(const std::vector<LogView>& logs, const RenderOptions& options);

}  // namespace callpath::cli
