#include "daemon/ingest/redaction_step.h"

#include <algorithm>

namespace callpath::daemon {
namespace {

std::string_view ServiceOf(const store::Attributes& resource) {
  for (const store::KeyValue& kv : resource)
    if (kv.key == "service.name") return kv.value.text;
  return {};
}

void RedactAttributes(const redact::Redactor& r, std::string_view service, store::Attributes* attrs) {
  using Outcome = redact::Redactor::Outcome;
  std::erase_if(*attrs, [&](store::KeyValue& kv) {
    Outcome o;
    const bool text = kv.value.type == store::Value::Type::kString || kv.value.type == store::Value::Type::kJson;
    if (text) {
      o = r.Apply(service, kv.key, &kv.value.text);
    } else {
      o = r.ApplyKeyOnly(service, kv.key);
      if (o == Outcome::kChanged) kv.value = store::Value::String("[REDACTED]");
    }
    // A JSON value whose text was rewritten may no longer be JSON: keep it
    // as a string.
    if (o == Outcome::kChanged && kv.value.type == store::Value::Type::kJson) kv.value.type = store::Value::Type::kString;
    return o == Outcome::kDrop;
  });
}

void RedactBody(const redact::Redactor& r, std::string_view service, store::Value* body) {
  if (body->type != store::Value::Type::kString && body->type != store::Value::Type::kJson) return;
  switch (r.Apply(service, "", &body->text)) {
    case redact::Redactor::Outcome::kKeep: return;
    case redact::Redactor::Outcome::kChanged:
      if (body->type == store::Value::Type::kJson) body->type = store::Value::Type::kString;
      return;
    case redact::Redactor::Outcome::kDrop: *body = store::Value::String("[REDACTED]"); return;
  }
}

}  // namespace

void RedactBatch(const redact::Redactor& redactor, store::IngestBatch* batch) {
  if (!redactor.enabled()) return;
  for (store::Attributes& resource : batch->resources) RedactAttributes(redactor, ServiceOf(resource), &resource);
  for (store::StoredSpan& s : batch->spans) {
    RedactAttributes(redactor, s.service, &s.attributes);
    RedactAttributes(redactor, s.service, &s.resource_attributes);
    for (store::Event& e : s.events) RedactAttributes(redactor, s.service, &e.attributes);
    if (!s.status_message.empty()) (void)redactor.Apply(s.service, "", &s.status_message);
  }
  for (store::StoredLog& l : batch->logs) {
    RedactBody(redactor, l.service, &l.body);
    RedactAttributes(redactor, l.service, &l.attributes);
    RedactAttributes(redactor, l.service, &l.resource_attributes);
  }
}

}  // namespace callpath::daemon
