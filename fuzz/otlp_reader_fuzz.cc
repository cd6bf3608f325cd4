// Feeds arbitrary bytes to the zero-copy trace and logs decoders. They must
// never crash or read outside the input; when libprotobuf accepts the same
// bytes, our decoder must either report a (validation) error or find the
// same spans / log records with the same ids, names and times.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "otlp/decode/logs_decoder.h"
#include "otlp/decode/trace_decoder.h"
#include "otlp/testing/otlp_proto.h"

namespace {

namespace pb = callpath::testing::pb;
using namespace callpath::otlp;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "otlp_reader: %s\n", what);
    abort();
  }
}

// Reads every byte of a view, so the sanitizer sees any view past the input.
size_t Touch(std::string_view v) {
  size_t h = 0;
  for (char c : v) h = h * 31 + static_cast<unsigned char>(c);
  return h;
}

size_t TouchAttributes(std::span<const KeyValueView> attrs) {
  size_t h = 0;
  for (const KeyValueView& kv : attrs) h += Touch(kv.key) + Touch(kv.value.bytes) + Touch(kv.value.raw);
  return h;
}

void FuzzTraces(std::string_view body) {
  DecodedTraceRequest req;
  std::string error;
  const bool ok = DecodeTraceRequest(body, &req, &error);
  Check(ok || !error.empty(), "trace error without a message");
  volatile size_t sink = 0;
  for (const DecodedSpan& s : req.spans()) {
    sink = sink + Touch(s.raw) + Touch(s.name) + Touch(s.trace_id) + TouchAttributes(s.attributes);
    sink = sink + Touch(s.scope->name) + TouchAttributes(s.scope->resource->attributes);
    for (const DecodedEvent& e : s.events) sink = sink + TouchAttributes(e.attributes);
    for (const DecodedLink& l : s.links) sink = sink + TouchAttributes(l.attributes);
  }

  pb::ExportTraceServiceRequest ref;
  if (!ok || !ref.ParseFromArray(body.data(), static_cast<int>(body.size()))) return;
  size_t i = 0;
  for (const auto& rs : ref.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& s : ss.spans()) {
        Check(i < req.spans().size(), "libprotobuf found more spans");
        const DecodedSpan& d = req.spans()[i++];
        Check(d.trace_id == s.trace_id() && d.span_id == s.span_id(), "span ids differ");
        Check(d.name == s.name(), "span names differ");
        Check(d.start_time_unix_nano == s.start_time_unix_nano(), "start times differ");
        Check(d.kind == s.kind(), "kinds differ");
        Check(d.attributes.size() == static_cast<size_t>(s.attributes_size()), "attribute counts differ");
        Check(d.events.size() == static_cast<size_t>(s.events_size()), "event counts differ");
        Check(d.status_code == s.status().code(), "status codes differ");
        Check(d.scope->name == ss.scope().name(), "scope names differ");
      }
    }
  }
  Check(i == req.spans().size(), "span counts differ");
}

void FuzzLogs(std::string_view body) {
  DecodedLogsRequest req;
  std::string error;
  const bool ok = DecodeLogsRequest(body, &req, &error);
  Check(ok || !error.empty(), "logs error without a message");
  volatile size_t sink = 0;
  for (const DecodedLogRecord& r : req.records())
    sink = sink + Touch(r.raw) + Touch(r.body.bytes) + TouchAttributes(r.attributes) + Touch(r.scope->name);

  pb::ExportLogsServiceRequest ref;
  if (!ok || !ref.ParseFromArray(body.data(), static_cast<int>(body.size()))) return;
  size_t i = 0;
  for (const auto& rl : ref.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) {
      for (const auto& r : sl.log_records()) {
        Check(i < req.records().size(), "libprotobuf found more log records");
        const DecodedLogRecord& d = req.records()[i++];
        Check(d.time_unix_nano == r.time_unix_nano(), "times differ");
        Check(d.severity_number == r.severity_number(), "severities differ");
        Check(d.trace_id == r.trace_id(), "trace ids differ");
        Check(d.has_body == r.has_body(), "body presence differs");
        Check(d.attributes.size() == static_cast<size_t>(r.attributes_size()), "attribute counts differ");
      }
    }
  }
  Check(i == req.records().size(), "log record counts differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libprotobuf logs every invalid UTF-8 string it rejects; keep the run quiet.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  // A copy of exactly `size` bytes, so a read past the end is a heap overflow.
  const std::string body(reinterpret_cast<const char*>(data), size);
  FuzzTraces(body);
  FuzzLogs(body);
  return 0;
}
