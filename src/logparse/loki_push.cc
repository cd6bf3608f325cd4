#include "logparse/loki_push.h"

#include <simdjson.h>
#include <snappy.h>

#include <charconv>
#include <memory>

#include "logparse/line_parser.h"
#include "logparse/timestamp.h"
#include "logparse/trace_ids.h"
#include "otlp/wire/proto_reader.h"

namespace callpath::logparse {
namespace {

using otlp::ProtoField;
using otlp::ProtoReader;
using otlp::WireType;

constexpr std::string_view kServiceLabels[] = {"service_name", "service", "app", "job"};

LineParser& ThreadLineParser() {
  thread_local std::unique_ptr<LineParser> parser = std::move(LineParser::Create("auto")).value();
  return *parser;
}

// Labels -> the stream's source: service.name from the first service label.
LogSource SourceFromLabels(std::vector<Attribute> labels) {
  LogSource source;
  source.scope_name = "loki";
  for (std::string_view key : kServiceLabels) {
    for (size_t i = 0; i < labels.size() && source.default_service.empty(); ++i) {
      if (labels[i].key != key) continue;
      source.default_service = AttributeText(labels[i].value);
      labels.erase(labels.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (source.default_service.empty()) source.default_service = kUnknownService;
  source.resource = std::move(labels);
  return source;
}

ParsedLog EntryRecord(std::string_view line, uint64_t time_ns, std::vector<Attribute> metadata) {
  ParsedLog r = ThreadLineParser().Parse(line);
  if (time_ns != 0) r.time_ns = time_ns;
  if (!metadata.empty()) {
    for (Attribute& a : metadata) r.attributes.push_back(std::move(a));
    PickTraceContext(r);  // Alloy and Promtail put trace_id in structured metadata
  }
  return r;
}

// ---- protobuf ----

Status Malformed(const ProtoReader& r, std::string_view what) {
  return InvalidArgument("malformed Loki PushRequest (" + std::string(what) + "): " +
                         (r.error() ? r.error() : "wrong wire type"));
}

bool ReadTimestamp(std::string_view bytes, uint64_t* ns) {
  ProtoReader r(bytes);
  ProtoField f;
  int64_t seconds = 0, nanos = 0;
  while (r.Next(&f)) {
    if (f.number == 1 && f.type == WireType::kVarint) seconds = f.as_int64();
    if (f.number == 2 && f.type == WireType::kVarint) nanos = f.as_int32();
  }
  if (!r.ok()) return false;
  *ns = seconds > 0 && nanos >= 0 ? static_cast<uint64_t>(seconds) * 1'000'000'000ULL + static_cast<uint64_t>(nanos) : 0;
  return true;
}

Status ReadLabelPair(std::string_view bytes, std::vector<Attribute>* out) {
  ProtoReader r(bytes);
  ProtoField f;
  std::string name, value;
  while (r.Next(&f)) {
    if (f.type != WireType::kLengthDelimited) continue;
    if (f.number == 1) name = f.bytes;
    if (f.number == 2) value = f.bytes;
  }
  if (!r.ok()) return Malformed(r, "structured metadata");
  if (!name.empty()) out->push_back({std::move(name), std::move(value)});
  return Status::Ok();
}

Status ReadEntry(std::string_view bytes, LogStream* stream) {
  ProtoReader r(bytes);
  ProtoField f;
  uint64_t time_ns = 0;
  std::string_view line;
  std::vector<Attribute> metadata;
  while (r.Next(&f)) {
    if (f.type != WireType::kLengthDelimited) {
      if (f.number <= 3) return Malformed(r, "entry");
      continue;  // a field added after this decoder was written
    }
    if (f.number == 1 && !ReadTimestamp(f.bytes, &time_ns)) return Malformed(r, "entry timestamp");
    if (f.number == 2) line = f.bytes;
    if (f.number == 3) CALLPATH_RETURN_IF_ERROR(ReadLabelPair(f.bytes, &metadata));
  }
  if (!r.ok()) return Malformed(r, "entry");
  stream->records.push_back(EntryRecord(line, time_ns, std::move(metadata)));
  return Status::Ok();
}

Status ReadStream(std::string_view bytes, PushedLogs* out) {
  // Labels may follow the entries on the wire: collect the entries first.
  ProtoReader r(bytes);
  ProtoField f;
  std::string_view labels;
  LogStream stream;
  while (r.Next(&f)) {
    if (f.number == 1 && f.type == WireType::kLengthDelimited) labels = f.bytes;
    else if (f.number == 2 && f.type == WireType::kLengthDelimited) CALLPATH_RETURN_IF_ERROR(ReadEntry(f.bytes, &stream));
    else if (f.number <= 2) return Malformed(r, "stream");
  }
  if (!r.ok()) return Malformed(r, "stream");
  std::vector<Attribute> label_attrs;
  CALLPATH_RETURN_IF_ERROR(ParseLokiLabels(labels, &label_attrs));
  stream.source = SourceFromLabels(std::move(label_attrs));
  out->streams.push_back(std::move(stream));
  return Status::Ok();
}

// ---- JSON ----

Status JsonError(std::string_view what) { return InvalidArgument("malformed Loki push JSON: " + std::string(what)); }

Status ReadJsonValues(simdjson::dom::array values, LogStream* stream) {
  for (simdjson::dom::element v : values) {
    simdjson::dom::array tuple;
    std::string_view ts, line;
    if (v.get_array().get(tuple) || tuple.size() < 2 || tuple.at(0).get_string().get(ts) ||
        tuple.at(1).get_string().get(line))
      return JsonError("each of \"values\" must be [\"<unix ns>\", \"<line>\"(, {metadata})]");
    uint64_t ns = 0;
    if (std::from_chars(ts.data(), ts.data() + ts.size(), ns).ec != std::errc())
      return JsonError("timestamp '" + std::string(ts) + "' is not unix nanoseconds");
    std::vector<Attribute> metadata;
    simdjson::dom::object meta;
    if (tuple.size() > 2 && !tuple.at(2).get_object().get(meta)) {
      for (auto field : meta) {
        std::string_view value;
        if (!field.value.get_string().get(value)) metadata.push_back({std::string(field.key), std::string(value)});
      }
    }
    stream->records.push_back(EntryRecord(line, ns, std::move(metadata)));
  }
  return Status::Ok();
}

Status ReadJsonEntries(simdjson::dom::array entries, LogStream* stream) {
  for (simdjson::dom::element e : entries) {
    std::string_view ts, line;
    if (e["ts"].get_string().get(ts) || e["line"].get_string().get(line))
      return JsonError("each of \"entries\" needs \"ts\" and \"line\" strings");
    uint64_t ns = 0;
    if (!ParseTimestamp(ts, &ns)) return JsonError("timestamp '" + std::string(ts) + "' is not RFC 3339");
    stream->records.push_back(EntryRecord(line, ns, {}));
  }
  return Status::Ok();
}

Status ReadJsonStream(simdjson::dom::element s, PushedLogs* out) {
  LogStream stream;
  std::vector<Attribute> labels;
  simdjson::dom::object label_obj;
  std::string_view label_text;
  if (!s["stream"].get_object().get(label_obj)) {
    for (auto field : label_obj) {
      std::string_view value;
      if (field.value.get_string().get(value)) return JsonError("label values must be strings");
      labels.push_back({std::string(field.key), std::string(value)});
    }
  } else if (!s["labels"].get_string().get(label_text)) {
    CALLPATH_RETURN_IF_ERROR(ParseLokiLabels(label_text, &labels));
  }
  simdjson::dom::array list;
  if (!s["values"].get_array().get(list)) CALLPATH_RETURN_IF_ERROR(ReadJsonValues(list, &stream));
  else if (!s["entries"].get_array().get(list)) CALLPATH_RETURN_IF_ERROR(ReadJsonEntries(list, &stream));
  else return JsonError("a stream needs \"values\" (or \"entries\")");
  stream.source = SourceFromLabels(std::move(labels));
  out->streams.push_back(std::move(stream));
  return Status::Ok();
}

}  // namespace

Status ParseLokiLabels(std::string_view t, std::vector<Attribute>* out) {
  auto fail = [&](std::string_view why) {
    return InvalidArgument("bad Loki labels '" + std::string(t.substr(0, 200)) + "': " + std::string(why));
  };
  size_t i = 0;
  auto skip_space = [&] {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  };
  skip_space();
  if (i == t.size()) return Status::Ok();  // no labels at all
  if (t[i++] != '{') return fail("must start with '{'");
  skip_space();
  while (i < t.size() && t[i] != '}') {
    size_t start = i;
    while (i < t.size() && t[i] != '=' && t[i] != ' ' && t[i] != '}' && t[i] != ',') ++i;
    std::string name(t.substr(start, i - start));
    skip_space();
    if (name.empty() || i >= t.size() || t[i++] != '=') return fail("expected name=\"value\"");
    skip_space();
    if (i >= t.size() || t[i++] != '"') return fail("label values must be quoted");
    std::string value;
    while (i < t.size() && t[i] != '"') {
      if (t[i] == '\\' && i + 1 < t.size()) {
        ++i;
        value.push_back(t[i] == 'n' ? '\n' : t[i]);
      } else {
        value.push_back(t[i]);
      }
      ++i;
    }
    if (i >= t.size()) return fail("unterminated value");
    ++i;
    out->push_back({std::move(name), std::move(value)});
    skip_space();
    if (i < t.size() && t[i] == ',') ++i;
    skip_space();
  }
  if (i >= t.size()) return fail("missing '}'");
  return Status::Ok();
}

Status DecodeLokiPushProto(std::string_view snappy_body, size_t max_bytes, PushedLogs* out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(snappy_body.data(), snappy_body.size(), &length))
    return InvalidArgument("body is not snappy-compressed (Loki protobuf pushes use snappy's block format)");
  if (length > max_bytes)
    return InvalidArgument("snappy body inflates to " + std::to_string(length) + " bytes, over the limit of " +
                           std::to_string(max_bytes));
  std::string raw;
  if (!snappy::Uncompress(snappy_body.data(), snappy_body.size(), &raw))
    return InvalidArgument("corrupt snappy data");
  ProtoReader r(raw);
  ProtoField f;
  while (r.Next(&f)) {
    if (f.number != 1) continue;
    if (f.type != WireType::kLengthDelimited) return Malformed(r, "streams");
    CALLPATH_RETURN_IF_ERROR(ReadStream(f.bytes, out));
  }
  if (!r.ok()) return Malformed(r, "request");
  return Status::Ok();
}

Status DecodeLokiPushJson(std::string_view body, PushedLogs* out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size(), true).get(root))
    return JsonError(simdjson::error_message(err));
  simdjson::dom::array streams;
  if (root["streams"].get_array().get(streams)) return JsonError("expected {\"streams\": [...]}");
  for (simdjson::dom::element s : streams) {
    if (!s.is_object()) return JsonError("each stream must be an object");
    CALLPATH_RETURN_IF_ERROR(ReadJsonStream(s, out));
  }
  return Status::Ok();
}

}  // namespace callpath::logparse
