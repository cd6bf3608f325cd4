#include "logparse/otlp_logs.h"

#include "callpath/span_data.h"
#include "otlp/encode/otlp_common_encoder.h"
#include "otlp/encode/otlp_log_encoder.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::logparse {

namespace f = otlp::fields;

void AppendLogRecordProto(const ParsedLog& r, uint64_t observed_ns, std::string* out) {
  otlp::ProtoWriter w(out);
  auto rec = w.BeginNested(f::ScopeLogs::kLogRecords, r.body.size() + 64 + 32 * r.attributes.size());
  w.Fixed64(f::LogRecord::kTimeUnixNano, r.time_ns);
  w.Enum(f::LogRecord::kSeverityNumber, r.severity_number);
  internal::WriteTextProto(w, f::LogRecord::kSeverityText, r.severity_text);
  auto body = w.BeginNested(f::LogRecord::kBody, r.body.size() + 4);
  internal::WriteTextProto(w, f::AnyValue::kStringValue, r.body, otlp::Presence::kExplicit);
  w.EndNested(body);
  internal::WriteAttributesProto(w, f::LogRecord::kAttributes, r.attributes);
  if (r.trace_id.IsValid()) {
    w.Fixed32(f::LogRecord::kFlags, r.trace_flags & f::kLogRecordFlagsTraceFlagsMask);
    w.Bytes(f::LogRecord::kTraceId, r.trace_id.AsBytes());
    if (r.span_id.IsValid()) w.Bytes(f::LogRecord::kSpanId, r.span_id.AsBytes());
  }
  w.Fixed64(f::LogRecord::kObservedTimeUnixNano, observed_ns);
  w.EndNested(rec);
}

void AppendResourceLogsProto(const LogSource& source, std::span<const ParsedLog> records,
                             uint64_t observed_ns, std::string* out) {
  std::vector<std::string_view> services;
  for (const ParsedLog& r : records) {
    std::string_view s = r.service.empty() ? std::string_view(source.default_service) : r.service;
    bool seen = false;
    for (std::string_view known : services) seen |= known == s;
    if (!seen) services.push_back(s);
  }
  InstrumentationScope scope;
  scope.name = source.scope_name;
  std::string encoded;
  for (std::string_view service : services) {
    encoded.clear();
    for (const ParsedLog& r : records) {
      std::string_view s = r.service.empty() ? std::string_view(source.default_service) : r.service;
      if (s == service) AppendLogRecordProto(r, observed_ns, &encoded);
    }
    Resource resource;
    resource.attributes = source.resource;
    if (!service.empty()) resource.attributes.push_back({"service.name", std::string(service)});
    log::detail::AppendExportLogsRequestProto(resource, scope, encoded, out);
  }
}

}  // namespace callpath::logparse
