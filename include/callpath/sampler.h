// Samplers decide, when a span starts, whether it is recorded and exported.
// A dropped span still gets ids and propagates its context, so downstream
// services see a consistent (unsampled) trace.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "callpath/span_context.h"
#include "callpath/span_data.h"

namespace callpath {

enum class SamplingDecision : uint8_t {
  kDrop,             // not recorded, not exported; the sampled flag is cleared
  kRecordOnly,       // recorded (IsRecording) but not exported
  kRecordAndSample,  // recorded and exported; the sampled flag is set
};

struct SamplingParams {
  const SpanContext& parent;  // invalid when the span starts a new trace
  const TraceId& trace_id;    // the trace id the span will have
  std::string_view name;
  SpanKind kind;
};

// Thread-safe: ShouldSample is called concurrently from every thread that
// starts spans, and must be fast and must not block.
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingDecision ShouldSample(const SamplingParams& params) noexcept = 0;
  // E.g. "ParentBased{root=TraceIdRatioBased{0.25}}", as OpenTelemetry names them.
  virtual std::string Description() const = 0;
};

std::shared_ptr<Sampler> AlwaysOnSampler();
std::shared_ptr<Sampler> AlwaysOffSampler();
// Samples a fixed fraction of traces, decided from the trace id alone, so
// every service that uses the same ratio makes the same decision.
// `ratio` is clamped to [0, 1].
std::shared_ptr<Sampler> TraceIdRatioSampler(double ratio);
// Follows the parent's sampled flag; uses `root` for spans without a parent.
std::shared_ptr<Sampler> ParentBasedSampler(std::shared_ptr<Sampler> root);
// Samples at most `traces_per_second` new traces per second (token bucket
// with a burst of one second's worth), like Jaeger's rate-limiting sampler.
std::shared_ptr<Sampler> RateLimitingSampler(double traces_per_second);

// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG: always_on, always_off,
// traceidratio, parentbased_always_on (default), parentbased_always_off,
// parentbased_traceidratio, plus callpath's ratelimiting and
// parentbased_ratelimiting (ARG = traces per second). Unknown values are
// reported on stderr and give the default.
std::shared_ptr<Sampler> SamplerFromEnvironment();

}  // namespace callpath
