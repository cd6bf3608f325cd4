// Reading values out of the gateway's YAML config with errors that say
// where: the helpers every config section's parser shares.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "callpath/status.h"
#include "gateway/config.h"

namespace callpath::gateway::config_yaml {

// A config error tied to a node's position in the document.
class Errors {
 public:
  explicit Errors(std::string_view source) : source_(source) {}

  Status At(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    std::string where(source_);
    if (!mark.is_null()) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    return InvalidArgument(where + ": " + message);
  }
  Status Plain(const std::string& message) const {
    return InvalidArgument(std::string(source_) + ": " + message);
  }

 private:
  std::string_view source_;
};

// A scalar's text; "" for a map, list or null.
std::string Scalar(const YAML::Node& node);

// Rejects keys that the section does not know, so a typo ("retires") is an
// error instead of a silently ignored setting.
Status CheckKeys(const Errors& err, const YAML::Node& map, std::string_view section,
                 std::initializer_list<std::string_view> known);

Status ExpectMap(const Errors& err, const YAML::Node& node, const std::string& what);

Status ReadString(const Errors& err, const YAML::Node& node, const std::string& what,
                  std::string& out);

// An integer in [lo, hi].
Status ReadInt(const Errors& err, const YAML::Node& node, const std::string& what, int64_t lo,
               int64_t hi, int64_t& out);

// An integer in [lo, hi], stored as T.
template <typename T>
Status ReadIntAs(const Errors& err, const YAML::Node& node, const std::string& what, int64_t lo,
                 int64_t hi, T& out) {
  int64_t v = 0;
  CALLPATH_RETURN_IF_ERROR(ReadInt(err, node, what, lo, hi, v));
  out = static_cast<T>(v);
  return Status::Ok();
}

// true/yes/on or false/no/off.
Status ReadBool(const Errors& err, const YAML::Node& node, const std::string& what, bool& out);

// A duration as ParseDuration reads it.
Status ReadDuration(const Errors& err, const YAML::Node& node, const std::string& what,
                    Millis& out);

// host:port as ParseHostPort reads it.
Status ReadHostPort(const Errors& err, const YAML::Node& node, const std::string& what,
                    HostPort& out);

}  // namespace callpath::gateway::config_yaml
