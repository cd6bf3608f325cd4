// fuzz_log_json: arbitrary bytes as the message, logger name, field keys
// and values (of every field type) must always give exactly one line of
// valid JSON (simdjson also checks the UTF-8), never a crash.
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/log/field.h"
#include "callpath/log/record.h"
#include "log/field_codec.h"
#include "log/format.h"

namespace {

using callpath::log::Field;
using callpath::log::Object;

// Cuts the input into pieces at 0xff bytes; a piece's first byte picks the
// field type of the value that follows.
std::vector<std::string_view> Split(const uint8_t* data, size_t size) {
  std::vector<std::string_view> parts;
  const char* p = reinterpret_cast<const char*>(data);
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0xff) {
      parts.emplace_back(p + start, i - start);
      start = i + 1;
    }
  }
  return parts;
}

uint64_t Bits(std::string_view s) {
  uint64_t v = 0;
  if (!s.empty()) std::memcpy(&v, s.data(), std::min<size_t>(8, s.size()));
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = Split(data, size);
  std::string_view message = parts[0];
  std::string_view logger = parts.size() > 1 ? parts[1] : std::string_view();
  std::runtime_error error(parts.size() > 2 ? std::string(parts[2]) : std::string());

  std::string encoded;
  uint32_t count = 0;
  auto add = [&](const Field& f) {
    size_t at = encoded.size();
    encoded.resize(at + callpath::log::detail::EncodedSize(f));
    callpath::log::detail::EncodeField(f, encoded.data() + at);
    ++count;
  };
  for (size_t i = 2; i + 1 < parts.size(); i += 2) {
    std::string_view key = parts[i], value = parts[i + 1];
    uint8_t kind = value.empty() ? 0 : static_cast<uint8_t>(value[0]) % 9;
    uint64_t bits = Bits(value);
    double d;
    std::memcpy(&d, &bits, sizeof d);  // includes NaN and infinities
    switch (kind) {
      case 0: add(Field(key, value)); break;
      case 1: add(Field(key, static_cast<int64_t>(bits))); break;
      case 2: add(Field(key, bits)); break;
      case 3: add(Field(key, d)); break;
      case 4: add(Field(key, (bits & 1) != 0)); break;
      case 5: add(Field(key, std::chrono::nanoseconds(static_cast<int64_t>(bits)))); break;
      case 6: add(Field(key, error)); break;
      case 7: add(Field(key, Object{{key, value}, {"n", static_cast<int64_t>(bits)}})); break;
      default: add(Field(key, Object{{value, Object{{key, d}}}})); break;
    }
  }

  callpath::log::Record r;
  r.time_unix_nano = Bits(logger);
  r.level = static_cast<callpath::log::Level>(size % 6);
  r.logger = logger;
  r.message = message;
  r.service_name = parts.size() > 3 ? parts[3] : std::string_view("svc");
  r.file = parts.size() > 4 ? parts[4] : std::string_view("f.cc");
  r.line = static_cast<uint32_t>(size);
  r.fields = callpath::log::FieldList(encoded.data(), encoded.size(), count);

  callpath::log::Buffer out;
  callpath::log::detail::AppendJsonLine(r, out);
  std::string_view line = out.view();
  // Exactly one line: one '\n', at the end.
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto parse_error = parser.parse(line.data(), line.size() - 1).get(doc);
  if (parse_error != simdjson::SUCCESS) {
    std::fprintf(stderr, "invalid JSON (%s): %.*s\n", simdjson::error_message(parse_error),
                 static_cast<int>(line.size()), line.data());
    std::abort();
  }
  if (!doc.is_object()) std::abort();
  return 0;
}
