// OTEL_PROPAGATORS and the process-wide propagator.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"

namespace callpath {
namespace {

constexpr std::string_view kDefaultPropagators = "tracecontext,baggage";

std::unique_ptr<TextMapPropagator> MakeOne(std::string_view name) {
  if (name == "tracecontext") return std::make_unique<W3CTraceContextPropagator>();
  if (name == "baggage") return std::make_unique<W3CBaggagePropagator>();
  if (name == "b3") return std::make_unique<B3Propagator>(B3Propagator::Encoding::kSingleHeader);
  if (name == "b3multi") {
    return std::make_unique<B3Propagator>(B3Propagator::Encoding::kMultiHeader);
  }
  if (name == "jaeger") return std::make_unique<JaegerPropagator>();
  if (name == "xtraceid") return std::make_unique<LegacyTraceIdPropagator>();
  return nullptr;
}

// Each unknown name is reported once per process, not once per call.
void WarnUnknown(const std::string& name) {
  static std::mutex mu;
  static std::set<std::string>* warned = new std::set<std::string>;  // never destroyed
  std::lock_guard<std::mutex> lock(mu);
  if (!warned->insert(name).second) return;
  std::fprintf(stderr, "callpath: OTEL_PROPAGATORS: unknown propagator \"%s\" ignored\n",
               name.c_str());
}

}  // namespace

std::unique_ptr<TextMapPropagator> MakePropagators(std::string_view list) {
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<TextMapPropagator>> propagators;
  propagation::ForEachSplit(list, ',', [&](std::string_view raw) {
    std::string name(propagation::TrimOws(raw));
    if (name.empty()) return;
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
    seen.push_back(name);
    if (name == "none") return;
    if (auto p = MakeOne(name)) {
      propagators.push_back(std::move(p));
    } else {
      WarnUnknown(name);
    }
  });
  if (propagators.empty()) return std::make_unique<NoopPropagator>();
  if (propagators.size() == 1) return std::move(propagators.front());
  return std::make_unique<CompositePropagator>(std::move(propagators));
}

std::unique_ptr<TextMapPropagator> PropagatorsFromEnvironment() {
  const char* env = std::getenv("OTEL_PROPAGATORS");
  if (env == nullptr || *env == '\0') return MakePropagators(kDefaultPropagators);
  return MakePropagators(env);
}

namespace {

// Readers take the current pointer without a lock. Every propagator ever
// installed stays owned here until exit, so a reference a reader obtained
// never dangles, even when another thread installs a new one.
struct GlobalSlot {
  std::atomic<const TextMapPropagator*> current{nullptr};
  std::mutex mu;
  std::vector<std::unique_ptr<TextMapPropagator>> owned;
};

GlobalSlot& Slot() {
  static GlobalSlot* slot = new GlobalSlot;  // never destroyed: usable during exit
  return *slot;
}

}  // namespace

const TextMapPropagator& GlobalPropagator() noexcept {
  GlobalSlot& slot = Slot();
  if (const TextMapPropagator* p = slot.current.load(std::memory_order_acquire)) return *p;
  std::lock_guard<std::mutex> lock(slot.mu);
  if (const TextMapPropagator* p = slot.current.load(std::memory_order_acquire)) return *p;
  std::unique_ptr<TextMapPropagator> fresh;
  try {
    fresh = PropagatorsFromEnvironment();
    slot.owned.push_back(nullptr);  // reserve first, so the push below cannot throw
  } catch (...) {
    static NoopPropagator fallback;  // out of memory at startup: propagate nothing
    return fallback;
  }
  slot.owned.back() = std::move(fresh);
  slot.current.store(slot.owned.back().get(), std::memory_order_release);
  return *slot.owned.back();
}

void SetGlobalPropagator(std::unique_ptr<TextMapPropagator> propagator) {
  if (!propagator) propagator = std::make_unique<NoopPropagator>();
  GlobalSlot& slot = Slot();
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.owned.push_back(std::move(propagator));
  slot.current.store(slot.owned.back().get(), std::memory_order_release);
}

}  // namespace callpath
