// fuzz_redact: the redaction engine on arbitrary text. The first byte picks
// each detector's action (two bits per detector, cycling off/redact/hash/
// drop) and whether a custom rule is on; the rest is the value. Also
// parses the value as a redaction YAML policy. Must not crash, hang or
// read out of bounds; a changed value must differ from the input only
// where something was found.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "redact/redactor.h"

using callpath::redact::Action;
using callpath::redact::RedactionConfig;
using callpath::redact::Redactor;

namespace {

std::unique_ptr<Redactor> MakeRedactor(uint8_t selector) {
  RedactionConfig cfg;
  cfg.hash_key = "fuzz";
  for (int k = 0; k < callpath::redact::kKindCount - 1; ++k) {
    cfg.defaults.detectors[static_cast<size_t>(k)] = static_cast<Action>((selector >> (k % 4 * 2)) + k & 3);
  }
  if (selector & 0x80) cfg.defaults.rules.push_back({"r", "[A-Z]{2,}-[0-9]+|(a+)+b", Action::kHash});
  auto made = Redactor::Make(std::move(cfg));
  return made.ok() ? std::move(made).value() : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static std::unique_ptr<Redactor> redactors[256];
  std::unique_ptr<Redactor>& r = redactors[data[0]];
  if (!r) r = MakeRedactor(data[0]);
  if (!r) __builtin_trap();
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string before = text;
  Redactor::Outcome o = r->Apply("svc", "attr", &text);
  if (o == Redactor::Outcome::kKeep && text != before) __builtin_trap();
  std::string keyed = before;
  (void)r->Apply("svc", "http.request.header.cookie", &keyed);
  (void)callpath::redact::ParseRedactionYaml(before);
  return 0;
}
