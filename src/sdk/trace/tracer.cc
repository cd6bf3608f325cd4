#include "callpath/propagation.h"
#include "callpath/trace.h"
#include "sdk/clock.h"
#include "sdk/random.h"
#include "sdk/small_string.h"
#include "sdk/trace/span_pool.h"
#include "sdk/trace/tracer_state.h"

namespace callpath {

// The recording half of StartSpan, out of line so that the non-recording
// path stays short (fewer registers to save, a smaller frame).
[[gnu::noinline]] void Tracer::StartRecording(Span& span, const SpanContext* parent,
                                              std::string_view name,
                                              const StartOptions& options) noexcept {
  // Read the clock first and convert last, so the slow TSC read overlaps
  // with the rest of the work.
  const uint64_t ticks = options.start_time_unix_nano == 0 ? detail::ReadTicks() : 0;
  detail::TracerState* const state = span.tracer_;
  const detail::ProviderCore& core = *state->core;
  SpanData* data = detail::AcquireSpanData();
  span.data_ = data;
  data->context = span.context_;
  data->parent_span_id = parent != nullptr ? parent->span_id() : SpanId();
  data->parent_is_remote = parent != nullptr && parent->IsRemote();
  detail::AssignReused(data->name, name);
  data->kind = options.kind;
  data->end_time_unix_nano = 0;
  data->scope = &state->scope;

  for (const KeyValue& kv : options.attributes) span.SetAttribute(kv.key, AttrValue(kv.value));
  for (const SpanLink& link : options.links) {
    if (!link.context.IsValid()) continue;
    if (data->links.size() >= core.limits.link_count) {
      ++data->dropped_links_count;
      continue;
    }
    data->links.push_back(link);
  }
  data->start_time_unix_nano = options.start_time_unix_nano != 0
                                   ? options.start_time_unix_nano
                                   : detail::TicksToUnixNano(ticks);
}

// One named Span object, returned from every path, so the result is built
// in place (no moves of the SpanContext).
Span Tracer::StartSpan(std::string_view name, const StartOptions& options) const noexcept {
  Span span;
  const SpanContext& parent =
      (options.parent != nullptr ? *options.parent : Context::Current()).span_context();
  const bool has_parent = !options.root && parent.IsValid();
  detail::TracerState* const state = state_;

  // No SDK (or a disabled one): behave like OpenTelemetry's no-op API and
  // hand back the parent's context so propagation still works.
  if (state == nullptr || !state->core->enabled) [[unlikely]] {
    if (has_parent) span.context_ = parent;
    return span;
  }
  const detail::ProviderCore& core = *state->core;

  // The generator's state is kept in registers for both ids and stored back
  // once.
  detail::Xoshiro256 random = detail::Generator();
  TraceId trace_id;
  uint8_t flags;
  if (has_parent) {
    trace_id = parent.trace_id();
    // Level 2: the random-trace-id bit is copied exactly from the parent;
    // so is B3/Jaeger's debug bit, which those formats propagate onward.
    flags = parent.trace_flags().bits & (TraceFlags::kRandomTraceId | kTraceFlagDebug);
  } else {
    trace_id = detail::MakeTraceId(random);
    flags = TraceFlags::kRandomTraceId;  // all 128 bits are random
  }
  const SpanId span_id = detail::MakeSpanId(random);
  detail::t_generator = random;
  const SamplingDecision decision =
      core.sampling.Decide(has_parent ? &parent : nullptr, trace_id, name, options.kind);
  if (decision == SamplingDecision::kRecordAndSample) flags |= TraceFlags::kSampled;
  span.context_ = SpanContext(trace_id, span_id, TraceFlags{flags},
                              /*remote=*/false,
                              has_parent ? parent.trace_state() : TraceState());
  span.tracer_ = state;
  if (decision == SamplingDecision::kDrop) return span;

  StartRecording(span, has_parent ? &parent : nullptr, name, options);
  return span;
}

}  // namespace callpath
