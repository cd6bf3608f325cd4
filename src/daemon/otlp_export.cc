#include "daemon/otlp_export.h"

#include <chrono>
#include <memory>

#include "callpath/otlp/fields.h"
#include "callpath/otlp/proto_writer.h"
#include "daemon/otlp_json_decoder.h"
#include "daemon/otlp_proto_decoder.h"
#include "daemon/value_text.h"

namespace callpath::daemon {
namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

template <typename Batch, typename Submit>
void Finish(Batch& batch, size_t items, SignalCounters& counters, std::string_view noun,
            Submit submit, ExportService::Done& done) {
  counters.received.fetch_add(items + batch.rejected.count(), std::memory_order_relaxed);
  counters.rejected.fetch_add(batch.rejected.count(), std::memory_order_relaxed);
  uint64_t rejected = batch.rejected.count();
  std::string message = batch.rejected.Message(noun);
  if (items == 0) {
    done(ExportOutcome{ExportOutcome::Code::kOk, rejected, std::move(message)});
    return;
  }
  // `done` is shared between the submit callback and the refusal path;
  // exactly one of them runs it.
  auto shared_done = std::make_shared<ExportService::Done>(std::move(done));
  bool queued = submit([shared_done, rejected, message](const Status& s) {
    ExportOutcome out;
    if (s.ok()) {
      out.rejected = rejected;
      out.message = message;
    } else {
      out.code = ExportOutcome::Code::kUnavailable;
      out.message = "store write failed: " + s.ToString();
    }
    (*shared_done)(std::move(out));
  });
  if (!queued) {
    counters.dropped.fetch_add(items, std::memory_order_relaxed);
    (*shared_done)(ExportOutcome{ExportOutcome::Code::kQueueFull, 0,
                                 "write queue is full; retry later"});
  }
}

}  // namespace

void ExportService::Export(Signal signal, Encoding encoding, std::string_view body, Done done) {
  if (pipeline_.stopping()) {
    done(ExportOutcome{ExportOutcome::Code::kUnavailable, 0, "callpathd is shutting down"});
    return;
  }
  if (signal == Signal::kTraces) {
    SpanBatch batch;
    Status s = encoding == Encoding::kProtobuf ? DecodeOtlpProtoTraces(body, &batch)
                                               : DecodeOtlpJsonTraces(body, &batch);
    if (!s.ok()) {
      metrics_.spans.rejected.fetch_add(1, std::memory_order_relaxed);
      done(ExportOutcome{ExportOutcome::Code::kInvalid, 0, s.message()});
      return;
    }
    size_t n = batch.spans.size();
    Finish(batch, n, metrics_.spans, "spans",
           [&](IngestPipeline::Done d) { return pipeline_.SubmitSpans(std::move(batch.spans), std::move(d)); },
           done);
  } else {
    LogBatch batch;
    Status s = encoding == Encoding::kProtobuf ? DecodeOtlpProtoLogs(body, &batch)
                                               : DecodeOtlpJsonLogs(body, &batch);
    if (!s.ok()) {
      metrics_.logs.rejected.fetch_add(1, std::memory_order_relaxed);
      done(ExportOutcome{ExportOutcome::Code::kInvalid, 0, s.message()});
      return;
    }
    // A collector fills observed_time when the sender left it unset.
    uint64_t now = NowNs();
    for (auto& l : batch.logs)
      if (l.observed_ns == 0) l.observed_ns = now;
    size_t n = batch.logs.size();
    Finish(batch, n, metrics_.logs, "log records",
           [&](IngestPipeline::Done d) { return pipeline_.SubmitLogs(std::move(batch.logs), std::move(d)); },
           done);
  }
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
    AppendJsonQuoted(message, out);
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
    AppendJsonQuoted(message, out);
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
