// ParseRedactionYaml (redactor.h): the YAML form of a RedactionConfig.
#include <yaml-cpp/yaml.h>

#include "redact/redactor.h"

namespace callpath::redact {
namespace {

Status ReadDetectors(const YAML::Node& node, RedactionPolicy* p) {
  if (!node.IsMap()) return InvalidArgument("'detectors' must map a detector to an action");
  for (const auto& kv : node) {
    std::string name = kv.first.as<std::string>(), action_name = kv.second.as<std::string>();
    Kind kind;
    Action action;
    if (!ParseKind(name, &kind) || kind == Kind::kCustom) {
      return InvalidArgument("unknown detector '" + name +
                             "' (email, phone, card, iban, ipv4, ipv6, jwt, bearer, url_credentials)");
    }
    if (!ParseAction(action_name, &action)) {
      return InvalidArgument("detector " + name + ": unknown action '" + action_name + "' (off, redact, hash, drop)");
    }
    p->detectors[static_cast<size_t>(kind)] = action;
  }
  return Status::Ok();
}

Status ReadPolicy(const YAML::Node& node, RedactionPolicy* p, bool top_level) {
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "detectors") {
      CALLPATH_RETURN_IF_ERROR(ReadDetectors(v, p));
    } else if (key == "keys") {
      if (!v.IsMap()) return InvalidArgument("'keys' must map an attribute key to an action");
      for (const auto& k : v) {
        Action a;
        if (!ParseAction(k.second.as<std::string>(), &a)) {
          return InvalidArgument("key " + k.first.as<std::string>() + ": unknown action");
        }
        p->keys.emplace_back(k.first.as<std::string>(), a);
      }
    } else if (key == "rules") {
      if (!v.IsSequence()) return InvalidArgument("'rules' must be a list of {name, pattern, action}");
      for (const auto& r : v) {
        CustomRule rule;
        rule.name = r["name"] ? r["name"].as<std::string>() : "custom";
        if (!r["pattern"]) return InvalidArgument("rule '" + rule.name + "' has no pattern");
        rule.pattern = r["pattern"].as<std::string>();
        std::string action = r["action"] ? r["action"].as<std::string>() : "redact";
        if (!ParseAction(action, &rule.action)) return InvalidArgument("rule '" + rule.name + "': unknown action");
        p->rules.push_back(std::move(rule));
      }
    } else if (!top_level || (key != "enabled" && key != "hash_key" && key != "services")) {
      return InvalidArgument("unknown redaction key '" + key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RedactionConfig> ParseRedactionYaml(std::string_view yaml) {
  RedactionConfig cfg;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return cfg;
    if (!root.IsMap()) return InvalidArgument("redaction config must be a YAML mapping");
    if (root["enabled"]) cfg.enabled = root["enabled"].as<bool>();
    if (root["hash_key"]) cfg.hash_key = root["hash_key"].as<std::string>();
    CALLPATH_RETURN_IF_ERROR(ReadPolicy(root, &cfg.defaults, true));
    if (const YAML::Node services = root["services"]) {
      if (!services.IsMap()) return InvalidArgument("'services' must map a service name to a policy");
      for (const auto& kv : services) {
        RedactionPolicy p = cfg.defaults;
        Status s = ReadPolicy(kv.second, &p, false);
        if (!s.ok()) return InvalidArgument("service " + kv.first.as<std::string>() + ": " + s.message());
        cfg.services[kv.first.as<std::string>()] = std::move(p);
      }
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("redaction config: ") + e.what());
  }
  return cfg;
}

}  // namespace callpath::redact
