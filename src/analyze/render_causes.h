// The JSON of cause-finding, shared by every answer that holds causes
// (explain, diagnose; the HTTP API, the CLI's --json and MCP):
//
//   cause:    {"rank":1, "service":"...", "operation":"..."|null,
//              "span_id":"..."|null, "kind":"latency", "score":0.0-1.0,
//              "summary":"...", "evidence":[...], "example_traces":["hex",...]}
//   evidence: {"type":"span"|"log"|"baseline"|"attribute"|"skew",
//              "text":"...", and where known "span_id", "time_ns",
//              "severity_number", "observed", "expected"}
//
// Pure functions; strings are escaped by text::JsonWriter.
#pragma once

#include <string>
#include <vector>

#include "analyze/cause.h"
#include "analyze/diagnose.h"
#include "text/json_writer.h"

namespace callpath::analyze {

// Writes one evidence object / one cause object / the causes array as the
// next value of `json`.
void RenderEvidence(const Evidence& evidence, text::JsonWriter& json);
void RenderCause(const Cause& cause, text::JsonWriter& json);
void RenderCauses(const std::vector<Cause>& causes, text::JsonWriter& json);

// The document GET /api/v1/diagnose answers:
//   {"window":{"start_ns","end_ns"}, "baseline":{"start_ns","end_ns"},
//    "summary":"...", "causes":[...], "symptoms":[evidence...],
//    "window_spans":N, "window_logs":N}
std::string RenderDiagnosis(const Diagnosis& diagnosis);

}  // namespace callpath::analyze
