// The span exporters that ship with callpath, their options, and the factory
// that picks one from the standard OpenTelemetry environment variables.
//
//   auto exporter = callpath::SpanExporterFromEnvironment();   // OTEL_TRACES_EXPORTER
//   auto otlp = std::make_unique<callpath::OtlpHttpExporter>(
//       callpath::OtlpHttpExporterOptions::FromEnvironment());
//
// Threads: Export/ForceFlush/Shutdown follow the SpanExporter contract (one
// caller at a time for Export); stats() may be called from any thread.
// Errors: nothing here throws; a failed export is a Status and a counter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "callpath/span_exporter.h"
#include "callpath/status.h"
#include "callpath/version.h"

namespace callpath {

// ---------------------------------------------------------------------------
// OTLP/HTTP
// ---------------------------------------------------------------------------

// Which OTLP signal an endpoint carries; selects OTEL_EXPORTER_OTLP_<SIGNAL>_*
// and the default path (v1/traces, v1/logs, v1/metrics).
enum class OtlpSignal : uint8_t { kTraces, kLogs, kMetrics };

enum class OtlpProtocol : uint8_t {
  kHttpProtobuf,  // Content-Type: application/x-protobuf (smaller, faster)
  kHttpJson,      // Content-Type: application/json (readable, for debugging)
};

enum class OtlpCompression : uint8_t { kNone, kGzip };

// How a failed request is retried. Only 429, 502, 503, 504 and connection
// failures are retried; every other 4xx/5xx drops the batch at once. A
// Retry-After header from the server replaces the computed backoff.
// Every retry stays inside the export timeout.
struct OtlpRetryOptions {
  int max_attempts = 5;                                 // 1 disables retries
  std::chrono::milliseconds initial_backoff{100};       // first wait is in [0, this]
  std::chrono::milliseconds max_backoff{5000};          // cap on one wait
  double backoff_multiplier = 2.0;                      // growth per attempt
};

struct OtlpHttpExporterOptions {
  // Full URL the batches are POSTed to (path included).
  std::string endpoint = "http://localhost:4318/v1/traces";
  // Extra request headers, e.g. {"authorization", "Bearer x"}; sent as given.
  std::vector<std::pair<std::string, std::string>> headers;
  // Bound on one Export call including retries and backoff; 0 = no limit
  // (retries are then bounded by max_attempts alone).
  std::chrono::milliseconds timeout{10000};
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  // gzip costs CPU on the exporting thread and saves ~80% of the bytes.
  OtlpCompression compression = OtlpCompression::kNone;
  OtlpRetryOptions retry;
  // TLS (https endpoints): PEM files; empty = the system trust store, no
  // client certificate.
  std::string certificate_file;
  std::string client_certificate_file;
  std::string client_key_file;
  // Sent as User-Agent; the default names this library.
  std::string user_agent = "OTel-OTLP-Exporter-cpp-callpath/" CALLPATH_VERSION_STRING;
  // Largest request body sent (before compression). A batch that encodes
  // larger is sent in halves, recursively; a single span larger than this
  // is dropped and counted as failed. Receivers refuse bodies over their
  // own limit (the Collector's OTLP/HTTP default is 20 MiB, callpathd's
  // 64 MiB), and a refused batch would be lost whole.
  size_t max_request_bytes = 16u << 20;

  // Options as the OpenTelemetry environment variables describe them:
  // OTEL_EXPORTER_OTLP_{ENDPOINT,HEADERS,TIMEOUT,PROTOCOL,COMPRESSION,
  // CERTIFICATE,CLIENT_CERTIFICATE,CLIENT_KEY}, where the signal-specific
  // OTEL_EXPORTER_OTLP_<SIGNAL>_* form wins. The generic ENDPOINT is a base
  // URL to which "v1/<signal>" is appended; the signal-specific one is used
  // as is. Empty variables count as unset; a malformed value is reported on
  // stderr and ignored; protocol "grpc" falls back to http/protobuf with a
  // warning (this SDK speaks OTLP/HTTP only).
  static OtlpHttpExporterOptions FromEnvironment(OtlpSignal signal = OtlpSignal::kTraces);
};

// Counters of one exporter since it was made. Monotonic; read with stats().
struct SpanExporterStats {
  uint64_t exported_spans = 0;  // accepted by the receiver (minus rejected_spans)
  uint64_t failed_spans = 0;    // in batches that could not be delivered
  uint64_t rejected_spans = 0;  // delivered but rejected (OTLP partial success)
  uint64_t failed_batches = 0;
  uint64_t retries = 0;         // extra HTTP attempts after a retryable failure
};

// Sends spans to an OTLP/HTTP receiver (an OpenTelemetry Collector, callpathd,
// Jaeger, ...). Keeps one keep-alive connection. Export blocks the calling
// (background) thread for at most options.timeout.
class OtlpHttpExporter final : public SpanExporter {
 public:
  explicit OtlpHttpExporter(OtlpHttpExporterOptions options = {});
  ~OtlpHttpExporter() override;

  // OK when the receiver answered 2xx (also with a partial success, whose
  // rejected spans are counted, not retried). Otherwise the batch is dropped:
  // Unavailable when retries ran out, DeadlineExceeded when options.timeout
  // did, InvalidArgument for another 4xx answer, Internal for another 5xx,
  // FailedPrecondition after Shutdown. Failures and partial successes are
  // also reported on stderr, at most once a minute.
  Status Export(std::span<const SpanData> batch, const Resource& resource) override;
  // Interrupts a backoff wait in progress; later Exports fail at once.
  Status Shutdown(std::chrono::milliseconds timeout) override;

  SpanExporterStats stats() const;
  const OtlpHttpExporterOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------
// Local exporters
// ---------------------------------------------------------------------------

// Writes each batch as ONE line of OTLP/JSON: an ExportTraceServiceRequest
// (the "OTLP JSON file" format the OpenTelemetry Collector's otlpjsonfile
// receiver reads back, and `jq` can slice). The line is flushed before
// Export returns, so a crash loses at most the batch being written.
// The file is appended to, never truncated.
class FileExporter final : public SpanExporter {
 public:
  // Opens `path` for appending; InvalidArgument/Unavailable if it cannot.
  static Result<std::unique_ptr<FileExporter>> Open(const std::string& path);
  ~FileExporter() override;

  Status Export(std::span<const SpanData> batch, const Resource& resource) override;
  Status ForceFlush(std::chrono::milliseconds timeout) override;
  Status Shutdown(std::chrono::milliseconds timeout) override;  // closes the file

  SpanExporterStats stats() const;

 private:
  explicit FileExporter(std::FILE* file);
  mutable std::mutex mu_;
  std::FILE* file_;  // null after Shutdown
  std::string line_;  // reused between batches
  std::atomic<uint64_t> exported_{0}, failed_{0}, failed_batches_{0};
};

// Prints one human-readable line per span, for development:
//   2025-01-02T03:04:05.678901Z 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7
//   parent=53995c3f42cd8ad8 SERVER "GET /users" 12.345ms OK {http.method="GET", ...}
// (start time in UTC, trace id, span id, parent or "-", kind, name, duration,
// status, attributes; all on one line; events and links are shown as counts). `out` is not owned and must outlive
// the exporter; lines are written with one fwrite per batch and flushed.
class StdoutExporter final : public SpanExporter {
 public:
  explicit StdoutExporter(std::FILE* out = stdout) : out_(out) {}

  Status Export(std::span<const SpanData> batch, const Resource& resource) override;
  Status ForceFlush(std::chrono::milliseconds timeout) override;

  // The line Export prints for `span`, without the trailing newline.
  static std::string FormatSpan(const SpanData& span);

 private:
  std::FILE* out_;
  std::string buffer_;  // reused between batches
};

// Counts spans and sends nothing: a sink for benchmarks and tests.
class DiscardingExporter final : public SpanExporter {
 public:
  Status Export(std::span<const SpanData> batch, const Resource&) override {
    spans_.fetch_add(batch.size(), std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
    return Status();
  }
  uint64_t spans() const noexcept { return spans_.load(std::memory_order_relaxed); }
  uint64_t batches() const noexcept { return batches_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> spans_{0}, batches_{0};
};

// The exporter OTEL_TRACES_EXPORTER names: "otlp" (default) -> OtlpHttpExporter
// from OtlpHttpExporterOptions::FromEnvironment(); "console" -> StdoutExporter;
// "file" -> FileExporter appending to CALLPATH_TRACES_FILE (default
// "callpath-traces.jsonl"); "none" -> nullptr, meaning: export nothing
// (install no span processor). Names compare case-insensitively. In a comma
// list the first known name is used and the others are reported on stderr
// (one exporter per process); an unknown name is reported and skipped, and a
// list with no known name gives "otlp". A file that cannot be opened is
// reported and gives nullptr.
std::unique_ptr<SpanExporter> SpanExporterFromEnvironment();

}  // namespace callpath
