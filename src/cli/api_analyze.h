// The cause-finding documents of the query API as the CLI reads them:
// /api/v1/diagnose (analyze::RenderDiagnosis) and /api/v1/compare
// (analyze::RenderComparison). Like api_model.h: any bytes are accepted,
// malformed JSON or the wrong shape gives InvalidArgument, missing optional
// fields take their defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "cli/explain_view.h"

namespace callpath::cli {

// One ranked cause of a diagnosis (explain's CauseEntryView and the
// example traces diagnose adds).
struct RankedCauseView {
  int64_t rank = 0;
  std::string service;
  std::string operation;  // "" when null
  std::string span_id;    // "" when null
  std::string kind;
  double score = 0;
  std::string summary;
  std::vector<EvidenceView> evidence;
  std::vector<std::string> example_traces;
};

struct DiagnosisView {
  uint64_t start_ns = 0, end_ns = 0;
  uint64_t baseline_start_ns = 0, baseline_end_ns = 0;
  std::string summary;
  std::vector<RankedCauseView> causes;
  std::vector<EvidenceView> symptoms;
};

struct ComparedSpanView {
  std::string change;  // "slower", "faster", "status", "only_in_a", "only_in_b"
  std::string path;
  std::string service, operation;
  bool in_a = false, in_b = false;
  uint64_t a_duration_ns = 0, b_duration_ns = 0;
  uint64_t a_self_ns = 0, b_self_ns = 0;
  std::string a_status, b_status;
};

struct ComparedTemplateView {
  std::string only_in;  // "a" or "b"
  std::string service;
  std::string text;
  int64_t severity_number = 0;
  uint64_t count = 0;
};

struct ComparisonView {
  std::string a_trace_id, b_trace_id;
  uint64_t a_duration_ns = 0, b_duration_ns = 0;
  uint64_t matched = 0;
  std::string summary;
  std::vector<ComparedSpanView> spans;
  std::vector<ComparedTemplateView> templates;
};

// The items of a "causes" array.
Result<std::vector<RankedCauseView>> ParseRankedCauses(std::string_view causes_array_json);
Result<DiagnosisView> ParseDiagnosis(std::string_view json);
Result<ComparisonView> ParseComparison(std::string_view json);

}  // namespace callpath::cli
