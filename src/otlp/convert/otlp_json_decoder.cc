#include "otlp/convert/otlp_json_decoder.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string_view>

#include "text/base64.h"
#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::daemon {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Enum value names by number, as the OTLP protos spell them.
using EnumNames = std::span<const std::string_view>;
constexpr std::string_view kSpanKindNames[] = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
constexpr std::string_view kStatusCodeNames[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                 "STATUS_CODE_ERROR"};
constexpr std::string_view kSeverityNames[] = {
    "SEVERITY_NUMBER_UNSPECIFIED",
    "SEVERITY_NUMBER_TRACE", "SEVERITY_NUMBER_TRACE2", "SEVERITY_NUMBER_TRACE3", "SEVERITY_NUMBER_TRACE4",
    "SEVERITY_NUMBER_DEBUG", "SEVERITY_NUMBER_DEBUG2", "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
    "SEVERITY_NUMBER_INFO",  "SEVERITY_NUMBER_INFO2",  "SEVERITY_NUMBER_INFO3",  "SEVERITY_NUMBER_INFO4",
    "SEVERITY_NUMBER_WARN",  "SEVERITY_NUMBER_WARN2",  "SEVERITY_NUMBER_WARN3",  "SEVERITY_NUMBER_WARN4",
    "SEVERITY_NUMBER_ERROR", "SEVERITY_NUMBER_ERROR2", "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
    "SEVERITY_NUMBER_FATAL", "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3", "SEVERITY_NUMBER_FATAL4"};

constexpr int kMaxDepth = 32;

// A default-constructed dom::array has no tape and must not be iterated;
// absent array fields read as this (valid, empty) one instead.
array EmptyArray() {
  thread_local simdjson::dom::parser parser;
  thread_local array empty = parser.parse("[]", 2, true).get_array().value_unsafe();
  return empty;
}

// Walks one parsed document. Methods return false on a structural error
// (wrong JSON type for a known field) after recording it in error_.
class Decoder {
 public:
  const std::string& error() const { return error_; }

  bool DecodeTraces(element root, SpanBatch* out) {
    object top;
    if (!AsObject(root, "request", &top)) return false;
    array resources;
    if (!ArrayField(top, "resourceSpans", &resources)) return false;
    for (element rs_el : resources) {
      object rs;
      if (!AsObject(rs_el, "resourceSpans[]", &rs)) return false;
      Resource res;
      if (!DecodeResource(rs, &res)) return false;
      array scopes;
      if (!ArrayField(rs, "scopeSpans", &scopes)) return false;
      for (element ss_el : scopes) {
        object ss;
        if (!AsObject(ss_el, "scopeSpans[]", &ss)) return false;
        Scope scope;
        if (!DecodeScope(ss, &scope)) return false;
        array spans;
        if (!ArrayField(ss, "spans", &spans)) return false;
        for (element sp_el : spans) {
          object sp;
          if (!AsObject(sp_el, "spans[]", &sp)) return false;
          if (!DecodeSpan(sp, res, scope, out)) return false;
        }
      }
    }
    return true;
  }

  bool DecodeLogs(element root, LogBatch* out) {
    object top;
    if (!AsObject(root, "request", &top)) return false;
    array resources;
    if (!ArrayField(top, "resourceLogs", &resources)) return false;
    for (element rl_el : resources) {
      object rl;
      if (!AsObject(rl_el, "resourceLogs[]", &rl)) return false;
      Resource res;
      if (!DecodeResource(rl, &res)) return false;
      array scopes;
      if (!ArrayField(rl, "scopeLogs", &scopes)) return false;
      for (element sl_el : scopes) {
        object sl;
        if (!AsObject(sl_el, "scopeLogs[]", &sl)) return false;
        Scope scope;
        if (!DecodeScope(sl, &scope)) return false;
        array records;
        if (!ArrayField(sl, "logRecords", &records)) return false;
        for (element lr_el : records) {
          object lr;
          if (!AsObject(lr_el, "logRecords[]", &lr)) return false;
          if (!DecodeLog(lr, res, scope, out)) return false;
        }
      }
    }
    return true;
  }

 private:
  struct Resource {
    store::Attributes attributes;
    std::string service = "unknown_service";
  };
  struct Scope {
    std::string name, version;
  };

  bool Fail(std::string_view field, std::string_view expected) {
    if (error_.empty()) {
      error_ = "field '";
      error_ += field;
      error_ += "': expected ";
      error_ += expected;
    }
    return false;
  }

  // Looks up `key`; false if absent or null (both mean "default").
  static bool Find(const object& o, std::string_view key, element* out) {
    auto r = o.at_key(key);
    if (r.error()) return false;
    *out = r.value_unsafe();
    return out->type() != element_type::NULL_VALUE;
  }

  bool AsObject(element e, std::string_view name, object* out) {
    if (e.type() != element_type::OBJECT) return Fail(name, "an object");
    *out = e.get_object().value_unsafe();
    return true;
  }

  // An absent or null array field reads as empty.
  bool ArrayField(const object& o, std::string_view key, array* out) {
    element e;
    if (!Find(o, key, &e)) {
      *out = EmptyArray();
      return true;
    }
    if (e.type() != element_type::ARRAY) return Fail(key, "an array");
    *out = e.get_array().value_unsafe();
    return true;
  }

  bool ObjectField(const object& o, std::string_view key, object* out, bool* present) {
    element e;
    *present = Find(o, key, &e);
    if (!*present) return true;
    return AsObject(e, key, out);
  }

  bool StringField(const object& o, std::string_view key, std::string_view* out) {
    element e;
    if (!Find(o, key, &e)) {
      *out = {};
      return true;
    }
    if (e.type() != element_type::STRING) return Fail(key, "a string");
    *out = e.get_string().value_unsafe();
    return true;
  }

  // 64-bit unsigned: a JSON integer, or a decimal string (OTLP's rule).
  bool Uint64Value(element e, std::string_view key, uint64_t* out) {
    switch (e.type()) {
      case element_type::UINT64:
        *out = e.get_uint64().value_unsafe();
        return true;
      case element_type::INT64: {
        int64_t v = e.get_int64().value_unsafe();
        if (v < 0) return Fail(key, "a non-negative integer");
        *out = static_cast<uint64_t>(v);
        return true;
      }
      case element_type::DOUBLE: {
        double d = e.get_double().value_unsafe();
        if (!(d >= 0 && d < 18446744073709551616.0) || d != std::floor(d))
          return Fail(key, "a non-negative integer");
        *out = static_cast<uint64_t>(d);
        return true;
      }
      case element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        if (s.empty() || s.size() > 20) return Fail(key, "a decimal integer string");
        uint64_t v = 0;
        for (char c : s) {
          if (c < '0' || c > '9') return Fail(key, "a decimal integer string");
          uint64_t d = static_cast<uint64_t>(c - '0');
          if (v > (UINT64_MAX - d) / 10) return Fail(key, "an integer that fits in 64 bits");
          v = v * 10 + d;
        }
        *out = v;
        return true;
      }
      case element_type::NULL_VALUE:
        *out = 0;
        return true;
      default:
        return Fail(key, "an integer or a decimal string");
    }
  }

  bool Int64Value(element e, std::string_view key, int64_t* out) {
    if (e.type() == element_type::STRING) {
      std::string_view s = e.get_string().value_unsafe();
      bool neg = !s.empty() && s[0] == '-';
      if (neg) s.remove_prefix(1);
      uint64_t mag = 0;
      if (s.empty() || s.size() > 19) return Fail(key, "a decimal integer string");
      for (char c : s) {
        if (c < '0' || c > '9') return Fail(key, "a decimal integer string");
        mag = mag * 10 + static_cast<uint64_t>(c - '0');
      }
      if (mag > (neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1))
        return Fail(key, "an integer that fits in 64 bits");
      *out = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
      return true;
    }
    if (e.type() == element_type::INT64) {
      *out = e.get_int64().value_unsafe();
      return true;
    }
    if (e.type() == element_type::DOUBLE) {
      double d = e.get_double().value_unsafe();
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::floor(d))
        return Fail(key, "an integer");
      *out = static_cast<int64_t>(d);
      return true;
    }
    if (e.type() == element_type::NULL_VALUE) {
      *out = 0;
      return true;
    }
    return Fail(key, "an integer or a decimal string");
  }

  bool Uint64Field(const object& o, std::string_view key, uint64_t* out) {
    element e;
    if (!Find(o, key, &e)) {
      *out = 0;
      return true;
    }
    return Uint64Value(e, key, out);
  }

  // 32-bit fields: JSON numbers only (protobuf's JSON mapping quotes only 64-bit ones).
  bool Int32Field(const object& o, std::string_view key, int64_t min, int64_t max, int64_t* out) {
    element e;
    *out = 0;
    if (!Find(o, key, &e)) return true;
    return Int32Value(e, key, min, max, out);
  }

  bool Int32Value(element e, std::string_view key, int64_t min, int64_t max, int64_t* out) {
    if (e.type() == element_type::STRING) return Fail(key, "an integer");
    int64_t v;
    if (!Int64Value(e, key, &v)) return false;
    if (v < min || v > max) return Fail(key, "an integer in range");
    *out = v;
    return true;
  }

  // OTLP/JSON encodes enums as numbers, but protobuf's JSON mapping (and the
  // OpenTelemetry Collector, which parses with it) also accepts the value's
  // name: "SPAN_KIND_SERVER". Names are taken too; an unknown one fails.
  bool EnumField(const object& o, std::string_view key, EnumNames names, int64_t* out) {
    element e;
    *out = 0;
    if (!Find(o, key, &e)) return true;
    if (e.type() != element_type::STRING) return Int32Value(e, key, INT32_MIN, INT32_MAX, out);
    const std::string_view name = e.get_string().value_unsafe();
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) {
        *out = static_cast<int64_t>(i);
        return true;
      }
    }
    return Fail(key, "an enum number or one of its names");
  }

  bool DoubleValue(element e, std::string_view key, double* out) {
    switch (e.type()) {
      case element_type::DOUBLE:
      case element_type::INT64:
      case element_type::UINT64:
        *out = e.get_double().value_unsafe();
        return true;
      case element_type::STRING: {
        std::string s(e.get_string().value_unsafe());
        if (s == "NaN") *out = std::nan("");
        else if (s == "Infinity") *out = HUGE_VAL;
        else if (s == "-Infinity") *out = -HUGE_VAL;
        else {
          char* end = nullptr;
          *out = std::strtod(s.c_str(), &end);
          if (s.empty() || end != s.c_str() + s.size()) return Fail(key, "a number");
        }
        return true;
      }
      default:
        return Fail(key, "a number");
    }
  }

  // Hex id of exactly N bytes; "" / absent leaves `present` false.
  // Returns false only for a structural error; a malformed id sets *bad.
  template <size_t N>
  bool IdField(const object& o, std::string_view key, Id<N>* out, bool* present, bool* bad) {
    std::string_view hex;
    if (!StringField(o, key, &hex)) return false;
    *present = !hex.empty();
    *bad = false;
    *out = Id<N>();
    if (hex.empty()) return true;
    if (hex.size() != 2 * N ||
        !text::HexDecode(hex, out->mutable_bytes().data(), N, text::HexCase::kAny)) {
      *bad = true;
    }
    return true;
  }

  // --- AnyValue ---

  bool AnyValueToStore(element e, std::string_view key, store::Value* out) {
    if (e.type() == element_type::NULL_VALUE) {
      *out = store::Value::String("");
      return true;
    }
    object o;
    if (!AsObject(e, key, &o)) return false;
    element v;
    if (Find(o, "stringValue", &v)) {
      if (v.type() != element_type::STRING) return Fail("stringValue", "a string");
      *out = store::Value::String(std::string(v.get_string().value_unsafe()));
    } else if (Find(o, "boolValue", &v)) {
      if (v.type() != element_type::BOOL) return Fail("boolValue", "true or false");
      *out = store::Value::Bool(v.get_bool().value_unsafe());
    } else if (Find(o, "intValue", &v)) {
      int64_t i;
      if (!Int64Value(v, "intValue", &i)) return false;
      *out = store::Value::Int(i);
    } else if (Find(o, "doubleValue", &v)) {
      double d = 0;
      if (!DoubleValue(v, "doubleValue", &d)) return false;
      *out = store::Value::Double(d);
    } else if (Find(o, "bytesValue", &v)) {
      if (v.type() != element_type::STRING) return Fail("bytesValue", "a base64 string");
      std::string raw;
      if (!text::DecodeBase64(v.get_string().value_unsafe(), &raw)) return Fail("bytesValue", "base64");
      *out = store::Value::Bytes(std::move(raw));
    } else if (o.at_key("arrayValue").error() == simdjson::SUCCESS ||
               o.at_key("kvlistValue").error() == simdjson::SUCCESS) {
      std::string json;
      if (!AnyValueToJson(e, 0, json)) return false;
      *out = store::Value::Json(std::move(json));
    } else {
      *out = store::Value::String("");
    }
    return true;
  }

  // Renders an AnyValue as plain JSON (arrays as [..], kvlists as {..}).
  bool AnyValueToJson(element e, int depth, std::string& out) {
    if (depth > kMaxDepth) return Fail("arrayValue", "nesting of at most 32 levels");
    if (e.type() == element_type::NULL_VALUE) {
      out += "null";
      return true;
    }
    object o;
    if (!AsObject(e, "value", &o)) return false;
    element v;
    if (Find(o, "arrayValue", &v)) {
      object arr;
      if (!AsObject(v, "arrayValue", &arr)) return false;
      array values;
      if (!ArrayField(arr, "values", &values)) return false;
      out.push_back('[');
      bool first = true;
      for (element item : values) {
        if (!first) out.push_back(',');
        first = false;
        if (!AnyValueToJson(item, depth + 1, out)) return false;
      }
      out.push_back(']');
      return true;
    }
    if (Find(o, "kvlistValue", &v)) {
      object kvl;
      if (!AsObject(v, "kvlistValue", &kvl)) return false;
      array values;
      if (!ArrayField(kvl, "values", &values)) return false;
      out.push_back('{');
      bool first = true;
      for (element kv_el : values) {
        object kv;
        if (!AsObject(kv_el, "values[]", &kv)) return false;
        std::string_view k;
        if (!StringField(kv, "key", &k)) return false;
        if (!first) out.push_back(',');
        first = false;
        text::AppendJsonQuoted(k, &out);
        out.push_back(':');
        element val;
        if (Find(kv, "value", &val)) {
          if (!AnyValueToJson(val, depth + 1, out)) return false;
        } else {
          out += "null";
        }
      }
      out.push_back('}');
      return true;
    }
    store::Value scalar;
    if (!AnyValueToStore(e, "value", &scalar)) return false;
    switch (scalar.type) {
      case store::Value::Type::kString: text::AppendJsonQuoted(scalar.text, &out); break;
      case store::Value::Type::kBool: out += scalar.int_value ? "true" : "false"; break;
      case store::Value::Type::kInt64: out += std::to_string(scalar.int_value); break;
      case store::Value::Type::kDouble:
        if (std::isfinite(scalar.double_value)) {
          char buf[32];
          auto r = std::to_chars(buf, buf + sizeof buf, scalar.double_value);
          out.append(buf, r.ptr);
        } else {
          text::AppendJsonQuoted(std::isnan(scalar.double_value) ? "NaN"
                                 : scalar.double_value > 0  ? "Infinity"
                                                            : "-Infinity",
                                 &out);
        }
        break;
      case store::Value::Type::kBytes: {
        std::string b64;
        text::AppendBase64(scalar.text, &b64);
        text::AppendJsonQuoted(b64, &out);
        break;
      }
      case store::Value::Type::kJson: out += scalar.text; break;
    }
    return true;
  }

  bool Attributes(const object& o, std::string_view key, store::Attributes* out) {
    array attrs;
    if (!ArrayField(o, key, &attrs)) return false;
    for (element kv_el : attrs) {
      object kv;
      if (!AsObject(kv_el, "attributes[]", &kv)) return false;
      std::string_view k;
      if (!StringField(kv, "key", &k)) return false;
      store::KeyValue attr;
      attr.key = std::string(k);
      element v;
      if (Find(kv, "value", &v)) {
        if (!AnyValueToStore(v, "value", &attr.value)) return false;
      } else {
        attr.value = store::Value::String("");
      }
      out->push_back(std::move(attr));
    }
    return true;
  }

  bool DecodeResource(const object& parent, Resource* res) {
    object r;
    bool present;
    if (!ObjectField(parent, "resource", &r, &present)) return false;
    if (!present) return true;
    if (!Attributes(r, "attributes", &res->attributes)) return false;
    for (const auto& kv : res->attributes) {
      if (kv.key == "service.name" && kv.value.type == store::Value::Type::kString &&
          !kv.value.text.empty()) {
        res->service = kv.value.text;
      }
    }
    return true;
  }

  bool DecodeScope(const object& parent, Scope* scope) {
    object s;
    bool present;
    if (!ObjectField(parent, "scope", &s, &present)) return false;
    if (!present) return true;
    std::string_view name, version;
    if (!StringField(s, "name", &name) || !StringField(s, "version", &version)) return false;
    scope->name = name;
    scope->version = version;
    return true;
  }

  bool DecodeSpan(const object& sp, const Resource& res, const Scope& scope, SpanBatch* out) {
    store::StoredSpan span;
    const char* invalid = nullptr;
    bool present, bad;
    if (!IdField(sp, "traceId", &span.trace_id, &present, &bad)) return false;
    if (bad || !present || !span.trace_id.IsValid()) invalid = "invalid traceId (want 32 hex digits, not all zero)";
    if (!IdField(sp, "spanId", &span.span_id, &present, &bad)) return false;
    if (!invalid && (bad || !present || !span.span_id.IsValid())) invalid = "invalid spanId (want 16 hex digits, not all zero)";
    if (!IdField(sp, "parentSpanId", &span.parent_span_id, &present, &bad)) return false;
    if (!invalid && bad) invalid = "invalid parentSpanId (want 16 hex digits or empty)";
    std::string_view text;
    if (!StringField(sp, "traceState", &text)) return false;
    span.trace_state = text;
    if (!StringField(sp, "name", &text)) return false;
    span.operation = text;
    int64_t kind;
    if (!EnumField(sp, "kind", kSpanKindNames, &kind)) return false;
    span.kind = kind >= 0 && kind <= 5 ? static_cast<store::SpanKind>(kind) : store::SpanKind::kUnspecified;
    uint64_t start, end;
    if (!Uint64Field(sp, "startTimeUnixNano", &start) || !Uint64Field(sp, "endTimeUnixNano", &end))
      return false;
    if (!invalid && end < start) invalid = "endTimeUnixNano before startTimeUnixNano";
    span.start_ns = start;
    span.duration_ns = end >= start ? end - start : 0;
    if (!Attributes(sp, "attributes", &span.attributes)) return false;
    array events;
    if (!ArrayField(sp, "events", &events)) return false;
    for (element ev_el : events) {
      object ev;
      if (!AsObject(ev_el, "events[]", &ev)) return false;
      store::Event event;
      if (!Uint64Field(ev, "timeUnixNano", &event.time_ns)) return false;
      if (!StringField(ev, "name", &text)) return false;
      event.name = text;
      if (!Attributes(ev, "attributes", &event.attributes)) return false;
      span.events.push_back(std::move(event));
    }
    array links;
    if (!ArrayField(sp, "links", &links)) return false;
    for (element ln_el : links) {
      object ln;
      if (!AsObject(ln_el, "links[]", &ln)) return false;
      store::Link link;
      bool tp, tb, sp2, sb;
      if (!IdField(ln, "traceId", &link.trace_id, &tp, &tb)) return false;
      if (!IdField(ln, "spanId", &link.span_id, &sp2, &sb)) return false;
      if (!invalid && (tb || sb || !tp || !sp2)) invalid = "invalid link traceId/spanId";
      if (!StringField(ln, "traceState", &text)) return false;
      link.trace_state = text;
      if (!Attributes(ln, "attributes", &link.attributes)) return false;
      span.links.push_back(std::move(link));
    }
    object status;
    if (!ObjectField(sp, "status", &status, &present)) return false;
    if (present) {
      if (!StringField(status, "message", &text)) return false;
      span.status_message = text;
      int64_t code;
      if (!EnumField(status, "code", kStatusCodeNames, &code)) return false;
      span.status = code == 1 ? store::SpanStatus::kOk
                    : code == 2 ? store::SpanStatus::kError
                                : store::SpanStatus::kUnset;
    }
    int64_t flags;
    if (!Int32Field(sp, "flags", 0, UINT32_MAX, &flags)) return false;
    span.flags = static_cast<uint32_t>(flags);
    if (invalid) {
      out->rejected.Add(invalid);
      return true;
    }
    span.service = res.service;
    span.resource_attributes = res.attributes;
    span.scope_name = scope.name;
    span.scope_version = scope.version;
    out->spans.push_back(std::move(span));
    return true;
  }

  bool DecodeLog(const object& lr, const Resource& res, const Scope& scope, LogBatch* out) {
    store::StoredLog log;
    const char* invalid = nullptr;
    if (!Uint64Field(lr, "timeUnixNano", &log.time_ns) ||
        !Uint64Field(lr, "observedTimeUnixNano", &log.observed_ns))
      return false;
    int64_t sev;
    if (!EnumField(lr, "severityNumber", kSeverityNames, &sev)) return false;
    log.severity_number = static_cast<int32_t>(sev);
    std::string_view text;
    if (!StringField(lr, "severityText", &text)) return false;
    log.severity_text = text;
    element body;
    if (Find(lr, "body", &body)) {
      if (!AnyValueToStore(body, "body", &log.body)) return false;
    }
    if (!Attributes(lr, "attributes", &log.attributes)) return false;
    if (!StringField(lr, "eventName", &text)) return false;
    if (!text.empty()) log.attributes.push_back({"event.name", store::Value::String(std::string(text))});
    int64_t flags;
    if (!Int32Field(lr, "flags", 0, UINT32_MAX, &flags)) return false;
    log.flags = static_cast<uint32_t>(flags);
    bool present, bad;
    if (!IdField(lr, "traceId", &log.trace_id, &present, &bad)) return false;
    if (bad) invalid = "invalid traceId (want 32 hex digits or empty)";
    if (!IdField(lr, "spanId", &log.span_id, &present, &bad)) return false;
    if (!invalid && bad) invalid = "invalid spanId (want 16 hex digits or empty)";
    if (invalid) {
      out->rejected.Add(invalid);
      return true;
    }
    log.service = res.service;
    log.resource_attributes = res.attributes;
    log.scope_name = scope.name;
    log.scope_version = scope.version;
    out->logs.push_back(std::move(log));
    return true;
  }

  std::string error_;
};

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

template <typename Batch, typename Fn>
Status Decode(std::string_view body, Batch* out, Fn fn) {
  element root;
  auto err = ThreadParser().parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(root);
  if (err) {
    return InvalidArgument(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  Decoder d;
  if (!fn(d, root, out)) return InvalidArgument("malformed OTLP/JSON: " + d.error());
  return Status::Ok();
}

}  // namespace

Status DecodeOtlpJsonTraces(std::string_view body, SpanBatch* out) {
  return Decode(body, out, [](Decoder& d, element root, SpanBatch* b) { return d.DecodeTraces(root, b); });
}

Status DecodeOtlpJsonLogs(std::string_view body, LogBatch* out) {
  return Decode(body, out, [](Decoder& d, element root, LogBatch* b) { return d.DecodeLogs(root, b); });
}

}  // namespace callpath::daemon
