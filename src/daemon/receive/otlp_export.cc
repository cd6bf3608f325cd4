#include "daemon/receive/otlp_export.h"

#include <chrono>
#include <memory>

#include "otlp/convert/otlp_json_decoder.h"
#include "otlp/convert/otlp_proto_decoder.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_writer.h"
#include "text/json_escape.h"

namespace callpath::daemon {
namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Decodes and converts `body` on the calling (receiver) thread - which
// also decides partial success - then hands the valid items and the body
// to the pipeline; `done` runs once the body is in the ingest WAL.
void Accept(IngestTenant& tenant, DaemonMetrics& metrics, Signal signal, Encoding encoding,
            std::string_view body, ExportService::Done done) {
  IngestPipeline& pipeline = tenant.pipeline();
  const bool traces = signal == Signal::kTraces;
  SignalCounters& counters = traces ? metrics.spans : metrics.logs;
  auto batch = std::make_unique<store::IngestBatch>();
  Rejections rejected;
  std::string cleaned;
  WalKind kind;
  uint64_t now = NowNs();
  Status s;
  if (encoding == Encoding::kProtobuf) {
    kind = traces ? WalKind::kTracesProto : WalKind::kLogsProto;
    s = traces ? DecodeOtlpProtoTraces(body, batch.get(), &rejected, &cleaned)
               : DecodeOtlpProtoLogs(body, batch.get(), &rejected, &cleaned);
    // Replay (ConvertWalRecord) applies the same limits to the same items.
    if (s.ok()) EnforceItemLimits(pipeline.limits(), now, batch.get(), &rejected);
  } else {
    kind = traces ? WalKind::kTracesJson : WalKind::kLogsJson;
    WalRecord r;
    r.kind = kind;
    r.received_ns = now;
    r.body = body;
    s = ConvertWalRecord(r, pipeline.limits(), batch.get(), &rejected);
  }
  if (!s.ok()) {
    counters.rejected.fetch_add(1, std::memory_order_relaxed);
    done(ExportOutcome{ExportOutcome::Code::kInvalid, 0, s.message()});
    return;
  }
  // A collector fills observed_time when the sender left it unset; replay
  // uses the same time, kept in the WAL record.
  for (auto& l : batch->logs)
    if (l.observed_ns == 0) l.observed_ns = now;
  uint64_t valid = batch->items();
  counters.received.fetch_add(valid + rejected.count(), std::memory_order_relaxed);
  counters.rejected.fetch_add(rejected.count(), std::memory_order_relaxed);
  metrics.duplicate_spans.fetch_add(rejected.duplicate_spans(), std::memory_order_relaxed);
  metrics.out_of_window_items.fetch_add(rejected.out_of_window(), std::memory_order_relaxed);
  uint64_t rejected_count = rejected.count();
  std::string message = rejected.Message(traces ? "spans" : "log records");
  if (valid == 0) {
    // Nothing in the request can be stored: a permanent error (400 /
    // INVALID_ARGUMENT) that says why, rather than a success rejecting all.
    done(rejected_count == 0 ? ExportOutcome{ExportOutcome::Code::kOk, 0, {}}
                             : ExportOutcome{ExportOutcome::Code::kInvalid, rejected_count, std::move(message)});
    return;
  }
  if (std::optional<ExportOutcome> refused = tenant.AdmitItems(valid)) {
    counters.dropped.fetch_add(valid, std::memory_order_relaxed);
    done(std::move(*refused));
    return;
  }
  // Encoded for the store here, in parallel with other requests, while the
  // converted items are still in this thread's cache.
  Result<std::shared_ptr<const WalAttachment>> prepared = pipeline.Prepare(std::move(*batch));
  batch.reset();
  if (!prepared.ok()) {
    counters.rejected.fetch_add(valid, std::memory_order_relaxed);
    done(ExportOutcome{ExportOutcome::Code::kInvalid, 0, prepared.status().message()});
    return;
  }
  // `done` is shared between the durable callback and the refusal path;
  // exactly one of them runs it.
  auto shared_done = std::make_shared<ExportService::Done>(std::move(done));
  bool queued = pipeline.Submit(kind, now, cleaned.empty() ? body : std::string_view(cleaned),
                                std::move(prepared).value(),
                                [shared_done, rejected_count, message](const Status& st) {
                                  ExportOutcome out;
                                  if (st.ok()) {
                                    out.rejected = rejected_count;
                                    out.message = message;
                                  } else {
                                    out.code = ExportOutcome::Code::kUnavailable;
                                    out.message = "write-ahead log failed: " + st.ToString();
                                  }
                                  (*shared_done)(std::move(out));
                                });
  if (!queued) {
    counters.dropped.fetch_add(valid, std::memory_order_relaxed);
    (*shared_done)(ExportOutcome{ExportOutcome::Code::kQueueFull, 0, "ingest backlog is full; retry later"});
  }
}

}  // namespace

void ExportService::Export(Signal signal, Encoding encoding, std::string_view tenant, std::string_view body,
                           Done done) {
  Result<IngestTenant*> found = tenants_(tenant);
  if (!found.ok()) {
    done(ExportOutcome{ExportOutcome::Code::kUnavailable, 0, found.status().message()});
    return;
  }
  if (found.value()->pipeline().stopping()) {
    done(ExportOutcome{ExportOutcome::Code::kUnavailable, 0, "callpathd is shutting down"});
    return;
  }
  Accept(*found.value(), metrics_, signal, encoding, body, std::move(done));
}

std::string ExportResponseBody(Signal signal, Encoding encoding, uint64_t rejected,
                               std::string_view message) {
  namespace f = otlp::fields;
  if (rejected == 0 && message.empty()) return encoding == Encoding::kJson ? "{}" : "";
  if (encoding == Encoding::kJson) {
    std::string out = "{\"partialSuccess\":{";
    out += signal == Signal::kTraces ? "\"rejectedSpans\":\"" : "\"rejectedLogRecords\":\"";
    out += std::to_string(rejected);
    out += "\",\"errorMessage\":";
    text::AppendJsonQuoted(message, &out);
    out += "}}";
    return out;
  }
  std::string out;
  otlp::ProtoWriter w(&out);
  // Both partial-success messages use field 1 = count, 2 = message.
  auto ps = w.BeginNested(f::ExportTraceServiceResponse::kPartialSuccess, message.size() + 12);
  w.Int64(f::ExportTracePartialSuccess::kRejectedSpans, static_cast<int64_t>(rejected));
  w.String(f::ExportTracePartialSuccess::kErrorMessage, message);
  w.EndNested(ps);
  return out;
}

std::string RpcStatusBody(Encoding encoding, int grpc_code, std::string_view message) {
  if (encoding == Encoding::kJson) {
    std::string out = "{\"code\":" + std::to_string(grpc_code) + ",\"message\":";
    text::AppendJsonQuoted(message, &out);
    out += "}";
    return out;
  }
  std::string out;
  otlp::ProtoWriter w(&out);
  w.Int32(1, grpc_code);    // google.rpc.Status.code
  w.String(2, message);     // google.rpc.Status.message
  return out;
}

}  // namespace callpath::daemon
