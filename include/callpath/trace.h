// Tracing: start here.
//
//   auto provider = callpath::TracerProvider::Create({});   // exporter etc. from OTEL_* env
//   callpath::SetGlobalTracerProvider(provider);
//   callpath::Tracer tracer = callpath::GetTracer("shop.checkout");
//
//   callpath::Span span = tracer.StartSpan("checkout", {.kind = callpath::SpanKind::kServer});
//   callpath::Scope scope = span.Activate();   // children started below get it as parent
//   span.SetAttribute("order.items", 3);
//   ...
//   span.End();                                // or let the destructor end it
//
// StartSpan is the one way to start a span. Its parent is, in order: none if
// `root` is set, `*parent` if given, else the thread's current Context.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/attributes.h"
#include "callpath/context.h"
#include "callpath/processor.h"
#include "callpath/sampler.h"
#include "callpath/span_context.h"
#include "callpath/span_data.h"
#include "callpath/status.h"

namespace callpath {

namespace detail {
struct TracerState;
}

// Upper bounds on what one span records; items beyond them are dropped and
// counted in SpanData's dropped_* fields, over-long strings are truncated.
struct SpanLimits {
  uint32_t attribute_count = 128;
  uint32_t attribute_value_length = UINT32_MAX;  // UTF-8 bytes; "no limit" by default
  uint32_t event_count = 128;
  uint32_t link_count = 128;
  uint32_t event_attribute_count = 128;
  uint32_t link_attribute_count = 128;

  // OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT (or OTEL_ATTRIBUTE_COUNT_LIMIT),
  // OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (or OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT),
  // OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT,
  // OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, OTEL_LINK_ATTRIBUTE_COUNT_LIMIT.
  static SpanLimits FromEnvironment();
};

struct StartOptions {
  SpanKind kind = SpanKind::kInternal;
  // Explicit parent; nullptr means the thread's current Context. Only read
  // during StartSpan.
  const Context* parent = nullptr;
  // Start a new trace even if a parent is current.
  bool root = false;
  // 0 means now.
  uint64_t start_time_unix_nano = 0;
  KeyValues attributes = {};
  std::vector<SpanLink> links = {};
};

// A unit of work. Move-only; ends itself when destroyed if End() was not
// called. A Span that is not recording (not sampled, or tracing disabled)
// still has a valid SpanContext to propagate, and all its setters are
// cheap no-ops. Not thread-safe: one thread at a time may use a Span.
class Span {
 public:
  Span() noexcept = default;  // a non-recording span with an invalid context
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() {
    if (data_ != nullptr) Finish(0);
  }

  bool IsRecording() const noexcept { return data_ != nullptr; }
  const SpanContext& context() const noexcept { return context_; }

  // Makes this span the parent of spans started on this thread while the
  // returned Scope lives (baggage of the current Context is kept).
  Scope Activate() const noexcept;
  // The current Context with this span as its span.
  Context ToContext() const;

  // Sets an attribute; a key set again overwrites the earlier value. On a
  // non-recording span these return at once (inline, no call).
  Span& SetAttribute(std::string_view key, std::string_view value) noexcept {
    if (data_ != nullptr) SetString(key, value);
    return *this;
  }
  Span& SetAttribute(std::string_view key, const char* value) noexcept {
    if (data_ != nullptr) SetString(key, std::string_view(value));
    return *this;
  }
  Span& SetAttribute(std::string_view key, bool value) noexcept {
    if (data_ != nullptr) SetBool(key, value);
    return *this;
  }
  Span& SetAttribute(std::string_view key, int64_t value) noexcept {
    if (data_ != nullptr) SetInt(key, value);
    return *this;
  }
  Span& SetAttribute(std::string_view key, int value) noexcept {
    if (data_ != nullptr) SetInt(key, value);
    return *this;
  }
  Span& SetAttribute(std::string_view key, double value) noexcept {
    if (data_ != nullptr) SetDouble(key, value);
    return *this;
  }
  // Arrays and the other integer types.
  Span& SetAttribute(std::string_view key, AttrValue value) noexcept {
    if (data_ != nullptr) SetValue(key, std::move(value));
    return *this;
  }

  Span& AddEvent(std::string_view name, KeyValues attributes = {},
                 uint64_t time_unix_nano = 0) noexcept;
  // An "exception" event with exception.type and exception.message (and
  // exception.stacktrace when given), as OpenTelemetry records them. Does
  // not change the status: call SetStatus(kError, ...) as well if it failed.
  Span& RecordException(const std::exception& e) noexcept;
  Span& RecordException(std::string_view type, std::string_view message,
                        std::string_view stacktrace = {}) noexcept;
  Span& AddLink(const SpanContext& linked, KeyValues attributes = {}) noexcept;

  // kOk is final; kUnset is ignored; the message is kept only for kError.
  Span& SetStatus(SpanStatusCode code, std::string_view message = {}) noexcept;
  Span& UpdateName(std::string_view name) noexcept;

  // Ends the span (at `end_time_unix_nano`, 0 = now). Later calls do nothing.
  void End(uint64_t end_time_unix_nano = 0) noexcept {
    if (data_ != nullptr) Finish(end_time_unix_nano);
  }

 private:
  friend class Tracer;
  Span(SpanContext context, SpanData* data, detail::TracerState* tracer) noexcept
      : context_(std::move(context)), data_(data), tracer_(tracer) {}
  Attribute* AttributeSlot(std::string_view key) noexcept;
  // The recording paths; data_ != nullptr.
  void SetString(std::string_view key, std::string_view value) noexcept;
  void SetBool(std::string_view key, bool value) noexcept;
  void SetInt(std::string_view key, int64_t value) noexcept;
  void SetDouble(std::string_view key, double value) noexcept;
  void SetValue(std::string_view key, AttrValue value) noexcept;
  void Finish(uint64_t end_time_unix_nano) noexcept;

  SpanContext context_;
  SpanData* data_ = nullptr;                 // owned; null when not recording
  detail::TracerState* tracer_ = nullptr;    // owned by the TracerProvider
  uint32_t live_attributes_ = 0;             // attributes_[0, live) are set
  // One bit per live key, chosen by its length and last byte: a key whose
  // bit is clear is new, so setting it skips the duplicate-key scan.
  uint64_t key_bits_ = 0;
};

// Starts spans for one instrumentation scope. A cheap value: copy it
// freely. A default-constructed Tracer starts non-recording spans that
// carry their parent's context (the no-op behaviour of an uninstrumented
// application).
class Tracer {
 public:
  Tracer() noexcept = default;

  Span StartSpan(std::string_view name, const StartOptions& options = {}) const noexcept;

 private:
  friend class TracerProvider;
  explicit Tracer(detail::TracerState* state) noexcept : state_(state) {}
  static void StartRecording(Span& span, const SpanContext* parent, std::string_view name,
                             const StartOptions& options) noexcept;
  detail::TracerState* state_ = nullptr;
};

struct TracerProviderOptions {
  // Empty: Resource::FromEnvironment(). Attributes given here win over the
  // environment's, key by key.
  Resource resource;
  // Null: SamplerFromEnvironment().
  std::shared_ptr<Sampler> sampler;
  // Empty: one BatchSpanProcessor (options from OTEL_BSP_*) in front of the
  // exporter chosen by OTEL_TRACES_EXPORTER (OTLP/HTTP by default).
  std::vector<std::unique_ptr<SpanProcessor>> processors;
  // Null: SpanLimits::FromEnvironment().
  std::shared_ptr<SpanLimits> limits;
  // True: ignore OTEL_SDK_DISABLED (code configuration overrides the
  // environment).
  bool force_enabled = false;
};

// Owns samplers, processors and the tracers handed out. Must outlive every
// span its tracers start; Shutdown flushes and stops the processors.
class TracerProvider {
 public:
  // With OTEL_SDK_DISABLED=true (and !force_enabled) the provider's tracers
  // start non-recording spans and nothing is exported.
  static std::shared_ptr<TracerProvider> Create(TracerProviderOptions options = {});
  ~TracerProvider();

  // The same name and version always give the same tracer.
  Tracer GetTracer(std::string_view name, std::string_view version = {});

  const Resource& resource() const noexcept;
  bool enabled() const noexcept;

  Status ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  Status Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  struct Impl;

 private:
  explicit TracerProvider(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The process-wide provider (initially none: tracers are no-ops). A replaced
// provider is kept alive until exit, so spans in flight stay valid.
void SetGlobalTracerProvider(std::shared_ptr<TracerProvider> provider);
std::shared_ptr<TracerProvider> GlobalTracerProvider();
// GlobalTracerProvider()->GetTracer(name, version), or a no-op Tracer.
Tracer GetTracer(std::string_view name, std::string_view version = {});

// Time since the Unix epoch in nanoseconds (system clock).
uint64_t NowUnixNano() noexcept;

}  // namespace callpath
