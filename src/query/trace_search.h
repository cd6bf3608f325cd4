// Trace search with a condition on the trace's log records: "traces that
// wrote an ERROR log line", "traces whose logs mention 'card declined'".
// Trace stores index spans and logs apart, so this reads the log index
// first and then checks the traces those records name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "store/store.h"

namespace callpath::query {

// A trace-level condition: some log record of the trace, written in the
// search's time range, has severity >= min_severity and contains `text`.
struct LogCondition {
  std::string text;          // case-sensitive substring of the body; "" = any
  int32_t min_severity = 0;  // OTLP severity number; 0 = any
  bool active() const noexcept { return !text.empty() || min_severity > 0; }
};

// Traces matching every condition of `query` (as FindTraces: span-level
// conditions on one span, trace-level on the summary) that also satisfy
// `logs`, newest log record first, at most query.limit.
// With an inactive `logs`, exactly FindTraces.
// Reads at most `log_scan_cap` matching log records: when more match,
// traces named only by older records are not considered.
Result<std::vector<store::TraceSummary>> FindTracesWithLogs(store::SpanReader& spans, store::LogReader& logs,
                                                            const store::TraceQuery& query,
                                                            const LogCondition& condition,
                                                            size_t log_scan_cap = 5000);

}  // namespace callpath::query
