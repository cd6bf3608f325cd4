#include "gateway/config_yaml.h"

#include <algorithm>
#include <charconv>

namespace callpath::gateway::config_yaml {

std::string Scalar(const YAML::Node& node) {
  return node.IsScalar() ? node.Scalar() : std::string();
}

Status CheckKeys(const Errors& err, const YAML::Node& map, std::string_view section,
                 std::initializer_list<std::string_view> known) {
  for (const auto& kv : map) {
    std::string key = Scalar(kv.first);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return err.At(kv.first, "unknown key '" + key + "' in " + std::string(section) +
                                  " (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Status ExpectMap(const Errors& err, const YAML::Node& node, const std::string& what) {
  if (!node.IsMap()) return err.At(node, what + " must be a mapping (key: value)");
  return Status::Ok();
}

Status ReadString(const Errors& err, const YAML::Node& node, const std::string& what,
                  std::string& out) {
  if (!node.IsScalar()) return err.At(node, what + " must be a string");
  out = node.Scalar();
  return Status::Ok();
}

Status ReadInt(const Errors& err, const YAML::Node& node, const std::string& what, int64_t lo,
               int64_t hi, int64_t& out) {
  std::string s = Scalar(node);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return err.At(node, what + " must be an integer, got '" + s + "'");
  }
  if (v < lo || v > hi) {
    return err.At(node, what + " must be in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "], got " + s);
  }
  out = v;
  return Status::Ok();
}

Status ReadBool(const Errors& err, const YAML::Node& node, const std::string& what, bool& out) {
  std::string s = Scalar(node);
  if (s == "true" || s == "yes" || s == "on") {
    out = true;
  } else if (s == "false" || s == "no" || s == "off") {
    out = false;
  } else {
    return err.At(node, what + " must be true or false, got '" + s + "'");
  }
  return Status::Ok();
}

Status ReadDuration(const Errors& err, const YAML::Node& node, const std::string& what,
                    Millis& out) {
  Result<Millis> d = ParseDuration(Scalar(node));
  if (!d.ok()) return err.At(node, what + ": " + d.status().message());
  out = *d;
  return Status::Ok();
}

Status ReadHostPort(const Errors& err, const YAML::Node& node, const std::string& what,
                    HostPort& out) {
  Result<HostPort> hp = ParseHostPort(Scalar(node));
  if (!hp.ok()) return err.At(node, what + ": " + hp.status().message());
  out = *hp;
  return Status::Ok();
}

}  // namespace callpath::gateway::config_yaml
