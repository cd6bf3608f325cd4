#include "text/json_writer.h"

#include <charconv>
#include <cmath>

#include "text/base64.h"
#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::text {

void JsonWriter::AppendQuoted(std::string_view s) { text::AppendJsonQuoted(s, out_); }

void JsonWriter::Int64(int64_t v) {
  Value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Uint64(uint64_t v) {
  Value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Int64AsString(int64_t v) {
  Value();
  char buf[24];
  buf[0] = '"';
  auto r = std::to_chars(buf + 1, buf + sizeof buf - 1, v);
  *r.ptr = '"';
  out_->append(buf, r.ptr + 1);
}

void JsonWriter::Uint64AsString(uint64_t v) {
  Value();
  char buf[24];
  buf[0] = '"';
  auto r = std::to_chars(buf + 1, buf + sizeof buf - 1, v);
  *r.ptr = '"';
  out_->append(buf, r.ptr + 1);
}

void JsonWriter::Double(double v) {
  Value();
  if (std::isnan(v)) {
    out_->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out_->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
  }
}

void JsonWriter::Base64(std::string_view bytes) {
  Value();
  out_->push_back('"');
  text::AppendBase64(bytes, out_);
  out_->push_back('"');
}

void JsonWriter::Hex(std::string_view bytes) {
  Value();
  out_->push_back('"');
  text::AppendHex(bytes, out_);
  out_->push_back('"');
}

}  // namespace callpath::text
