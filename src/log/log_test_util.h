// Helpers shared by the logger's tests: scratch directories, reading files,
// and strict JSON parsing with simdjson.
#pragma once

#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace callpath::log::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "callpath_log_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines without their '\n'; a trailing partial line is returned too.
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::string all = ReadFile(path);
  size_t start = 0;
  while (start < all.size()) {
    size_t nl = all.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(all.substr(start));
      break;
    }
    lines.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Parses one JSON document strictly (simdjson validates UTF-8 too).
// Returns false when `text` is not exactly one valid JSON object.
inline bool ParseObject(simdjson::dom::parser& parser, const std::string& text,
                        simdjson::dom::object* out) {
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) return false;
  return doc.get_object().get(*out) == simdjson::SUCCESS;
}

inline std::string GetString(simdjson::dom::object obj, const char* key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return "<missing>";
  return std::string(v);
}

}  // namespace callpath::log::testing
