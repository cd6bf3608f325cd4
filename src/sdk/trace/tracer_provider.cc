#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "callpath/exporters.h"
#include "callpath/trace.h"
#include "sdk/env.h"
#include "sdk/trace/tracer_state.h"

namespace callpath {

SpanLimits SpanLimits::FromEnvironment() {
  SpanLimits l;
  auto set = [](uint32_t& field, const char* specific, const char* generic) {
    auto v = env::GetInt(specific);
    if (!v && generic != nullptr) v = env::GetInt(generic);
    if (v) field = static_cast<uint32_t>(std::min<int64_t>(*v, UINT32_MAX));
  };
  set(l.attribute_count, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT");
  set(l.attribute_value_length, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
      "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
  set(l.event_count, "OTEL_SPAN_EVENT_COUNT_LIMIT", nullptr);
  set(l.link_count, "OTEL_SPAN_LINK_COUNT_LIMIT", nullptr);
  set(l.event_attribute_count, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", nullptr);
  set(l.link_attribute_count, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", nullptr);
  return l;
}

struct TracerProvider::Impl {
  detail::ProviderCore core;
  std::mutex mu;
  // Tracer states never move once made: spans hold raw pointers to them.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<detail::TracerState>> tracers;
  bool shut_down = false;
};

std::shared_ptr<TracerProvider> TracerProvider::Create(TracerProviderOptions options) {
  auto impl = std::make_unique<Impl>();
  detail::ProviderCore& core = impl->core;
  core.enabled = options.force_enabled || !env::GetBool("OTEL_SDK_DISABLED", false);
  core.resource = Resource::FromEnvironment().Merge(options.resource);
  core.sampler = options.sampler ? options.sampler : SamplerFromEnvironment();
  core.sampling = detail::PlanSampling(*core.sampler);
  core.limits = options.limits ? *options.limits : SpanLimits::FromEnvironment();
  if (core.enabled) {
    core.processors = std::move(options.processors);
    if (core.processors.empty()) {
      if (auto exporter = SpanExporterFromEnvironment()) {
        core.processors.push_back(std::make_unique<BatchSpanProcessor>(
            std::move(exporter), core.resource, BatchSpanProcessorOptions::FromEnvironment()));
      }
    }
  }
  return std::shared_ptr<TracerProvider>(new TracerProvider(std::move(impl)));
}

TracerProvider::TracerProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TracerProvider::~TracerProvider() { (void)Shutdown(); }

Tracer TracerProvider::GetTracer(std::string_view name, std::string_view version) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto key = std::make_pair(std::string(name), std::string(version));
  auto it = impl_->tracers.find(key);
  if (it == impl_->tracers.end()) {
    auto state = std::make_unique<detail::TracerState>(
        detail::TracerState{&impl_->core, InstrumentationScope{key.first, key.second}});
    it = impl_->tracers.emplace(std::move(key), std::move(state)).first;
  }
  return Tracer(it->second.get());
}

const Resource& TracerProvider::resource() const noexcept { return impl_->core.resource; }
bool TracerProvider::enabled() const noexcept { return impl_->core.enabled; }

Status TracerProvider::ForceFlush(std::chrono::milliseconds timeout) {
  Status result;
  for (auto& p : impl_->core.processors) {
    Status s = p->ForceFlush(timeout);
    if (!s.ok() && result.ok()) result = s;
  }
  return result;
}

Status TracerProvider::Shutdown(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->shut_down) return Status();
    impl_->shut_down = true;
  }
  Status result;
  for (auto& p : impl_->core.processors) {
    Status s = p->Shutdown(timeout);
    if (!s.ok() && result.ok()) result = s;
  }
  return result;
}

namespace {
std::mutex g_mu;
std::shared_ptr<TracerProvider> g_provider;  // guarded by g_mu
// The same provider as a plain pointer for the lock-free read in GetTracer:
// safe because a provider once installed is never destroyed before exit.
std::atomic<TracerProvider*> g_provider_raw{nullptr};
// Replaced providers stay alive: spans started from them may still be open.
std::vector<std::shared_ptr<TracerProvider>>* g_retired = new std::vector<std::shared_ptr<TracerProvider>>;
}  // namespace

void SetGlobalTracerProvider(std::shared_ptr<TracerProvider> provider) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_provider) g_retired->push_back(g_provider);
  g_provider = std::move(provider);
  g_provider_raw.store(g_provider.get(), std::memory_order_release);
}

std::shared_ptr<TracerProvider> GlobalTracerProvider() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_provider;
}

Tracer GetTracer(std::string_view name, std::string_view version) {
  TracerProvider* provider = g_provider_raw.load(std::memory_order_acquire);
  if (provider == nullptr) return Tracer();
  // Instrumentation often asks for its tracer on every request; remember the
  // last few answers per thread so that costs a few compares, not a lock.
  struct Entry {
    TracerProvider* provider = nullptr;
    std::string name, version;
    Tracer tracer;
  };
  thread_local Entry cache[4];
  thread_local unsigned next = 0;
  for (Entry& e : cache) {
    if (e.provider == provider && e.name == name && e.version == version) return e.tracer;
  }
  Entry& e = cache[next++ % 4];
  e.provider = provider;
  e.name.assign(name.data(), name.size());
  e.version.assign(version.data(), version.size());
  e.tracer = provider->GetTracer(name, version);
  return e.tracer;
}

}  // namespace callpath
