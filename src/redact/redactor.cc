#include "redact/redactor.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <re2/re2.h>

#include <algorithm>
#include <bitset>

#include "text/hex.h"

namespace callpath::redact {
namespace {

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Looks `key` up case-insensitively without allocating (no sensitive key
// is longer than the buffer).
constexpr size_t kMaxKeyBytes = 96;

template <typename Map>
auto FindKey(const Map& keys, std::string_view key) {
  char buf[kMaxKeyBytes];
  if (key.size() > sizeof buf) return keys.end();
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return keys.find(std::string_view(buf, key.size()));
}

struct Found {
  Match match;
  Action action;
  size_t rule;  // index into rules for kCustom
};

}  // namespace

struct Redactor::Compiled {
  RedactionPolicy policy;
  std::vector<std::unique_ptr<RE2>> rules;  // parallel to policy.rules
  std::map<std::string, Action, std::less<>> keys;  // lower-case key -> action
  // The lengths of those keys: most attribute keys have none of them and
  // are passed without a lookup.
  std::bitset<kMaxKeyBytes + 1> key_sizes;
  uint32_t detector_kinds = 0;  // bit 1 << kind of each detector on
  bool any_detector = false;
};

bool ParseAction(std::string_view name, Action* out) {
  for (Action a : {Action::kOff, Action::kRedact, Action::kHash, Action::kDrop}) {
    if (ActionName(a) == name) {
      *out = a;
      return true;
    }
  }
  return false;
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kOff: return "off";
    case Action::kRedact: return "redact";
    case Action::kHash: return "hash";
    case Action::kDrop: return "drop";
  }
  return "off";
}

std::array<Action, kKindCount> RedactionPolicy::DefaultDetectors() {
  std::array<Action, kKindCount> d{};
  d.fill(Action::kOff);
  for (Kind k : {Kind::kCard, Kind::kJwt, Kind::kBearer, Kind::kUrlCredentials}) d[static_cast<size_t>(k)] = Action::kRedact;
  return d;
}

std::vector<std::pair<std::string, Action>> RedactionPolicy::DefaultKeys() {
  std::vector<std::pair<std::string, Action>> keys;
  for (const char* h : {"authorization", "cookie", "set-cookie", "proxy-authorization"}) {
    keys.emplace_back(h, Action::kRedact);
    keys.emplace_back(std::string("http.request.header.") + h, Action::kRedact);
    keys.emplace_back(std::string("http.response.header.") + h, Action::kRedact);
  }
  return keys;
}

Redactor::~Redactor() = default;

Result<std::unique_ptr<Redactor>> Redactor::Make(RedactionConfig config) {
  std::unique_ptr<Redactor> r(new Redactor());
  r->enabled_ = config.enabled;
  r->hash_key_ = config.hash_key;
  if (r->hash_key_.empty()) {
    r->hash_key_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(r->hash_key_.data()), 32) != 1) {
      return Internal("the system's random generator failed");
    }
  }
  auto compile = [](const RedactionPolicy& p) -> Result<std::unique_ptr<Compiled>> {
    auto c = std::make_unique<Compiled>();
    c->policy = p;
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(8 << 20);
    for (const CustomRule& rule : p.rules) {
      auto re = std::make_unique<RE2>(rule.pattern, o);
      if (!re->ok()) return InvalidArgument("redaction rule '" + rule.name + "': " + re->error());
      c->rules.push_back(std::move(re));
    }
    for (const auto& [key, action] : p.keys) c->keys[LowerCopy(key)] = action;
    for (int k = 0; k < kKindCount; ++k) {
      if (p.detectors[static_cast<size_t>(k)] != Action::kOff && k != static_cast<int>(Kind::kCustom)) {
        c->detector_kinds |= 1u << k;
      }
    }
    for (const auto& entry : c->keys) {
      if (entry.first.size() < c->key_sizes.size()) c->key_sizes.set(entry.first.size());
    }
    c->any_detector = c->detector_kinds != 0;
    c->any_detector |= !p.rules.empty();
    return c;
  };
  Result<std::unique_ptr<Compiled>> d = compile(config.defaults);
  if (!d.ok()) return d.status();
  r->defaults_ = std::move(d).value();
  for (auto& [service, policy] : config.services) {
    Result<std::unique_ptr<Compiled>> s = compile(policy);
    if (!s.ok()) return InvalidArgument("service " + service + ": " + s.status().message());
    r->services_[service] = std::move(s).value();
  }
  return r;
}

bool Redactor::enabled() const { return enabled_; }

const Redactor::Compiled& Redactor::PolicyFor(std::string_view service) const {
  if (!services_.empty()) {
    auto it = services_.find(service);
    if (it != services_.end()) return *it->second;
  }
  return *defaults_;
}

std::string Redactor::Hash(std::string_view value) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), hash_key_.data(), static_cast<int>(hash_key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), md, &len);
  return "[hash:" + text::HexString(std::string_view(reinterpret_cast<const char*>(md), 8)) + "]";
}

Redactor::Outcome Redactor::ApplyKeyOnly(std::string_view service, std::string_view key) const {
  if (!enabled_ || key.empty()) return Outcome::kKeep;
  const Compiled& c = PolicyFor(service);
  if (key.size() >= c.key_sizes.size() || !c.key_sizes.test(key.size())) return Outcome::kKeep;
  auto it = FindKey(c.keys, key);
  if (it == c.keys.end() || it->second == Action::kOff) return Outcome::kKeep;
  counters_.keys.fetch_add(1, std::memory_order_relaxed);
  if (it->second == Action::kDrop) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return Outcome::kDrop;
  }
  return Outcome::kChanged;
}

Redactor::Outcome Redactor::Apply(std::string_view service, std::string_view key, std::string* text) const {
  if (!enabled_) return Outcome::kKeep;
  const Compiled& c = PolicyFor(service);
  if (!key.empty() && key.size() < c.key_sizes.size() && c.key_sizes.test(key.size())) {
    auto it = FindKey(c.keys, key);
    if (it != c.keys.end() && it->second != Action::kOff) {
      counters_.keys.fetch_add(1, std::memory_order_relaxed);
      if (it->second == Action::kDrop) {
        counters_.dropped.fetch_add(1, std::memory_order_relaxed);
        return Outcome::kDrop;
      }
      *text = it->second == Action::kHash ? Hash(*text) : "[REDACTED]";
      return Outcome::kChanged;
    }
  }
  if (!c.any_detector || text->empty()) return Outcome::kKeep;
  // Reused per thread: most values have no match, and allocating two
  // vectors for each would cost more than scanning it.
  thread_local std::vector<Found> found;
  thread_local std::vector<Match> matches;
  found.clear();
  const uint32_t possible = c.detector_kinds != 0 ? PossibleKinds(*text) & c.detector_kinds : 0;
  for (int k = 0; k < kKindCount; ++k) {
    if ((possible & (1u << k)) == 0) continue;
    Action a = c.policy.detectors[static_cast<size_t>(k)];
    matches.clear();
    Detect(static_cast<Kind>(k), *text, &matches);
    for (const Match& m : matches) found.push_back({m, a, 0});
  }
  for (size_t i = 0; i < c.rules.size(); ++i) {
    re2::StringPiece input(*text);
    re2::StringPiece m;
    size_t pos = 0;
    while (pos <= text->size() && c.rules[i]->Match(input, pos, text->size(), RE2::UNANCHORED, &m, 1)) {
      size_t b = static_cast<size_t>(m.data() - text->data());
      size_t e = b + m.size();
      if (e > b) found.push_back({{b, e, Kind::kCustom}, c.policy.rules[i].action, i});
      pos = e > b ? e : b + 1;
    }
  }
  if (found.empty()) return Outcome::kKeep;
  for (const Found& f : found) counters_.matches[static_cast<size_t>(f.match.kind)].fetch_add(1, std::memory_order_relaxed);
  for (const Found& f : found) {
    if (f.action == Action::kDrop) {
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      return Outcome::kDrop;
    }
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.match.begin != b.match.begin ? a.match.begin < b.match.begin : a.match.end > b.match.end;
  });
  std::string out;
  out.reserve(text->size());
  size_t at = 0;
  for (const Found& f : found) {
    if (f.match.begin < at) continue;  // inside a match already replaced
    out.append(*text, at, f.match.begin - at);
    std::string_view value(text->data() + f.match.begin, f.match.end - f.match.begin);
    if (f.action == Action::kHash) {
      out += Hash(value);
    } else {
      out += "[REDACTED:";
      out += f.match.kind == Kind::kCustom ? std::string_view(c.policy.rules[f.rule].name) : KindName(f.match.kind);
      out += "]";
    }
    at = f.match.end;
  }
  out.append(*text, at, std::string::npos);
  *text = std::move(out);
  return Outcome::kChanged;
}

void Redactor::RenderMetrics(std::string& out) const {
  out += "# HELP callpathd_redactions_total Values redacted, hashed or dropped before storage, by detector.\n"
         "# TYPE callpathd_redactions_total counter\n";
  for (int k = 0; k < kKindCount; ++k) {
    out += "callpathd_redactions_total{kind=\"" + std::string(KindName(static_cast<Kind>(k))) + "\"} " +
           std::to_string(counters_.matches[static_cast<size_t>(k)].load(std::memory_order_relaxed)) + "\n";
  }
  out += "callpathd_redactions_total{kind=\"attribute_key\"} " +
         std::to_string(counters_.keys.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP callpathd_redacted_attributes_dropped_total Attributes dropped by redaction.\n"
         "# TYPE callpathd_redacted_attributes_dropped_total counter\n"
         "callpathd_redacted_attributes_dropped_total " +
         std::to_string(counters_.dropped.load(std::memory_order_relaxed)) + "\n";
}

}  // namespace callpath::redact
