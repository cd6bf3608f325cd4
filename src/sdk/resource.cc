#include <unistd.h>

#include <optional>
#include <string>

#include "callpath/span_data.h"
#include "callpath/version.h"
#include "sdk/env.h"
#include "sdk/export/env_config.h"

namespace callpath {

namespace {

constexpr std::string_view kServiceName = "service.name";

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// OTEL_RESOURCE_ATTRIBUTES: "k1=v1,k2=v2", keys and values percent-decoded.
// Any member that does not decode invalidates the whole variable (spec).
std::optional<std::vector<Attribute>> ParseResourceAttributes(std::string_view text) {
  std::vector<Attribute> attrs;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view member = TrimOws(text.substr(0, comma));
    if (!member.empty()) {
      const size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      auto key = internal::PercentDecode(TrimOws(member.substr(0, eq)));
      auto value = internal::PercentDecode(TrimOws(member.substr(eq + 1)));
      if (!key || !value || key->empty()) return std::nullopt;
      attrs.push_back(Attribute{std::move(*key), std::move(*value)});
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return attrs;
}

std::string ExecutableName() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
  if (n <= 0) return {};
  std::string_view path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::string_view Resource::service_name() const noexcept {
  for (const Attribute& a : attributes) {
    if (a.key != kServiceName) continue;
    if (const auto* s = std::get_if<std::string>(&a.value)) return *s;
  }
  return {};
}

Resource Resource::Merge(const Resource& other) const {
  Resource merged = *this;
  for (const Attribute& a : other.attributes) {
    bool replaced = false;
    for (Attribute& m : merged.attributes) {
      if (m.key == a.key) {
        m.value = a.value;
        replaced = true;
        break;
      }
    }
    if (!replaced) merged.attributes.push_back(a);
  }
  return merged;
}

Resource Resource::FromEnvironment() {
  Resource sdk;
  sdk.attributes = {
      {std::string(kServiceName), std::string()},  // filled in below
      {"telemetry.sdk.language", std::string("cpp")},
      {"telemetry.sdk.name", std::string("callpath")},
      {"telemetry.sdk.version", std::string(kVersion)},
  };

  Resource from_env;
  if (auto text = env::Get("OTEL_RESOURCE_ATTRIBUTES")) {
    if (auto attrs = ParseResourceAttributes(*text)) {
      from_env.attributes = std::move(*attrs);
    } else {
      env::Warn("OTEL_RESOURCE_ATTRIBUTES is not a valid k=v,k=v list (percent-encoded); ignored");
    }
  }
  Resource merged = sdk.Merge(from_env);

  std::string service;
  if (auto name = env::Get("OTEL_SERVICE_NAME")) {
    service = *name;  // wins over service.name in OTEL_RESOURCE_ATTRIBUTES
  } else if (!merged.service_name().empty()) {
    service = std::string(merged.service_name());
  } else {
    const std::string exe = ExecutableName();
    service = exe.empty() ? "unknown_service" : "unknown_service:" + exe;
  }
  merged.attributes[0].value = std::move(service);  // service.name stays first
  return merged;
}

}  // namespace callpath
