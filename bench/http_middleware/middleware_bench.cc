// What the HTTP server middleware adds to one request, without the network:
// the SERVER span built from an httplib request's headers (extraction,
// semantic-convention attributes), made current, renamed by its route, the
// traceresponse / X-Trace-ID headers written into the response, and the span
// ended into a batch processor whose exporter discards. run_overhead.sh
// measures the same work end to end under wrk; this isolates it.
//
//   build/bin/bench_http_middleware --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <httplib.h>

#include "callpath/exporters.h"
#include "callpath/http/server_span.h"
#include "callpath/processor.h"
#include "callpath/trace.h"
#include "http/httplib_carrier.h"

namespace callpath::http {
namespace {

std::shared_ptr<TracerProvider> Provider() {
  static std::shared_ptr<TracerProvider> p = [] {
    TracerProviderOptions o;
    o.force_enabled = true;
    o.processors.push_back(std::make_unique<BatchSpanProcessor>(
        std::make_unique<DiscardingExporter>(), Resource{}, BatchSpanProcessorOptions{}));
    return TracerProvider::Create(std::move(o));
  }();
  return p;
}

// The fields wrk sends plus the ones httplib adds to every request.
httplib::Headers WrkHeaders(bool traceparent) {
  httplib::Headers h{{"Host", "127.0.0.1:18080"},
                     {"REMOTE_ADDR", "127.0.0.1"},
                     {"REMOTE_PORT", "51234"},
                     {"LOCAL_ADDR", "127.0.0.1"},
                     {"LOCAL_PORT", "18080"}};
  if (traceparent) {
    h.emplace("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  }
  return h;
}

void Request(benchmark::State& state, bool traceparent) {
  ServerOptions options;
  options.provider = Provider();
  options.access_log = false;  // the logger has its own benchmark
  const Tracer tracer = options.provider->GetTracer("callpath.http");
  const httplib::Headers headers = WrkHeaders(traceparent);
  detail::HttplibHeadersCarrier carrier(headers);
  const IncomingRequest in{.method = "GET",
                           .target = "/hello",
                           .route = {},
                           .protocol_version = "1.1",
                           .peer_address = "127.0.0.1",
                           .peer_port = 51234,
                           .local_port = 18080,
                           .headers = &carrier};
  httplib::Headers response;
  for (auto _ : state) {
    ServerSpan span(in, options, tracer);
    {
      Scope scope = span.Activate();
      span.SetRoute("/hello");
      benchmark::DoNotOptimize(Context::Current());
    }
    response.clear();
    span.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
      response.emplace(std::piecewise_construct, std::forward_as_tuple(name),
                       std::forward_as_tuple(value));
    });
    span.End(200);
  }
}

void BM_ServerRequestNewTrace(benchmark::State& state) { Request(state, false); }
BENCHMARK(BM_ServerRequestNewTrace);

void BM_ServerRequestContinuedTrace(benchmark::State& state) { Request(state, true); }
BENCHMARK(BM_ServerRequestContinuedTrace);

}  // namespace
}  // namespace callpath::http
