#include "otlp/encode/otlp_log_encoder.h"

#include <cstdint>

#include "log/format.h"
#include "otlp/encode/otlp_common_encoder.h"
#include "otlp/wire/fields.h"

namespace callpath::log::detail {
namespace {

namespace f = otlp::fields;
using otlp::Presence;
using otlp::ProtoWriter;
using internal::WriteTextProto;

void WriteFields(ProtoWriter& w, uint32_t field, const FieldList& fields);

void WriteValueBody(ProtoWriter& w, const FieldView& v) {
  switch (v.type()) {
    case FieldType::kString:
    case FieldType::kError:
      WriteTextProto(w, f::AnyValue::kStringValue, v.str(), Presence::kExplicit);
      break;
    case FieldType::kInt:
    case FieldType::kDuration:
      w.Int64(f::AnyValue::kIntValue, v.int_value(), Presence::kExplicit);
      break;
    case FieldType::kUint:
      if (v.uint_value() <= static_cast<uint64_t>(INT64_MAX)) {
        w.Int64(f::AnyValue::kIntValue, static_cast<int64_t>(v.uint_value()), Presence::kExplicit);
      } else {
        w.String(f::AnyValue::kStringValue, std::to_string(v.uint_value()), Presence::kExplicit);
      }
      break;
    case FieldType::kDouble:
      w.Double(f::AnyValue::kDoubleValue, v.double_value(), Presence::kExplicit);
      break;
    case FieldType::kBool:
      w.Bool(f::AnyValue::kBoolValue, v.bool_value(), Presence::kExplicit);
      break;
    case FieldType::kObject: {
      auto list = w.BeginNested(f::AnyValue::kKvlistValue, 64);
      WriteFields(w, f::KeyValueList::kValues, v.object());
      w.EndNested(list);
      break;
    }
  }
}

void WriteKeyValue(ProtoWriter& w, uint32_t field, std::string_view key, const FieldView* v,
                   std::string_view str_value = {}, int64_t int_value = 0, bool is_int = false) {
  auto kv = w.BeginNested(field, 32);
  WriteTextProto(w, f::KeyValue::kKey, key, Presence::kImplicit);
  auto value = w.BeginNested(f::KeyValue::kValue, 16);
  if (v) {
    WriteValueBody(w, *v);
  } else if (is_int) {
    w.Int64(f::AnyValue::kIntValue, int_value, Presence::kExplicit);
  } else {
    WriteTextProto(w, f::AnyValue::kStringValue, str_value, Presence::kExplicit);
  }
  w.EndNested(value);
  w.EndNested(kv);
}

void WriteFields(ProtoWriter& w, uint32_t field, const FieldList& fields) {
  for (const FieldView& v : fields) WriteKeyValue(w, field, v.key(), &v);
}

}  // namespace

std::string_view SeverityText(Level level) noexcept {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kFatal: return "FATAL";
    default: return "";
  }
}

void AppendLogRecordProto(const Record& r, std::string* out) {
  ProtoWriter w(out);
  auto rec = w.BeginNested(f::ScopeLogs::kLogRecords, 128);
  w.Fixed64(f::LogRecord::kTimeUnixNano, r.time_unix_nano);
  w.Enum(f::LogRecord::kSeverityNumber, OtlpSeverityNumber(r.level));
  w.String(f::LogRecord::kSeverityText, SeverityText(r.level));
  auto body = w.BeginNested(f::LogRecord::kBody, r.message.size() + 2);
  WriteTextProto(w, f::AnyValue::kStringValue, r.message, Presence::kExplicit);
  w.EndNested(body);
  WriteFields(w, f::LogRecord::kAttributes, r.fields);
  if (!r.logger.empty()) {
    WriteKeyValue(w, f::LogRecord::kAttributes, "logger.name", nullptr, r.logger);
  }
  if (!r.file.empty()) {
    WriteKeyValue(w, f::LogRecord::kAttributes, "code.file.path", nullptr, r.file);
    WriteKeyValue(w, f::LogRecord::kAttributes, "code.line.number", nullptr, {}, r.line, true);
  }
  if (r.trace_id.IsValid()) {
    w.Fixed32(f::LogRecord::kFlags, r.trace_flags & f::kLogRecordFlagsTraceFlagsMask);
    w.Bytes(f::LogRecord::kTraceId, r.trace_id.AsBytes());
    w.Bytes(f::LogRecord::kSpanId, r.span_id.AsBytes());
  }
  w.Fixed64(f::LogRecord::kObservedTimeUnixNano, r.time_unix_nano);
  w.EndNested(rec);
}

void AppendExportLogsRequestProto(const Resource& resource, const InstrumentationScope& scope,
                                  std::string_view log_records, std::string* out) {
  ProtoWriter w(out);
  auto rl = w.BeginNested(f::ExportLogsServiceRequest::kResourceLogs, log_records.size() + 256);
  internal::WriteResourceProto(w, f::ResourceLogs::kResource, resource);
  auto sl = w.BeginNested(f::ResourceLogs::kScopeLogs, log_records.size() + 64);
  internal::WriteScopeProto(w, f::ScopeLogs::kScope, scope);
  w.Raw(log_records);
  w.EndNested(sl);
  w.EndNested(rl);
}

}  // namespace callpath::log::detail
