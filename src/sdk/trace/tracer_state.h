// What every Span and Tracer of one provider points at. Lives as long as the
// provider (and, for replaced global providers, until exit).
#pragma once

#include <memory>
#include <vector>

#include "callpath/processor.h"
#include "callpath/sampler.h"
#include "callpath/span_data.h"
#include "callpath/trace.h"
#include "sdk/trace/sampling_plan.h"

namespace callpath::detail {

struct ProviderCore {
  Resource resource;
  std::shared_ptr<Sampler> sampler;
  SamplingPlan sampling;  // how `sampler` decides, without a virtual call where possible
  std::vector<std::unique_ptr<SpanProcessor>> processors;
  SpanLimits limits;
  bool enabled = true;
};

struct TracerState {
  ProviderCore* core;
  InstrumentationScope scope;
};

}  // namespace callpath::detail
