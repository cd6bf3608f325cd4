#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "callpath/exporters.h"
#include "text/json_escape.h"

namespace callpath {
namespace {

std::string_view KindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kServer: return "SERVER";
    case SpanKind::kClient: return "CLIENT";
    case SpanKind::kProducer: return "PRODUCER";
    case SpanKind::kConsumer: return "CONSUMER";
    case SpanKind::kUnspecified: return "UNSPECIFIED";
    case SpanKind::kInternal: break;
  }
  return "INTERNAL";
}

void AppendDouble(double d, std::string* out) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  out->append(buf);
}

struct ValuePrinter {
  std::string* out;
  void operator()(bool b) const { out->append(b ? "true" : "false"); }
  void operator()(int64_t i) const { out->append(std::to_string(i)); }
  void operator()(double d) const { AppendDouble(d, out); }
  void operator()(const std::string& s) const { text::AppendJsonQuoted(s, out); }
  template <typename T>
  void operator()(const std::vector<T>& items) const {
    out->push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out->push_back(',');
      if constexpr (std::is_same_v<T, bool>) {
        (*this)(static_cast<bool>(items[i]));  // vector<bool> yields a proxy
      } else {
        (*this)(items[i]);
      }
    }
    out->push_back(']');
  }
};

void AppendValue(const AttributeValue& v, std::string* out) { std::visit(ValuePrinter{out}, v); }

// 2025-01-02T03:04:05.678901Z (microseconds are what a human can use).
void AppendTimestamp(uint64_t unix_nano, std::string* out) {
  const std::time_t seconds = static_cast<std::time_t>(unix_nano / 1000000000u);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRIu64 "Z", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                (unix_nano % 1000000000u) / 1000u);
  out->append(buf);
}

// Strings are quoted as in JSON: one line whatever they hold, and no invalid
// UTF-8 reaches the terminal.
void AppendSpan(const SpanData& span, std::string* out) {
  AppendTimestamp(span.start_time_unix_nano, out);
  char ids[TraceId::kHexSize + SpanId::kHexSize + 2];
  span.context.trace_id().ToHex(ids);
  ids[TraceId::kHexSize] = ' ';
  span.context.span_id().ToHex(ids + TraceId::kHexSize + 1);
  out->push_back(' ');
  out->append(ids, TraceId::kHexSize + 1 + SpanId::kHexSize);
  out->append(" parent=");
  if (span.parent_span_id.IsValid()) {
    char parent[SpanId::kHexSize];
    span.parent_span_id.ToHex(parent);
    out->append(parent, sizeof(parent));
    if (span.parent_is_remote) out->append("(remote)");
  } else {
    out->push_back('-');
  }
  out->push_back(' ');
  out->append(KindName(span.kind));
  out->push_back(' ');
  text::AppendJsonQuoted(span.name, out);

  const uint64_t nanos = span.end_time_unix_nano > span.start_time_unix_nano
                             ? span.end_time_unix_nano - span.start_time_unix_nano : 0;
  char duration[32];
  std::snprintf(duration, sizeof(duration), " %" PRIu64 ".%03" PRIu64 "ms", nanos / 1000000u,
                (nanos % 1000000u) / 1000u);
  out->append(duration);

  switch (span.status_code) {
    case SpanStatusCode::kOk: out->append(" OK"); break;
    case SpanStatusCode::kError:
      out->append(" ERROR");
      if (!span.status_message.empty()) {
        out->push_back('(');
        text::AppendJsonQuoted(span.status_message, out);
        out->push_back(')');
      }
      break;
    case SpanStatusCode::kUnset: out->append(" UNSET"); break;
  }

  out->append(" {");
  for (size_t i = 0; i < span.attributes.size(); ++i) {
    if (i) out->append(", ");
    out->append(span.attributes[i].key);
    out->push_back('=');
    AppendValue(span.attributes[i].value, out);
  }
  out->push_back('}');
  if (!span.events.empty()) out->append(" events=" + std::to_string(span.events.size()));
  if (!span.links.empty()) out->append(" links=" + std::to_string(span.links.size()));
}

}  // namespace

std::string StdoutExporter::FormatSpan(const SpanData& span) {
  std::string line;
  AppendSpan(span, &line);
  return line;
}

Status StdoutExporter::Export(std::span<const SpanData> batch, const Resource&) {
  if (out_ == nullptr) return FailedPrecondition("no output stream");
  buffer_.clear();
  for (const SpanData& span : batch) {
    AppendSpan(span, &buffer_);
    buffer_.push_back('\n');
  }
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size() ||
      std::fflush(out_) != 0) {
    std::clearerr(out_);
    return DataLoss("writing spans to the console failed");
  }
  return Status();
}

Status StdoutExporter::ForceFlush(std::chrono::milliseconds) {
  if (out_ != nullptr) std::fflush(out_);
  return Status();
}

}  // namespace callpath
