#include "otlp/wire/json_writer.h"

#include <charconv>
#include <cmath>

#include "callpath/otlp/utf8.h"

namespace callpath::otlp {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

void JsonWriter::AppendQuotedString(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      int n = Utf8SequenceLength(s, i);
      if (n > 0) {
        i += static_cast<size_t>(n);
        continue;
      }
      out->append(s.data() + run, i - run);
      out->append(kReplacement);
      i += static_cast<size_t>(-n);
      run = i;
      continue;
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
        out->append(esc, 6);
      }
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

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
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Value();
  out_->push_back('"');
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    const char q[4] = {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
                       kAlphabet[n & 63]};
    out_->append(q, 4);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = at(i) << 16;
    const char q[4] = {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
    out_->append(q, 4);
  } else if (rest == 2) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
    const char q[4] = {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
    out_->append(q, 4);
  }
  out_->push_back('"');
}

void JsonWriter::Hex(std::string_view bytes) {
  Value();
  out_->push_back('"');
  for (char ch : bytes) {
    const uint8_t b = static_cast<uint8_t>(ch);
    const char pair[2] = {kHexDigits[b >> 4], kHexDigits[b & 0xf]};
    out_->append(pair, 2);
  }
  out_->push_back('"');
}

}  // namespace callpath::otlp
