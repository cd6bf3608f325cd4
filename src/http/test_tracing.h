// A TracerProvider whose spans land in memory, for the http/grpc unit tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "callpath/processor.h"
#include "callpath/trace.h"
#include "sdk/testing/in_memory_exporter.h"

namespace callpath::testing {

struct TestTracing {
  std::shared_ptr<InMemoryExporter::Sink> sink = std::make_shared<InMemoryExporter::Sink>();
  std::shared_ptr<TracerProvider> provider;

  TestTracing() {
    TracerProviderOptions options;
    options.processors.push_back(std::make_unique<SimpleSpanProcessor>(
        std::make_unique<InMemoryExporter>(sink), Resource{}));
    options.force_enabled = true;
    provider = TracerProvider::Create(std::move(options));
  }

  std::vector<SpanData> Spans() {
    std::lock_guard<std::mutex> lock(sink->mu);
    return sink->spans;
  }
  // Waits (bounded) until at least `n` spans were exported: servers end
  // their spans after the response was written.
  std::vector<SpanData> WaitForSpans(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      auto spans = Spans();
      if (spans.size() >= n || std::chrono::steady_clock::now() > deadline) return spans;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
};

inline const Attribute* FindAttr(const SpanData& span, std::string_view key) {
  for (const Attribute& a : span.attributes) {
    if (a.key == key) return &a;
  }
  return nullptr;
}
inline std::string AttrString(const SpanData& span, std::string_view key) {
  const Attribute* a = FindAttr(span, key);
  return a ? AttributeValueToString(a->value) : std::string("<absent>");
}
inline const SpanData* FindSpan(const std::vector<SpanData>& spans, SpanKind kind) {
  for (const SpanData& s : spans) {
    if (s.kind == kind) return &s;
  }
  return nullptr;
}

}  // namespace callpath::testing
