// fuzz_logparse_multiline: the input's lines through the joiner. Every
// input byte except the line breaks comes out exactly once, in order, and
// each record's end offset is the end of its last line.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logparse/multiline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  callpath::logparse::MultilineOptions options;
  options.max_lines = 4;
  options.max_bytes = 64;
  callpath::logparse::MultilineJoiner joiner(options);
  std::string seen;
  auto take = [&](const callpath::logparse::JoinedRecord& r) {
    if (r.end_offset > size) std::abort();
    for (char c : r.text)
      if (c != '\n') seen.push_back(c);
  };
  size_t start = 0;
  while (start < in.size()) {
    size_t nl = in.find('\n', start);
    size_t end = nl == std::string_view::npos ? in.size() : nl + 1;
    std::string_view line = in.substr(start, (nl == std::string_view::npos ? in.size() : nl) - start);
    if (auto r = joiner.Add(line, start, end)) take(*r);
    start = end;
  }
  if (auto r = joiner.Flush()) take(*r);
  std::string expected;
  for (char c : in)
    if (c != '\n') expected.push_back(c);
  if (seen != expected) std::abort();
  return 0;
}
