#include "sdk/export/otlp_http_response.h"

#include <cstdint>
#include <cstdlib>

namespace callpath::internal {
namespace {

constexpr size_t kMaxDescription = 200;

// A forward-only reader of the protobuf wire format.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }

  bool Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        return true;
      }
    }
    return false;
  }

  // Reads a tag; for wire type 2 also the payload into *bytes, for type 0
  // the value into *value; types 1 and 5 are skipped.
  bool Field(uint32_t* number, uint32_t* type, uint64_t* value, std::string_view* bytes) {
    uint64_t tag;
    if (!Varint(&tag)) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *type = static_cast<uint32_t>(tag & 7);
    switch (*type) {
      case 0: return Varint(value);
      case 1: return Skip(8);
      case 5: return Skip(4);
      case 2: {
        uint64_t len;
        if (!Varint(&len) || len > data_.size() - pos_) return false;
        *bytes = data_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      default: return false;  // groups are not used by OTLP
    }
  }

 private:
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= kMaxDescription) break;
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  return out;
}

// Finds `"key"` followed by ':' in `json` and returns what follows the colon
// (whitespace skipped), or npos. Good enough for the flat, machine-written
// objects receivers send; not a general JSON parser.
size_t FindJsonValue(std::string_view json, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t at = json.find(quoted); at != std::string_view::npos;
       at = json.find(quoted, at + 1)) {
    size_t p = at + quoted.size();
    while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
    if (p >= json.size() || json[p] != ':') continue;
    ++p;
    while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
    return p;
  }
  return std::string_view::npos;
}

// Reads a JSON string starting at the opening quote; simple escapes only
// (\uXXXX is kept verbatim, which is fine for a diagnostic message).
std::optional<std::string> JsonString(std::string_view json, size_t p) {
  if (p >= json.size() || json[p] != '"') return std::nullopt;
  std::string out;
  for (++p; p < json.size(); ++p) {
    char c = json[p];
    if (c == '"') return out;
    if (c == '\\' && p + 1 < json.size()) {
      char e = json[++p];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'u': out.append("\\u"); break;
        default: out.push_back(e);
      }
      continue;
    }
    out.push_back(c);
  }
  return std::nullopt;
}

// An int64 written as a JSON number or, per proto3 JSON, a decimal string.
std::optional<int64_t> JsonInt(std::string_view json, size_t p) {
  if (p >= json.size()) return std::nullopt;
  bool quoted = json[p] == '"';
  if (quoted) ++p;
  size_t start = p;
  if (p < json.size() && json[p] == '-') ++p;
  int64_t v = 0;
  size_t digits = 0;
  for (; p < json.size() && json[p] >= '0' && json[p] <= '9'; ++p, ++digits) {
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (json[p] - '0');
  }
  if (digits == 0) return std::nullopt;
  if (quoted && (p >= json.size() || json[p] != '"')) return std::nullopt;
  return json[start] == '-' ? -v : v;
}

std::optional<PartialSuccess> ParseJsonResponse(std::string_view body) {
  size_t ps = FindJsonValue(body, "partialSuccess");
  if (ps == std::string_view::npos || ps >= body.size() || body[ps] != '{') return std::nullopt;
  std::string_view inner = body.substr(ps);
  PartialSuccess out;
  bool any = false;
  for (std::string_view key : {"rejectedSpans", "rejectedLogRecords", "rejectedDataPoints"}) {
    size_t p = FindJsonValue(inner, key);
    if (p == std::string_view::npos) continue;
    if (auto v = JsonInt(inner, p)) {
      out.rejected = *v;
      any = true;
      break;
    }
  }
  size_t m = FindJsonValue(inner, "errorMessage");
  if (m != std::string_view::npos) {
    if (auto s = JsonString(inner, m)) {
      out.error_message = std::move(*s);
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

std::optional<PartialSuccess> ParseProtoResponse(std::string_view body) {
  WireReader outer(body);
  std::optional<PartialSuccess> found;
  while (!outer.done()) {
    uint32_t number, type;
    uint64_t value = 0;
    std::string_view bytes;
    if (!outer.Field(&number, &type, &value, &bytes)) return std::nullopt;
    if (number != 1 || type != 2) continue;
    PartialSuccess ps;
    WireReader inner(bytes);
    while (!inner.done()) {
      uint32_t n, t;
      uint64_t v = 0;
      std::string_view b;
      if (!inner.Field(&n, &t, &v, &b)) return std::nullopt;
      if (n == 1 && t == 0) ps.rejected = static_cast<int64_t>(v);
      if (n == 2 && t == 2) ps.error_message.assign(b);
    }
    found = std::move(ps);  // the last occurrence wins, as protobuf merges
  }
  return found;
}

}  // namespace

std::optional<PartialSuccess> ParseExportResponse(std::string_view body, bool json) {
  if (body.empty()) return std::nullopt;
  return json ? ParseJsonResponse(body) : ParseProtoResponse(body);
}

std::string DescribeErrorBody(std::string_view body, bool json) {
  if (body.empty()) return {};
  if (json) {
    size_t m = FindJsonValue(body, "message");
    if (m != std::string_view::npos) {
      if (auto s = JsonString(body, m)) return Printable(*s);
    }
    return Printable(body);
  }
  // google.rpc.Status: code = 1 (varint), message = 2 (string).
  WireReader r(body);
  while (!r.done()) {
    uint32_t number, type;
    uint64_t value = 0;
    std::string_view bytes;
    if (!r.Field(&number, &type, &value, &bytes)) break;
    if (number == 2 && type == 2) return Printable(bytes);
  }
  return Printable(body);
}

}  // namespace callpath::internal
