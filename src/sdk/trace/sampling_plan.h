// How a provider's sampler decides, worked out once when the provider is
// made, so that StartSpan decides for the built-in samplers without a
// virtual call: AlwaysOn, AlwaysOff, TraceIdRatio, and ParentBased over
// any of them. Other samplers are called through the Sampler interface.
#pragma once

#include <cstdint>
#include <cstring>

#include "callpath/sampler.h"

namespace callpath::detail {

struct SamplingPlan {
  enum class Root : uint8_t { kAlwaysOn, kAlwaysOff, kTraceIdRatio, kCall };

  bool parent_based = false;  // a valid parent's sampled flag decides
  Root root = Root::kCall;    // how spans without a (used) parent are decided
  uint64_t ratio_threshold = 0;  // kTraceIdRatio: sample when the low 56 bits are below
  Sampler* call = nullptr;       // kCall: the sampler to ask; owned by the provider

  // The low 56 bits of the trace id (the part W3C Level 2 guarantees to be
  // random), as TraceIdRatio compares them.
  static uint64_t RandomPart(const TraceId& id) noexcept {
    uint64_t r = 0;
    const auto& b = id.bytes();
    for (int i = 9; i < 16; ++i) r = (r << 8) | b[i];
    return r;
  }

  SamplingDecision Decide(const SpanContext* parent, const TraceId& trace_id,
                          std::string_view name, SpanKind kind) const noexcept {
    if (parent_based && parent != nullptr) {
      return parent->IsSampled() ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
    }
    switch (root) {
      case Root::kAlwaysOn:
        return SamplingDecision::kRecordAndSample;
      case Root::kAlwaysOff:
        return SamplingDecision::kDrop;
      case Root::kTraceIdRatio:
        return RandomPart(trace_id) < ratio_threshold ? SamplingDecision::kRecordAndSample
                                                      : SamplingDecision::kDrop;
      case Root::kCall:
        break;
    }
    return Call(parent, trace_id, name, kind);
  }

  // Asks `call` through the Sampler interface.
  SamplingDecision Call(const SpanContext* parent, const TraceId& trace_id,
                        std::string_view name, SpanKind kind) const noexcept;
};

// The plan for `sampler` (which must outlive the plan).
SamplingPlan PlanSampling(Sampler& sampler) noexcept;

}  // namespace callpath::detail
