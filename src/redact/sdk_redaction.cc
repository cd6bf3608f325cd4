// The SDK's opt-in redaction (callpath/redaction.h) over the Redactor that
// callpathd runs at ingest: one engine for both.
#include <algorithm>
#include <variant>

#include "callpath/redaction.h"
#include "callpath/span_data.h"
#include "redact/redactor.h"

namespace callpath {
namespace {

using Outcome = RedactionPolicy::Outcome;

// Applies `policy` to one attribute; true when it is to be removed.
bool RedactAttribute(const RedactionPolicy& policy, std::string_view service, Attribute& a) {
  if (auto* text = std::get_if<std::string>(&a.value)) {
    return policy.Apply(service, a.key, text) == Outcome::kDrop;
  }
  if (auto* texts = std::get_if<std::vector<std::string>>(&a.value)) {
    for (std::string& t : *texts) {
      if (policy.Apply(service, a.key, &t) == Outcome::kDrop) return true;
    }
    return false;
  }
  switch (policy.ApplyKeyOnly(service, a.key)) {
    case Outcome::kKeep: return false;
    case Outcome::kChanged: a.value = std::string("[REDACTED]"); return false;
    case Outcome::kDrop: return true;
  }
  return false;
}

void RedactAttributes(const RedactionPolicy& policy, std::string_view service,
                      std::vector<Attribute>& attributes) {
  std::erase_if(attributes, [&](Attribute& a) { return RedactAttribute(policy, service, a); });
}

class RedactingLogFilter final : public log::TextFilter {
 public:
  RedactingLogFilter(std::shared_ptr<const RedactionPolicy> policy, std::string service)
      : policy_(std::move(policy)), service_(std::move(service)) {}

  Verdict Filter(std::string_view key, std::string_view text, std::string* out) const override {
    std::string value(text);
    switch (policy_->Apply(service_, key, &value)) {
      case Outcome::kKeep: return Verdict::kKeep;
      case Outcome::kDrop: return Verdict::kDrop;
      case Outcome::kChanged: break;
    }
    *out = std::move(value);
    return Verdict::kChanged;
  }

 private:
  std::shared_ptr<const RedactionPolicy> policy_;
  std::string service_;
};

Outcome FromEngine(redact::Redactor::Outcome o) {
  switch (o) {
    case redact::Redactor::Outcome::kKeep: return Outcome::kKeep;
    case redact::Redactor::Outcome::kChanged: return Outcome::kChanged;
    case redact::Redactor::Outcome::kDrop: return Outcome::kDrop;
  }
  return Outcome::kKeep;
}

Result<std::shared_ptr<const RedactionPolicy>> Wrap(Result<std::unique_ptr<redact::Redactor>> r) {
  if (!r.ok()) return r.status();
  return std::make_shared<const RedactionPolicy>(std::move(*r));
}

}  // namespace

RedactionPolicy::RedactionPolicy(std::unique_ptr<redact::Redactor> engine)
    : engine_(std::move(engine)) {}
RedactionPolicy::~RedactionPolicy() = default;

Result<std::shared_ptr<const RedactionPolicy>> RedactionPolicy::Default() {
  return Wrap(redact::Redactor::Make(redact::RedactionConfig{}));
}

Result<std::shared_ptr<const RedactionPolicy>> RedactionPolicy::FromYaml(std::string_view yaml) {
  Result<redact::RedactionConfig> config = redact::ParseRedactionYaml(yaml);
  if (!config.ok()) return config.status();
  return Wrap(redact::Redactor::Make(std::move(*config)));
}

RedactionPolicy::Outcome RedactionPolicy::Apply(std::string_view service, std::string_view key,
                                                std::string* text) const {
  return FromEngine(engine_->Apply(service, key, text));
}

RedactionPolicy::Outcome RedactionPolicy::ApplyKeyOnly(std::string_view service,
                                                       std::string_view key) const {
  return FromEngine(engine_->ApplyKeyOnly(service, key));
}

RedactingSpanProcessor::RedactingSpanProcessor(std::shared_ptr<const RedactionPolicy> policy,
                                               std::unique_ptr<SpanProcessor> next,
                                               std::string service)
    : policy_(std::move(policy)), next_(std::move(next)), service_(std::move(service)) {}

void RedactingSpanProcessor::OnEnd(std::unique_ptr<SpanData>& span) noexcept {
  try {
    SpanData& s = *span;
    RedactAttributes(*policy_, service_, s.attributes);
    for (SpanEvent& e : s.events) RedactAttributes(*policy_, service_, e.attributes);
    for (SpanLink& l : s.links) RedactAttributes(*policy_, service_, l.attributes);
    if (!s.status_message.empty()) (void)policy_->Apply(service_, "", &s.status_message);
  } catch (...) {
    // Out of memory while rewriting: the span is not sent half-redacted.
    return;
  }
  next_->OnEnd(span);
}

Status RedactingSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) {
  return next_->ForceFlush(timeout);
}

Status RedactingSpanProcessor::Shutdown(std::chrono::milliseconds timeout) {
  return next_->Shutdown(timeout);
}

std::shared_ptr<const log::TextFilter> MakeRedactingLogFilter(
    std::shared_ptr<const RedactionPolicy> policy, std::string service) {
  return std::make_shared<RedactingLogFilter>(std::move(policy), std::move(service));
}

}  // namespace callpath
