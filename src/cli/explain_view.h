// `callpath explain`, and the verdict `callpath trace` ends with: the
// document of GET /api/v1/traces/{id}/explain as the CLI reads it, and its
// renderings. ParseExplain accepts any bytes (InvalidArgument for what is
// not an explain document, never a crash); the renderers sanitize every
// string from the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "cli/render.h"

namespace callpath::cli {

struct EvidenceView {
  std::string type;  // "span", "log", "baseline", "attribute", "skew"
  std::string text;
};

struct CauseEntryView {
  int64_t rank = 0;
  std::string service;
  std::string operation;  // "" when the API sent null
  bool has_operation = false;
  std::string span_id;    // "" when null
  std::string kind;
  double score = 0;
  std::string summary;
  std::vector<EvidenceView> evidence;
};

struct ExplainView {
  std::string trace_id;
  std::string status;  // "error", "slow", "ok"
  std::string summary;
  std::vector<CauseEntryView> causes;
  uint64_t baseline_start_ns = 0, baseline_end_ns = 0;
  uint64_t reference_traces = 0;
};

Result<ExplainView> ParseExplain(std::string_view json);

// `callpath explain`: the verdict, then every cause with its evidence.
std::string RenderExplainText(const ExplainView& explain, const RenderOptions& options);

// The few lines `callpath trace` ends with: the verdict, the first cause
// and its strongest evidence, the other causes in one line.
std::string RenderVerdictText(const ExplainView& explain, const RenderOptions& options);

}  // namespace callpath::cli
