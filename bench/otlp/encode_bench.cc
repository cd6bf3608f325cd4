// OTLP throughput on the exporter thread and in the collector: encoding a
// full batch (512 spans, 3 attributes each, the batch processor's default
// size) to protobuf and to JSON, and decoding the protobuf body back with
// the zero-copy reader. Reported as spans per second.
#include <benchmark/benchmark.h>

#include <vector>

#include "callpath/span_data.h"
#include "otlp/decode/trace_decoder.h"
#include "otlp/encode/otlp_json_encoder.h"
#include "otlp/encode/otlp_span_encoder.h"

namespace {

using namespace callpath;

constexpr size_t kBatch = 512;

const InstrumentationScope kScope{"shop.order", "1.2.0"};

std::vector<SpanData> MakeBatch() {
  std::vector<SpanData> batch(kBatch);
  const TraceId trace = NewTraceId();
  for (size_t i = 0; i < kBatch; ++i) {
    SpanData& s = batch[i];
    s.context = SpanContext(trace, NewSpanId(), TraceFlags{TraceFlags::kSampled}, false);
    s.parent_span_id = NewSpanId();
    s.name = "GET /orders/{id}";
    s.kind = SpanKind::kServer;
    s.start_time_unix_nano = 1795732690475000000ull + i * 1000;
    s.end_time_unix_nano = s.start_time_unix_nano + 41276712;
    s.attributes = {{"http.request.method", std::string("GET")},
                    {"http.response.status_code", int64_t{200}},
                    {"url.path", std::string("/orders/12345")}};
    s.scope = &kScope;
  }
  return batch;
}

Resource MakeResource() {
  Resource r;
  r.attributes = {{"service.name", std::string("checkout")},
                  {"telemetry.sdk.name", std::string("callpath")},
                  {"telemetry.sdk.language", std::string("cpp")}};
  return r;
}

void BM_EncodeProto512(benchmark::State& state) {
  const auto batch = MakeBatch();
  const Resource resource = MakeResource();
  std::string buf;
  for (auto _ : state) {
    buf.clear();  // the exporter reuses its buffer
    internal::AppendTraceRequestProto(batch, resource, &buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * buf.size());
  state.counters["body_bytes"] = static_cast<double>(buf.size());
}
BENCHMARK(BM_EncodeProto512);

void BM_EncodeJson512(benchmark::State& state) {
  const auto batch = MakeBatch();
  const Resource resource = MakeResource();
  std::string buf;
  for (auto _ : state) {
    buf.clear();
    internal::AppendTraceRequestJson(batch, resource, &buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * buf.size());
  state.counters["body_bytes"] = static_cast<double>(buf.size());
}
BENCHMARK(BM_EncodeJson512);

void BM_DecodeProto512(benchmark::State& state) {
  const std::string body = internal::EncodeTraceRequestProto(MakeBatch(), MakeResource());
  otlp::DecodedTraceRequest req;  // reused, as the daemon does per thread
  std::string error;
  for (auto _ : state) {
    if (!otlp::DecodeTraceRequest(body, &req, &error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(req.spans().data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeProto512);

}  // namespace
