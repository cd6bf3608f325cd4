// Redactor: applies a redaction policy (built-in detectors, custom regular
// expressions, sensitive attribute keys) to the text of one attribute value
// or log body, per service. Built once from a RedactionConfig; Apply() is
// const and may run on any number of threads at once (its counters are
// relaxed atomics).
//
// Actions: kRedact replaces the match with "[REDACTED:<kind>]"; kHash with
// "[hash:<16 hex>]", an HMAC-SHA256 under the configured key, so equal
// values stay equal (and searchable by their hash) without being readable;
// kDrop removes the whole attribute (a log body becomes "[REDACTED]").
// A match for a dropping detector wins over the others in the same value.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "redact/detectors.h"

namespace callpath::redact {

enum class Action : uint8_t { kOff, kRedact, kHash, kDrop };

// "off", "redact", "hash", "drop".
bool ParseAction(std::string_view name, Action* out);
std::string_view ActionName(Action action);

struct CustomRule {
  std::string name;     // shown in metrics and replacements
  std::string pattern;  // RE2 syntax
  Action action = Action::kRedact;
};

struct RedactionPolicy {
  // Per detector kind (kCustom unused). The defaults: payment cards, JWTs,
  // bearer/basic credentials and credentials in URLs are redacted; emails,
  // phone numbers, IBANs and IP addresses are left alone (opt-in).
  std::array<Action, kKindCount> detectors = DefaultDetectors();
  std::vector<CustomRule> rules;
  // Attribute keys (case-insensitive) whose whole value gets `action`
  // whatever it holds. Defaults: the Authorization, Cookie, Set-Cookie and
  // Proxy-Authorization headers under every name instrumentation uses.
  std::vector<std::pair<std::string, Action>> keys = DefaultKeys();

  static std::array<Action, kKindCount> DefaultDetectors();
  static std::vector<std::pair<std::string, Action>> DefaultKeys();
};

struct RedactionConfig {
  bool enabled = true;
  RedactionPolicy defaults;
  // Per service.name: a policy that replaces `defaults` for that service.
  std::map<std::string, RedactionPolicy, std::less<>> services;
  // HMAC key for kHash. Empty: a random key per process (hashes then
  // match within one run only).
  std::string hash_key;
};

// Reads the YAML form (docs/security.md, "Redaction"):
//   enabled: true
//   hash_key: "..."
//   detectors: {email: hash, card: redact, ipv4: off}
//   keys: {user.password: drop}
//   rules: [{name: order-ref, pattern: "ORD-[0-9]{8}", action: hash}]
//   services:
//     checkout: {detectors: {email: redact}}   # starts from the top-level policy
// Unknown keys, kinds and actions, and patterns RE2 rejects, are errors.
Result<RedactionConfig> ParseRedactionYaml(std::string_view yaml);

struct RedactionCounters {
  // Values changed or dropped, per detector kind.
  std::array<std::atomic<uint64_t>, kKindCount> matches{};
  std::atomic<uint64_t> keys{0};     // values acted on by attribute key
  std::atomic<uint64_t> dropped{0};  // attributes dropped
};

class Redactor {
 public:
  enum class Outcome { kKeep, kChanged, kDrop };

  static Result<std::unique_ptr<Redactor>> Make(RedactionConfig config);
  ~Redactor();

  bool enabled() const;

  // Applies the policy of `service` to the value of attribute `key` ("" for
  // a log body or span name). kChanged: *text was rewritten; kDrop: remove
  // the attribute.
  Outcome Apply(std::string_view service, std::string_view key, std::string* text) const;
  // For values that are not text (numbers, bools): only the key rules.
  Outcome ApplyKeyOnly(std::string_view service, std::string_view key) const;

  const RedactionCounters& counters() const { return counters_; }
  // Prometheus text: callpathd_redactions_total{kind=...}.
  void RenderMetrics(std::string& out) const;

 private:
  struct Compiled;
  Redactor() = default;
  const Compiled& PolicyFor(std::string_view service) const;
  std::string Hash(std::string_view value) const;

  bool enabled_ = true;
  std::string hash_key_;
  std::unique_ptr<Compiled> defaults_;
  std::map<std::string, std::unique_ptr<Compiled>, std::less<>> services_;
  mutable RedactionCounters counters_;
};

}  // namespace callpath::redact
