#include "daemon/sampling/sampling_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "daemon/config.h"

namespace callpath::daemon::sampling {

namespace {

template <typename T>
Status As(const YAML::Node& node, const std::string& key, T* out) {
  try {
    *out = node.as<T>();
    return Status::Ok();
  } catch (const std::exception&) {
    return InvalidArgument("tail_sampling key '" + key + "' has the wrong type");
  }
}

// "250ms", or what ParseDurationSeconds takes ("10s", "1m", bare seconds).
Status Duration(const YAML::Node& node, const std::string& key, uint64_t* ns) {
  std::string text;
  CALLPATH_RETURN_IF_ERROR(As(node, key, &text));
  if (text.size() > 2 && text.ends_with("ms")) {
    uint64_t ms = 0;
    for (char c : std::string_view(text).substr(0, text.size() - 2)) {
      if (c < '0' || c > '9' || ms > 1'000'000'000ull) {
        return InvalidArgument("tail_sampling key '" + key + "': '" + text + "' is not a duration");
      }
      ms = ms * 10 + static_cast<uint64_t>(c - '0');
    }
    *ns = ms * 1'000'000ull;
    return Status::Ok();
  }
  Result<uint64_t> s = ParseDurationSeconds(text);
  if (!s.ok()) return InvalidArgument("tail_sampling key '" + key + "': " + s.status().message());
  *ns = *s * 1'000'000'000ull;
  return Status::Ok();
}

Result<PolicyType> TypeNamed(const std::string& name) {
  static const std::pair<const char*, PolicyType> kTypes[] = {
      {"always_sample", PolicyType::kAlwaysSample},   {"status_code", PolicyType::kStatusCode},
      {"latency", PolicyType::kLatency},               {"probabilistic", PolicyType::kProbabilistic},
      {"rate_limiting", PolicyType::kRateLimiting},   {"string_attribute", PolicyType::kStringAttribute},
      {"numeric_attribute", PolicyType::kNumericAttribute}, {"and", PolicyType::kAnd},
      {"composite", PolicyType::kComposite},
  };
  for (const auto& [n, t] : kTypes)
    if (name == n) return t;
  return InvalidArgument("tail_sampling policy type '" + name +
                         "' is unknown (always_sample, status_code, latency, probabilistic, rate_limiting, "
                         "string_attribute, numeric_attribute, and, composite)");
}

Status ParsePolicy(const YAML::Node& node, const std::string& where, PolicyConfig* out);

// The settings mapping of a policy (`latency: {threshold_ms: 500}`).
Status ParseSettings(const YAML::Node& s, const std::string& where, PolicyConfig* p) {
  if (!s.IsMap()) return InvalidArgument("tail_sampling " + where + " must be a mapping");
  for (const auto& kv : s) {
    const std::string key = kv.first.as<std::string>();
    const std::string at = where + "." + key;
    const YAML::Node& v = kv.second;
    if (p->type == PolicyType::kStatusCode && key == "status_codes") {
      if (!v.IsSequence()) return InvalidArgument("tail_sampling " + at + " must be a list");
      for (const auto& c : v) {
        std::string code;
        CALLPATH_RETURN_IF_ERROR(As(c, at, &code));
        if (code == "ERROR") p->status_codes.push_back(store::SpanStatus::kError);
        else if (code == "OK") p->status_codes.push_back(store::SpanStatus::kOk);
        else if (code == "UNSET") p->status_codes.push_back(store::SpanStatus::kUnset);
        else return InvalidArgument("tail_sampling " + at + ": '" + code + "' is not ERROR, OK or UNSET");
      }
    } else if (p->type == PolicyType::kLatency && (key == "threshold_ms" || key == "upper_threshold_ms")) {
      uint64_t ms = 0;
      CALLPATH_RETURN_IF_ERROR(As(v, at, &ms));
      (key == "threshold_ms" ? p->threshold_ns : p->upper_threshold_ns) = ms * 1'000'000ull;
    } else if (p->type == PolicyType::kProbabilistic && key == "sampling_percentage") {
      CALLPATH_RETURN_IF_ERROR(As(v, at, &p->sampling_percentage));
      if (p->sampling_percentage < 0 || p->sampling_percentage > 100) {
        return InvalidArgument("tail_sampling " + at + " must be within 0..100");
      }
    } else if (p->type == PolicyType::kRateLimiting && key == "spans_per_second") {
      CALLPATH_RETURN_IF_ERROR(As(v, at, &p->spans_per_second));
    } else if (p->type == PolicyType::kRateLimiting && key == "traces_per_second") {
      CALLPATH_RETURN_IF_ERROR(As(v, at, &p->traces_per_second));
    } else if ((p->type == PolicyType::kStringAttribute || p->type == PolicyType::kNumericAttribute) &&
               (key == "key" || key == "invert_match")) {
      CALLPATH_RETURN_IF_ERROR(key == "key" ? As(v, at, &p->key) : As(v, at, &p->invert_match));
    } else if (p->type == PolicyType::kStringAttribute && key == "values") {
      CALLPATH_RETURN_IF_ERROR(As(v, at, &p->values));
    } else if (p->type == PolicyType::kNumericAttribute && (key == "min_value" || key == "max_value")) {
      CALLPATH_RETURN_IF_ERROR(As(v, at, key == "min_value" ? &p->min_value : &p->max_value));
    } else if ((p->type == PolicyType::kAnd && key == "and_sub_policy") ||
               (p->type == PolicyType::kComposite && key == "composite_sub_policy")) {
      if (!v.IsSequence() || v.size() == 0) return InvalidArgument("tail_sampling " + at + " must be a non-empty list");
      for (size_t i = 0; i < v.size(); ++i) {
        PolicyConfig& sub = p->sub_policies.emplace_back();
        CALLPATH_RETURN_IF_ERROR(ParsePolicy(v[i], at + "[" + std::to_string(i) + "]", &sub));
      }
    } else {
      return InvalidArgument("tail_sampling key '" + at + "' is unknown for this policy type");
    }
  }
  return Status::Ok();
}

// What each type cannot do without.
Status CheckComplete(const PolicyConfig& p, const std::string& where) {
  auto missing = [&](const char* what) { return InvalidArgument("tail_sampling " + where + " needs " + what); };
  switch (p.type) {
    case PolicyType::kStatusCode:
      return p.status_codes.empty() ? missing("status_code.status_codes") : Status::Ok();
    case PolicyType::kLatency:
      if (p.upper_threshold_ns != 0 && p.upper_threshold_ns <= p.threshold_ns) {
        return InvalidArgument("tail_sampling " + where + ": upper_threshold_ms must exceed threshold_ms");
      }
      return p.threshold_ns == 0 && p.upper_threshold_ns == 0 ? missing("latency.threshold_ms") : Status::Ok();
    case PolicyType::kRateLimiting:
      return p.spans_per_second > 0 || p.traces_per_second > 0
                 ? Status::Ok()
                 : missing("rate_limiting.spans_per_second or traces_per_second > 0");
    case PolicyType::kStringAttribute:
      return p.key.empty() || p.values.empty() ? missing("string_attribute.key and values") : Status::Ok();
    case PolicyType::kNumericAttribute:
      return p.key.empty() ? missing("numeric_attribute.key") : Status::Ok();
    case PolicyType::kAnd:
    case PolicyType::kComposite:
      return p.sub_policies.empty() ? missing("sub-policies") : Status::Ok();
    default:
      return Status::Ok();
  }
}

Status ParsePolicy(const YAML::Node& node, const std::string& where, PolicyConfig* p) {
  if (!node.IsMap()) return InvalidArgument("tail_sampling " + where + " must be a mapping {name, type, ...}");
  std::string type;
  if (!node["type"]) return InvalidArgument("tail_sampling " + where + " has no type");
  CALLPATH_RETURN_IF_ERROR(As(node["type"], where + ".type", &type));
  Result<PolicyType> t = TypeNamed(type);
  if (!t.ok()) return t.status();
  p->type = *t;
  p->name = type;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (key == "type") continue;
    if (key == "name") {
      CALLPATH_RETURN_IF_ERROR(As(kv.second, where + ".name", &p->name));
    } else if (key == type) {
      CALLPATH_RETURN_IF_ERROR(ParseSettings(kv.second, where + "." + key, p));
    } else {
      return InvalidArgument("tail_sampling key '" + where + "." + key + "' is unknown (name, type, " + type + ")");
    }
  }
  return CheckComplete(*p, where + " (" + p->name + ")");
}

}  // namespace

Status ParseSamplingConfig(const YAML::Node& node, SamplingConfig* out) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return InvalidArgument("config key 'tail_sampling' must be a mapping");
  bool max_wait_given = false;
  for (const auto& kv : node) {
    std::string key;
    CALLPATH_RETURN_IF_ERROR(As(kv.first, "tail_sampling", &key));
    const YAML::Node& v = kv.second;
    Status s;
    if (key == "decision_wait") s = Duration(v, key, &out->decision_wait_ns);
    else if (key == "max_decision_wait") {
      s = Duration(v, key, &out->max_decision_wait_ns);
      max_wait_given = true;
    }
    else if (key == "max_traces") s = As(v, key, &out->max_traces);
    else if (key == "decision_cache") s = As(v, key, &out->decision_cache);
    else if (key == "logs_follow_trace") s = As(v, key, &out->logs_follow_trace);
    else if (key == "policies") {
      if (!v.IsSequence()) return InvalidArgument("tail_sampling key 'policies' must be a list");
      out->policies.clear();
      for (size_t i = 0; i < v.size(); ++i) {
        PolicyConfig& p = out->policies.emplace_back();
        s = ParsePolicy(v[i], "policies[" + std::to_string(i) + "]", &p);
        if (!s.ok()) break;
      }
    } else {
      return InvalidArgument("tail_sampling key '" + key +
                             "' is unknown (decision_wait, max_decision_wait, max_traces, decision_cache, "
                             "logs_follow_trace, policies)");
    }
    CALLPATH_RETURN_IF_ERROR(s);
  }
  if (out->max_traces == 0) return InvalidArgument("tail_sampling.max_traces must be > 0");
  if (!max_wait_given) out->max_decision_wait_ns = std::max(out->max_decision_wait_ns, 6 * out->decision_wait_ns);
  if (out->max_decision_wait_ns < out->decision_wait_ns) {
    return InvalidArgument("tail_sampling.max_decision_wait must be at least decision_wait");
  }
  return Status::Ok();
}

}  // namespace callpath::daemon::sampling
