#include "callpath/propagation.h"
#include "callpath/trace.h"
#include "sdk/trace/span_pool.h"
#include "sdk/trace/tracer_state.h"

namespace callpath {

Span Tracer::StartSpan(std::string_view name, const StartOptions& options) const noexcept {
  const Context& parent_ctx = options.parent != nullptr ? *options.parent : Context::Current();
  const SpanContext& parent = parent_ctx.span_context();
  const bool has_parent = !options.root && parent.IsValid();

  // No SDK (or a disabled one): behave like OpenTelemetry's no-op API and
  // hand back the parent's context so propagation still works.
  if (state_ == nullptr || !state_->core->enabled) {
    return has_parent ? Span(parent, nullptr, nullptr) : Span();
  }

  TraceId trace_id;
  TraceFlags flags;
  TraceState trace_state;
  if (has_parent) {
    trace_id = parent.trace_id();
    // Level 2: the random-trace-id bit is copied exactly from the parent;
    // so is B3/Jaeger's debug bit, which those formats propagate onward.
    flags.bits = parent.trace_flags().bits & (TraceFlags::kRandomTraceId | kTraceFlagDebug);
    trace_state = parent.trace_state();
  } else {
    trace_id = NewTraceId();
    flags.bits = TraceFlags::kRandomTraceId;  // all 128 bits are random
  }
  static const SpanContext kNoParent;
  const SamplingDecision decision = state_->core->sampler->ShouldSample(
      SamplingParams{has_parent ? parent : kNoParent, trace_id, name, options.kind});
  if (decision == SamplingDecision::kRecordAndSample) flags.bits |= TraceFlags::kSampled;

  SpanContext context(trace_id, NewSpanId(), flags, /*remote=*/false, std::move(trace_state));
  if (decision == SamplingDecision::kDrop) return Span(std::move(context), nullptr, state_);

  SpanData* data = detail::AcquireSpanData();
  data->context = context;
  data->parent_span_id = has_parent ? parent.span_id() : SpanId();
  data->parent_is_remote = has_parent && parent.IsRemote();
  data->name.assign(name.data(), name.size());
  data->kind = options.kind;
  data->start_time_unix_nano =
      options.start_time_unix_nano != 0 ? options.start_time_unix_nano : NowUnixNano();
  data->end_time_unix_nano = 0;
  data->scope = &state_->scope;

  Span span(std::move(context), data, state_);
  for (const KeyValue& kv : options.attributes) span.SetAttribute(kv.key, AttrValue(kv.value));
  for (const SpanLink& link : options.links) {
    if (!link.context.IsValid()) continue;
    if (data->links.size() >= state_->core->limits.link_count) {
      ++data->dropped_links_count;
      continue;
    }
    data->links.push_back(link);
  }
  return span;
}

}  // namespace callpath
