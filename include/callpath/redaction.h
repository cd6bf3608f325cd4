// Redaction in the application, before spans and log records leave the
// process: the rules callpathd applies at ingest (docs/security.md,
// "Redaction") - the same detectors (payment cards, JWTs, bearer tokens,
// credentials in URLs on by default; emails, phone numbers, IBANs, IP
// addresses opt-in), custom regular expressions, attribute-key rules and
// actions (redact, keyed hash, drop), read from the same YAML policy - run
// by the same engine. Opt-in: nothing is redacted unless the application
// installs the processor or the log filter below.
//
//   auto policy = callpath::RedactionPolicy::Default();           // or FromYaml(text)
//   opts.processors.push_back(std::make_unique<callpath::RedactingSpanProcessor>(
//       *policy, std::make_unique<callpath::BatchSpanProcessor>(...), "checkout"));
//   log_opts.text_filter = callpath::MakeRedactingLogFilter(*policy, "checkout");
//
// Link callpath::redact (in-tree builds; it needs RE2, OpenSSL and
// yaml-cpp, and is not part of the installed package yet).
//
// Threads: a RedactionPolicy is immutable and shared; the processor and the
// filter may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "callpath/log/options.h"
#include "callpath/processor.h"
#include "callpath/status.h"

namespace callpath {

namespace redact {
class Redactor;
}

// A compiled redaction policy.
class RedactionPolicy {
 public:
  // The defaults callpathd uses without --redaction-config.
  static Result<std::shared_ptr<const RedactionPolicy>> Default();
  // The YAML form of --redaction-config (enabled, hash_key, detectors, keys,
  // rules, services). InvalidArgument names the problem.
  static Result<std::shared_ptr<const RedactionPolicy>> FromYaml(std::string_view yaml);

  // Applies the policy of `service` to the value of attribute `key` ("" for
  // a log message or status text). kChanged: *text was rewritten; kDrop:
  // the attribute should go.
  enum class Outcome { kKeep, kChanged, kDrop };
  Outcome Apply(std::string_view service, std::string_view key, std::string* text) const;
  // For values that are not text: only the attribute-key rules apply.
  Outcome ApplyKeyOnly(std::string_view service, std::string_view key) const;

  explicit RedactionPolicy(std::unique_ptr<redact::Redactor> engine);
  ~RedactionPolicy();

 private:
  std::unique_ptr<redact::Redactor> engine_;
};

// Redacts each span's attributes, event and link attributes and status
// message under `policy` (the policy of `service`; "" = the top-level one),
// then hands it to `next`. A non-text value whose key has a redact or hash
// rule becomes the string "[REDACTED]"; a drop rule removes the attribute.
class RedactingSpanProcessor final : public SpanProcessor {
 public:
  RedactingSpanProcessor(std::shared_ptr<const RedactionPolicy> policy,
                         std::unique_ptr<SpanProcessor> next, std::string service = "");
  void OnEnd(std::unique_ptr<SpanData>& span) noexcept override;
  Status ForceFlush(std::chrono::milliseconds timeout) override;
  Status Shutdown(std::chrono::milliseconds timeout) override;

 private:
  std::shared_ptr<const RedactionPolicy> policy_;
  std::unique_ptr<SpanProcessor> next_;
  std::string service_;
};

// A log text filter (log::Options::text_filter) applying `policy` to every
// record's message and string fields before any sink sees them.
std::shared_ptr<const log::TextFilter> MakeRedactingLogFilter(
    std::shared_ptr<const RedactionPolicy> policy, std::string service = "");

}  // namespace callpath
