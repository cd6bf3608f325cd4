#include "sdk/env.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace callpath::env {

std::optional<std::string> Get(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Warn(std::string_view message) {
  std::fprintf(stderr, "callpath: %.*s\n", static_cast<int>(message.size()), message.data());
}

bool GetBool(const char* name, bool fallback) {
  auto v = Get(name);
  if (!v) return fallback;
  std::string l = Lower(*v);
  if (l == "true") return true;
  if (l != "false") Warn(std::string(name) + "=" + *v + " is not a boolean; taken as false");
  return false;
}

std::optional<int64_t> GetInt(const char* name) {
  auto v = Get(name);
  if (!v) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (errno != 0 || end == v->c_str() || *end != '\0' || n < 0) {
    Warn(std::string(name) + "=" + *v + " is not a non-negative integer; ignored");
    return std::nullopt;
  }
  return static_cast<int64_t>(n);
}

std::optional<double> GetDouble(const char* name) {
  auto v = Get(name);
  if (!v) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (errno != 0 || end == v->c_str() || *end != '\0') {
    Warn(std::string(name) + "=" + *v + " is not a number; ignored");
    return std::nullopt;
  }
  return d;
}

}  // namespace callpath::env
