// Members of a simdjson DOM object, read the way the CLI reads the
// daemon's answers: leniently, with error codes only. A member that is
// missing or of another type reads as empty, 0 or false, so an answer
// from a newer or older daemon still shows what it has.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace callpath::cli::json {

inline std::string Str(const simdjson::dom::object& o, std::string_view key) {
  std::string_view v;
  if (o.at_key(key).get_string().get(v)) return {};
  return std::string(v);
}

// Also takes a number written as a double (1.7e18), as JSON writers of
// other languages may.
inline uint64_t Uint(const simdjson::dom::object& o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e)) return 0;
  uint64_t u;
  if (!e.get_uint64().get(u)) return u;
  double d;
  if (!e.get_double().get(d) && d > 0 && d < 1.8e19) return static_cast<uint64_t>(d);
  return 0;
}

inline int64_t Int(const simdjson::dom::object& o, std::string_view key) {
  int64_t v;
  if (o.at_key(key).get_int64().get(v)) return 0;
  return v;
}

inline double Num(const simdjson::dom::object& o, std::string_view key) {
  double d;
  if (o.at_key(key).get_double().get(d)) return 0;
  return d;
}

inline bool Bool(const simdjson::dom::object& o, std::string_view key) {
  bool v;
  if (o.at_key(key).get_bool().get(v)) return false;
  return v;
}

}  // namespace callpath::cli::json
