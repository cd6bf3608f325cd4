// Names of the kinds of cause, as every rendering (API, CLI, MCP) spells them.
#include "analyze/cause.h"

namespace callpath::analyze {

const char* CauseKindName(CauseKind kind) noexcept {
  switch (kind) {
    case CauseKind::kError: return "error";
    case CauseKind::kLatency: return "latency";
    case CauseKind::kTimeout: return "timeout";
    case CauseKind::kMissingSpan: return "missing_span";
    case CauseKind::kRetries: return "retries";
    case CauseKind::kLog: return "log";
    case CauseKind::kErrorRate: return "error_rate";
    case CauseKind::kLogTemplate: return "log_template";
    case CauseKind::kMissingCalls: return "missing_calls";
  }
  return "error";
}

}  // namespace callpath::analyze
