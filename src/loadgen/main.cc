// callpath-loadgen: sends realistic OTLP traffic to a collector and reports
// what it acknowledged.
//
//   callpath-loadgen --endpoint http://127.0.0.1:4318 --rate 0 --duration 60s --concurrency 4
//
// Human-readable lines first; the LAST line on stdout is one JSON object
// (spans_per_sec, acked_spans, rejected_spans, p99_ms, ...) for scripts.
// --decode-only measures how fast this process decodes the same payloads
// (the ceiling a collector could reach) instead of sending them.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "loadgen/sender.h"
#include "loadgen/trace_generator.h"
#include "otlp/convert/otlp_proto_decoder.h"
#include "otlp/decode/trace_decoder.h"

namespace {

using namespace callpath::loadgen;
using Clock = std::chrono::steady_clock;

uint64_t WallNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// "30s", "1m", "500ms", "2h"; a bare number is seconds.
bool ParseSeconds(const std::string& s, double* out) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return false;
  std::string unit(end);
  if (unit.empty() || unit == "s") *out = v;
  else if (unit == "ms") *out = v / 1000;
  else if (unit == "m") *out = v * 60;
  else if (unit == "h") *out = v * 3600;
  else return false;
  return true;
}

struct Totals {
  std::atomic<uint64_t> requests{0}, traces{0}, spans_sent{0}, acked_spans{0}, rejected_spans{0};
  std::atomic<uint64_t> logs_sent{0}, acked_logs{0}, rejected_logs{0}, throttled{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // successful trace exports
  std::string last_error;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Sends until acknowledged, throttled-and-retried, failed, or the deadline.
bool SendWithRetry(Sender& sender, Signal signal, const std::string& body, Clock::time_point deadline,
                   Totals& totals, SendResult* result, double* latency_ms) {
  double backoff = 0.05;
  for (;;) {
    auto t0 = Clock::now();
    *result = sender.Send(signal, body);
    *latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    totals.requests.fetch_add(1, std::memory_order_relaxed);
    if (result->kind != SendResult::Kind::kThrottled) return result->kind == SendResult::Kind::kOk;
    totals.throttled.fetch_add(1, std::memory_order_relaxed);
    double wait = result->retry_after_s > 0 ? std::min(result->retry_after_s, 1.0) : backoff;
    backoff = std::min(backoff * 2, 1.0);
    if (Clock::now() + std::chrono::duration<double>(wait) >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
}

int DecodeOnly(std::vector<PayloadTemplate>& templates, double seconds) {
  // Raw zero-copy decode, then decode + conversion to the store model (what
  // callpathd does per request before queueing).
  callpath::otlp::DecodedTraceRequest req;
  uint64_t spans = 0, bytes = 0;
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::duration<double>(seconds / 2);
  size_t i = 0;
  while (Clock::now() < end) {
    const auto& t = templates[i++ % templates.size()];
    if (!callpath::otlp::DecodeTraceRequest(t.traces_body(), &req, nullptr)) return 1;
    spans += req.spans().size();
    bytes += t.traces_body().size();
  }
  double raw_s = std::chrono::duration<double>(Clock::now() - t0).count();
  double raw_rate = static_cast<double>(spans) / raw_s;
  double raw_mb = static_cast<double>(bytes) / raw_s / 1e6;

  spans = 0;
  t0 = Clock::now();
  end = t0 + std::chrono::duration<double>(seconds / 2);
  while (Clock::now() < end) {
    const auto& t = templates[i++ % templates.size()];
    callpath::daemon::SpanBatch batch;
    if (!callpath::daemon::DecodeOtlpProtoTraces(t.traces_body(), &batch).ok()) return 1;
    spans += batch.spans.size();
  }
  double conv_s = std::chrono::duration<double>(Clock::now() - t0).count();
  double conv_rate = static_cast<double>(spans) / conv_s;
  std::printf("raw decode: %.0f spans/s (%.0f MB/s); decode + convert to store model: %.0f spans/s (1 thread)\n",
              raw_rate, raw_mb, conv_rate);
  std::printf("{\"mode\":\"decode-only\",\"raw_decode_spans_per_sec\":%.0f,\"raw_decode_mb_per_sec\":%.1f,"
              "\"decode_convert_spans_per_sec\":%.0f}\n",
              raw_rate, raw_mb, conv_rate);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"callpath-loadgen: OTLP load generator"};
  std::string endpoint, protocol = "http", duration = "30s";
  double rate = 0;
  int concurrency = 4;
  size_t batch = 50, logs_per_trace = 2, template_count = 16;
  bool gzip = false, decode_only = false;
  uint64_t seed = 42;
  app.add_option("--endpoint", endpoint, "collector URL (default http://127.0.0.1:4318 or 127.0.0.1:4317)");
  app.add_option("--protocol", protocol, "http (OTLP/HTTP protobuf) or grpc")->check(CLI::IsMember({"http", "grpc"}));
  app.add_option("--rate", rate, "traces per second in total; 0 = as fast as acknowledged")->capture_default_str();
  app.add_option("--duration", duration, "how long to send, e.g. 30s, 2m")->capture_default_str();
  app.add_option("--concurrency", concurrency, "parallel connections")->capture_default_str();
  app.add_option("--batch", batch, "traces per export request")->capture_default_str();
  app.add_option("--logs-per-trace", logs_per_trace, "log records per trace (0 = no logs)")->capture_default_str();
  app.add_option("--templates", template_count, "distinct payloads to rotate")->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_flag("--gzip", gzip, "gzip request bodies (HTTP)");
  SenderSecurity security;
  app.add_option("--token", security.token, "API key, sent as Authorization: Bearer (callpathd --keys-file)")
      ->envname("CALLPATH_TOKEN");
  app.add_option("--tls-ca", security.ca_file, "gRPC over TLS, trusting this CA certificate (PEM)");
  app.add_flag("--decode-only", decode_only, "measure local decode speed of the payloads; send nothing");
  CLI11_PARSE(app, argc, argv);

  double seconds = 0;
  if (!ParseSeconds(duration, &seconds) || seconds <= 0) {
    std::cerr << "callpath-loadgen: bad --duration '" << duration << "'\n";
    return 2;
  }
  if (concurrency < 1 || batch < 1 || template_count < 1) {
    std::cerr << "callpath-loadgen: --concurrency, --batch and --templates must be >= 1\n";
    return 2;
  }
  if (endpoint.empty()) endpoint = protocol == "grpc" ? "127.0.0.1:4317" : "http://127.0.0.1:4318";

  TraceGenerator gen(GeneratorOptions{batch, logs_per_trace, 0.01, seed});
  std::vector<PayloadTemplate> templates;
  uint64_t now = WallNs();
  std::mt19937_64 stamp_rng(seed);
  for (size_t i = 0; i < template_count; ++i) {
    templates.push_back(gen.Make(now));
    templates.back().Restamp(now, stamp_rng);  // templates start with zero ids
  }
  size_t spans_per_template = 0, bytes_per_template = 0;
  for (auto& t : templates) {
    spans_per_template += t.span_count();
    bytes_per_template += t.traces_body().size();
  }
  std::printf("payloads: %zu templates, %zu traces / %.0f spans / %.0f KB per request\n", templates.size(),
              batch, static_cast<double>(spans_per_template) / static_cast<double>(templates.size()),
              static_cast<double>(bytes_per_template) / static_cast<double>(templates.size()) / 1024);
  if (decode_only) return DecodeOnly(templates, seconds);

  Totals totals;
  std::atomic<uint64_t> next_slot{0};
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int w = 0; w < concurrency; ++w) {
    workers.emplace_back([&, w] {
      std::unique_ptr<Sender> sender =
          protocol == "grpc" ? MakeGrpcSender(endpoint, security) : MakeHttpSender(endpoint, gzip, security);
      std::mt19937_64 rng(seed * 7919 + static_cast<uint64_t>(w));
      // Each worker stamps its own copies.
      std::vector<PayloadTemplate> mine = templates;
      std::vector<double> lat;
      size_t i = static_cast<size_t>(w);
      for (;;) {
        if (rate > 0) {
          uint64_t slot = next_slot.fetch_add(1);
          auto when = start + std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(static_cast<double>(slot * batch) / rate));
          if (when >= deadline) break;
          std::this_thread::sleep_until(when);
        } else if (Clock::now() >= deadline) {
          break;
        }
        PayloadTemplate& t = mine[i++ % mine.size()];
        t.Restamp(WallNs(), rng);
        SendResult r;
        double ms = 0;
        totals.traces.fetch_add(t.trace_count(), std::memory_order_relaxed);
        totals.spans_sent.fetch_add(t.span_count(), std::memory_order_relaxed);
        if (SendWithRetry(*sender, Signal::kTraces, t.traces_body(), deadline, totals, &r, &ms)) {
          totals.acked_spans.fetch_add(t.span_count() - std::min<uint64_t>(r.rejected, t.span_count()));
          totals.rejected_spans.fetch_add(r.rejected);
          lat.push_back(ms);
        } else if (r.kind == SendResult::Kind::kFailed) {
          totals.failed.fetch_add(1);
          std::lock_guard<std::mutex> lock(totals.mu);
          totals.last_error = r.error;
        }
        if (t.log_count() > 0) {
          totals.logs_sent.fetch_add(t.log_count(), std::memory_order_relaxed);
          if (SendWithRetry(*sender, Signal::kLogs, t.logs_body(), deadline, totals, &r, &ms)) {
            totals.acked_logs.fetch_add(t.log_count() - std::min<uint64_t>(r.rejected, t.log_count()));
            totals.rejected_logs.fetch_add(r.rejected);
          } else if (r.kind == SendResult::Kind::kFailed) {
            totals.failed.fetch_add(1);
            std::lock_guard<std::mutex> lock(totals.mu);
            totals.last_error = r.error;
          }
        }
      }
      std::lock_guard<std::mutex> lock(totals.mu);
      totals.latencies_ms.insert(totals.latencies_ms.end(), lat.begin(), lat.end());
    });
  }
  for (auto& t : workers) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double>& lat = totals.latencies_ms;
  double p50 = Percentile(lat, 0.50), p99 = Percentile(lat, 0.99);
  double max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  double sps = static_cast<double>(totals.acked_spans.load()) / elapsed;
  double lps = static_cast<double>(totals.acked_logs.load()) / elapsed;
  std::printf("sent: %llu traces, %llu spans, %llu logs in %llu requests over %.1f s (%s, %d connections)\n",
              (unsigned long long)totals.traces.load(), (unsigned long long)totals.spans_sent.load(),
              (unsigned long long)totals.logs_sent.load(), (unsigned long long)totals.requests.load(), elapsed,
              protocol.c_str(), concurrency);
  std::printf("acknowledged: %llu spans (%.0f/s), %llu logs (%.0f/s); rejected: %llu spans, %llu logs\n",
              (unsigned long long)totals.acked_spans.load(), sps, (unsigned long long)totals.acked_logs.load(), lps,
              (unsigned long long)totals.rejected_spans.load(), (unsigned long long)totals.rejected_logs.load());
  std::printf("throttled answers: %llu; failed exports: %llu%s%s\n", (unsigned long long)totals.throttled.load(),
              (unsigned long long)totals.failed.load(), totals.last_error.empty() ? "" : " (last: ",
              totals.last_error.empty() ? "" : (totals.last_error + ")").c_str());
  std::printf("trace export latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", p50, p99, max);
  std::printf("{\"protocol\":\"%s\",\"duration_s\":%.2f,\"concurrency\":%d,\"requests\":%llu,"
              "\"spans_sent\":%llu,\"acked_spans\":%llu,\"rejected_spans\":%llu,\"spans_per_sec\":%.0f,"
              "\"logs_sent\":%llu,\"acked_logs\":%llu,\"rejected_logs\":%llu,\"logs_per_sec\":%.0f,"
              "\"throttled\":%llu,\"failed\":%llu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
              protocol.c_str(), elapsed, concurrency, (unsigned long long)totals.requests.load(),
              (unsigned long long)totals.spans_sent.load(), (unsigned long long)totals.acked_spans.load(),
              (unsigned long long)totals.rejected_spans.load(), sps, (unsigned long long)totals.logs_sent.load(),
              (unsigned long long)totals.acked_logs.load(), (unsigned long long)totals.rejected_logs.load(), lps,
              (unsigned long long)totals.throttled.load(), (unsigned long long)totals.failed.load(), p50, p99, max);
  return totals.failed.load() > 0 && totals.acked_spans.load() == 0 ? 1 : 0;
}
