#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"
#include "text/utf8.h"

namespace callpath {
namespace {

constexpr std::string_view kBaggageHeader = "baggage";

// baggage-octet: printable ASCII without space, '"', ',', ';' and '\'.
bool IsBaggageOctet(unsigned char c) noexcept {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

// What Inject sends as-is; everything else (and always '%') is %XX-encoded.
bool KeepInKey(unsigned char c) noexcept { return c != '%' && propagation::IsTchar(c); }
bool KeepInValue(unsigned char c) noexcept { return c != '%' && IsBaggageOctet(c); }

bool IsBaggageValue(std::string_view s) noexcept {
  for (char c : s) {
    if (!IsBaggageOctet(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// property = key OWS "=" OWS value / key, joined by OWS ";" OWS.
bool AreValidProperties(std::string_view properties) noexcept {
  bool ok = true;
  propagation::ForEachSplit(properties, ';', [&](std::string_view p) {
    size_t eq = p.find('=');
    std::string_view key = propagation::TrimOws(p.substr(0, eq));
    if (!propagation::IsToken(key)) ok = false;
    if (eq != std::string_view::npos &&
        !IsBaggageValue(propagation::TrimOws(p.substr(eq + 1)))) {
      ok = false;
    }
  });
  return ok;
}

// Size of a member as Inject writes it, without the separating comma.
size_t EncodedSize(std::string_view key, std::string_view value,
                   std::string_view properties) noexcept {
  size_t n = propagation::PercentEncodedSize(key, KeepInKey) + 1 +
             propagation::PercentEncodedSize(value, KeepInValue);
  if (!properties.empty()) n += 1 + properties.size();
  return n;
}

std::string Decode(std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) return std::string(raw);  // already ASCII
  std::string bytes;
  propagation::AppendPercentDecoded(raw, &bytes);
  std::string text;
  text::AppendSanitizedUtf8(bytes, &text);
  return text;
}

// Parses one list member; false if it is malformed.
bool ParseMember(std::string_view member, Baggage::Entry* out) {
  size_t semi = member.find(';');
  std::string_view pair = member.substr(0, semi);
  std::string_view properties;
  if (semi != std::string_view::npos) {
    properties = propagation::TrimOws(member.substr(semi + 1));
    // "k=v;" (nothing after the ';') is read as having no properties.
    if (!properties.empty() && !AreValidProperties(properties)) return false;
  }
  size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view key = propagation::TrimOws(pair.substr(0, eq));
  std::string_view value = propagation::TrimOws(pair.substr(eq + 1));
  if (!propagation::IsToken(key) || !IsBaggageValue(value)) return false;
  out->key = Decode(key);
  out->value = Decode(value);
  out->properties.assign(properties);
  return true;
}

// Applies the W3C limits as members arrive, dropping whole members that do
// not fit. Extract and Inject both use it, so whatever Extract keeps, Inject
// sends in full.
class LimitedList {
 public:
  static constexpr size_t kDrop = static_cast<size_t>(-1);

  // Returns the slot of the member: that of an earlier member with the same
  // key (which it replaces), size() for a new one, or kDrop.
  size_t Admit(std::string_view key, size_t size) {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].first != key) continue;
      if (total_ - members_[i].second + size > Baggage::kMaxBytes) return kDrop;
      total_ = total_ - members_[i].second + size;
      members_[i].second = size;
      return i;
    }
    size_t grown = total_ + size + (members_.empty() ? 0 : 1);
    if (members_.size() == Baggage::kMaxMembers || grown > Baggage::kMaxBytes) return kDrop;
    total_ = grown;
    members_.emplace_back(std::string(key), size);
    return members_.size() - 1;
  }
  size_t size() const noexcept { return members_.size(); }

 private:
  std::vector<std::pair<std::string, size_t>> members_;  // key, encoded size
  size_t total_ = 0;
};

}  // namespace

std::vector<std::string_view> W3CBaggagePropagator::Fields() const { return {kBaggageHeader}; }

void W3CBaggagePropagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  const Baggage& baggage = context.baggage();
  if (baggage.empty()) return;
  std::string header;
  LimitedList limits;
  for (const Baggage::Entry& e : baggage.entries()) {
    if (e.key.empty()) continue;
    // Properties set through the API may be anything; send them only if
    // they would parse on the other side.
    std::string_view properties = e.properties;
    if (!properties.empty() && !AreValidProperties(properties)) properties = {};
    const size_t before = limits.size();
    if (limits.Admit(e.key, EncodedSize(e.key, e.value, properties)) != before) continue;
    if (!header.empty()) header.push_back(',');
    propagation::AppendPercentEncoded(e.key, KeepInKey, &header);
    header.push_back('=');
    propagation::AppendPercentEncoded(e.value, KeepInValue, &header);
    if (!properties.empty()) {
      header.push_back(';');
      header.append(properties);
    }
  }
  if (!header.empty()) carrier.Set(kBaggageHeader, header);
}

Context W3CBaggagePropagator::DoExtract(const TextMapCarrier& carrier,
                                       const Context& base) const {
  const std::string header = carrier.GetJoined(kBaggageHeader);
  if (header.find_first_not_of(" \t,") == std::string::npos) return base;

  std::vector<Baggage::Entry> entries;
  LimitedList limits;
  propagation::ForEachSplit(header, ',', [&](std::string_view member) {
    member = propagation::TrimOws(member);
    Baggage::Entry e;
    if (member.empty() || !ParseMember(member, &e)) return;  // drop just this member
    size_t slot = limits.Admit(e.key, EncodedSize(e.key, e.value, e.properties));
    if (slot == LimitedList::kDrop) return;
    if (slot == entries.size()) {
      entries.push_back(std::move(e));
    } else {
      entries[slot] = std::move(e);  // a repeated key: the later value wins
    }
  });
  if (entries.empty()) return base;
  Baggage baggage;
  for (const Baggage::Entry& e : entries) baggage = baggage.Set(e.key, e.value, e.properties);
  return base.WithBaggage(std::move(baggage));
}

}  // namespace callpath
