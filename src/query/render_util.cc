#include "query/render_util.h"

#include <ctime>

#include "text/base64.h"

namespace callpath::query::detail {

std::string Rfc3339Nanos(uint64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000ull);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09lluZ",
           static_cast<unsigned long long>(ns % 1'000'000'000ull));
  return buf;
}

std::string_view SeverityName(int32_t n) {
  if (n <= 0) return "";
  if (n <= 4) return "TRACE";
  if (n <= 8) return "DEBUG";
  if (n <= 12) return "INFO";
  if (n <= 16) return "WARN";
  if (n <= 20) return "ERROR";
  return "FATAL";
}

void WriteValue(JsonWriter& w, const store::Value& v) {
  using T = store::Value::Type;
  switch (v.type) {
    case T::kBool: w.Bool(v.int_value != 0); break;
    case T::kInt64: w.Int64(v.int_value); break;
    case T::kDouble: w.Double(v.double_value); break;
    case T::kBytes: w.String(text::Base64Encode(v.text)); break;
    default: w.String(v.text); break;  // JSON text stays a string: never trust it raw
  }
}

void WriteAttributesObject(JsonWriter& w, const store::Attributes& attrs) {
  w.BeginObject();
  for (const auto& kv : attrs) {
    w.Key(kv.key);
    WriteValue(w, kv.value);
  }
  w.EndObject();
}

void WriteLog(JsonWriter& w, const store::StoredLog& l) {
  w.BeginObject();
  w.Field("timestamp", Rfc3339Nanos(l.effective_time_ns()));
  w.FieldUint("time_ns", l.effective_time_ns());
  w.FieldUint("observed_ns", l.observed_ns);
  std::string_view level = l.severity_text.empty() ? SeverityName(l.severity_number)
                                                   : std::string_view(l.severity_text);
  w.Field("level", level);
  w.FieldInt("severity_number", l.severity_number);
  w.Field("msg", l.body.type == store::Value::Type::kString || l.body.type == store::Value::Type::kJson
                     ? l.body.text
                     : l.body.AsText());
  w.FieldBool("body_is_json", l.body.type == store::Value::Type::kJson);
  w.Field("service_name", l.service);
  if (l.trace_id.IsValid()) w.Field("trace_id", l.trace_id.ToHex());
  if (l.span_id.IsValid()) w.Field("span_id", l.span_id.ToHex());
  w.Key("attributes");
  WriteAttributesObject(w, l.attributes);
  w.Key("resource");
  WriteAttributesObject(w, l.resource_attributes);
  if (!l.scope_name.empty()) w.Field("scope", l.scope_name);
  w.EndObject();
}

}  // namespace callpath::query::detail
