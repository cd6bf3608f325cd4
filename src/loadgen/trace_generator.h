// Synthetic but realistic OTLP payloads for callpath-loadgen.
//
// A "shop" of 8 services calling each other: each trace has 5-30 spans
// (server/client pairs across services, internal and database spans) with
// HTTP / RPC / DB semantic-convention attributes, 1 % of traces fail (error
// status and an exception event on the failing span and its ancestors),
// and every trace carries log records joined to its spans.
//
// Encoding all that for every request would make the load generator the
// bottleneck, so a handful of templates are encoded once and each request
// re-stamps a template in place: fresh random trace ids and timestamps
// shifted to "now" (the patch points are recorded while encoding).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace callpath::loadgen {

struct GeneratorOptions {
  size_t traces_per_request = 50;
  size_t log_records_per_trace = 2;  // 0 = no logs request
  double error_ratio = 0.01;
  uint64_t seed = 1;
};

// One encoded ExportTraceServiceRequest (+ the matching logs request).
class PayloadTemplate {
 public:
  // Gives every trace a new random id and moves all timestamps so the
  // latest trace ends at `now_ns`. Cheap: touches only the patch points.
  void Restamp(uint64_t now_ns, std::mt19937_64& rng);

  const std::string& traces_body() const { return traces_; }
  const std::string& logs_body() const { return logs_; }
  size_t span_count() const { return spans_; }
  size_t log_count() const { return logs_count_; }
  size_t trace_count() const { return trace_count_; }

  struct Patch {
    uint32_t offset;  // where 16 id bytes / 8 time bytes start
    uint32_t trace;   // which trace (ids only)
  };

 private:
  friend class TraceGenerator;
  std::string traces_, logs_;
  std::vector<Patch> trace_ids_, log_trace_ids_;
  std::vector<uint32_t> times_, log_times_;
  uint64_t base_ns_ = 0;  // the time the timestamps are relative to
  size_t spans_ = 0, logs_count_ = 0, trace_count_ = 0;
};

class TraceGenerator {
 public:
  explicit TraceGenerator(GeneratorOptions options);
  PayloadTemplate Make(uint64_t now_ns);

 private:
  GeneratorOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace callpath::loadgen
