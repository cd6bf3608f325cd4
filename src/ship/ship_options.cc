#include "ship/ship_options.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

namespace callpath::ship {
namespace {

constexpr char kUsage[] =
    "usage: callpath-ship --endpoint URL --checkpoint-dir DIR --path GLOB [--path GLOB ...]\n"
    "                     [--format auto|json|logfmt|text|regex:PATTERN|regex:combined|regex:logback]\n"
    "                     [--service NAME] [--resource KEY=VALUE ...] [--no-multiline] [--no-gzip]\n"
    "                     [--batch-records N] [--batch-bytes N] [--poll-ms N] [--finish-after-ms N]\n"
    "                     [--max-backoff-ms N] [--once]\n"
    "       callpath-ship --config FILE   (YAML with the same names as keys)\n"
    "Follows log files (rotation by rename and copy-truncate included), parses each line and\n"
    "sends the records as OTLP logs; offsets are checkpointed only after the receiver stored them.\n";

Status ParseCount(std::string_view flag, std::string_view text, uint64_t* out) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || *out == 0)
    return InvalidArgument(std::string(flag) + ": expected a positive number, got '" + std::string(text) + "'");
  return Status::Ok();
}

Status AddResource(std::string_view kv, ShipOptions* out) {
  size_t eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0) return InvalidArgument("--resource: expected KEY=VALUE, got '" + std::string(kv) + "'");
  out->resource.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  return Status::Ok();
}

// Applies one option by its long name; `value` is unused for switches.
Status Apply(std::string_view name, std::string_view value, ShipOptions* out) {
  uint64_t n = 0;
  if (name == "endpoint") out->endpoint = value;
  else if (name == "checkpoint-dir") out->checkpoint_dir = value;
  else if (name == "path") out->paths.emplace_back(value);
  else if (name == "format") out->format = value;
  else if (name == "service") out->service = value;
  else if (name == "resource") return AddResource(value, out);
  else if (name == "batch-records") {
    CALLPATH_RETURN_IF_ERROR(ParseCount(name, value, &n));
    out->batch_max_records = n;
  } else if (name == "batch-bytes") {
    CALLPATH_RETURN_IF_ERROR(ParseCount(name, value, &n));
    out->batch_max_bytes = n;
  } else if (name == "poll-ms") {
    CALLPATH_RETURN_IF_ERROR(ParseCount(name, value, &n));
    out->poll_interval = std::chrono::milliseconds(n);
  } else if (name == "finish-after-ms") {
    CALLPATH_RETURN_IF_ERROR(ParseCount(name, value, &n));
    out->finish_after = std::chrono::milliseconds(n);
  } else if (name == "max-backoff-ms") {
    CALLPATH_RETURN_IF_ERROR(ParseCount(name, value, &n));
    out->max_backoff = std::chrono::milliseconds(n);
  } else {
    return InvalidArgument("unknown option --" + std::string(name));
  }
  return Status::Ok();
}

bool IsSwitch(std::string_view name) {
  return name == "no-multiline" || name == "no-gzip" || name == "once" || name == "help";
}

void ApplySwitch(std::string_view name, ShipOptions* out) {
  if (name == "no-multiline") out->multiline = false;
  if (name == "no-gzip") out->gzip = false;
  if (name == "once") out->once = true;
}

}  // namespace

Status ValidateShipOptions(ShipOptions* out) {
  if (out->endpoint.empty()) return InvalidArgument("--endpoint is required (e.g. http://127.0.0.1:4318/v1/logs)");
  if (out->endpoint.rfind("http://", 0) != 0 && out->endpoint.rfind("https://", 0) != 0)
    return InvalidArgument("--endpoint must be an http:// or https:// URL");
  // A bare "http://host:port" means the OTLP/HTTP logs path on it.
  size_t scheme_end = out->endpoint.find("://") + 3;
  if (out->endpoint.find('/', scheme_end) == std::string::npos) out->endpoint += "/v1/logs";
  if (out->checkpoint_dir.empty()) return InvalidArgument("--checkpoint-dir is required");
  if (out->paths.empty()) return InvalidArgument("at least one --path GLOB is required");
  return Status::Ok();
}

Status LoadShipConfigFile(const std::string& path, ShipOptions* out) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  if (!root.IsMap()) return InvalidArgument(path + ": expected a map of options");
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "paths" || key == "path") {
        if (v.IsSequence()) {
          for (const auto& p : v) out->paths.push_back(p.as<std::string>());
        } else {
          out->paths.push_back(v.as<std::string>());
        }
      } else if (key == "resource") {
        if (!v.IsMap()) return InvalidArgument(path + ": resource must be a map");
        for (const auto& r : v) out->resource.emplace_back(r.first.as<std::string>(), r.second.as<std::string>());
      } else if (key == "multiline") {
        out->multiline = v.as<bool>();
      } else if (key == "gzip") {
        out->gzip = v.as<bool>();
      } else {
        CALLPATH_RETURN_IF_ERROR(Apply(key, v.as<std::string>(), out));
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  return Status::Ok();
}

Status ParseShipArgs(int argc, const char* const* argv, ShipOptions* out, bool* help, std::string* usage) {
  *help = false;
  *usage = kUsage;
  ShipOptions flags;
  std::string config;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("--", 0) != 0) return InvalidArgument("unexpected argument '" + std::string(arg) + "'");
    std::string_view name = arg.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string_view::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (IsSwitch(name)) {
      if (name == "help") *help = true;
      ApplySwitch(name, &flags);
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) return InvalidArgument("--" + std::string(name) + " needs a value");
      value = argv[++i];
    }
    if (name == "config") config = value;
    else CALLPATH_RETURN_IF_ERROR(Apply(name, value, &flags));
  }
  if (*help) return Status::Ok();
  if (!config.empty()) {
    CALLPATH_RETURN_IF_ERROR(LoadShipConfigFile(config, out));
    // Flags win over the file.
    if (!flags.endpoint.empty()) out->endpoint = flags.endpoint;
    if (!flags.checkpoint_dir.empty()) out->checkpoint_dir = flags.checkpoint_dir;
    for (auto& p : flags.paths) out->paths.push_back(p);
    if (flags.format != "auto") out->format = flags.format;
    if (!flags.service.empty()) out->service = flags.service;
    for (auto& r : flags.resource) out->resource.push_back(r);
    if (!flags.multiline) out->multiline = false;
    if (!flags.gzip) out->gzip = false;
    if (flags.once) out->once = true;
  } else {
    *out = std::move(flags);
  }
  return ValidateShipOptions(out);
}

}  // namespace callpath::ship
