// TraceState: the W3C tracestate list (Level 2 grammar).
#include "callpath/span_context.h"

#include <algorithm>

#include "sdk/propagation/text_util.h"

namespace callpath {
namespace {

bool IsKeyStart(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsKeyChar(char c) noexcept {
  return IsKeyStart(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
}

const std::vector<TraceState::Member>& EmptyMembers() noexcept {
  static const std::vector<TraceState::Member> kEmpty;
  return kEmpty;
}

}  // namespace

bool TraceState::IsValidKey(std::string_view key) noexcept {
  if (key.empty() || key.size() > 256 || !IsKeyStart(key[0])) return false;
  return std::all_of(key.begin() + 1, key.end(), IsKeyChar);
}

bool TraceState::IsValidValue(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
  }
  return true;
}

bool TraceState::Parse(std::string_view header, TraceState* out) {
  *out = TraceState();
  // The common case, no tracestate at all, must not allocate.
  if (header.find_first_not_of(" \t,") == std::string_view::npos) return true;

  auto members = std::make_shared<std::vector<Member>>();
  bool ok = true;
  size_t received = 0;  // non-empty members, duplicates included
  propagation::ForEachSplit(header, ',', [&](std::string_view member) {
    if (!ok) return;
    member = propagation::TrimOws(member);
    if (member.empty()) return;  // empty list members are allowed and skipped
    size_t eq = member.find('=');
    if (eq == std::string_view::npos || ++received > kMaxMembers) {
      ok = false;
      return;
    }
    std::string_view key = member.substr(0, eq);
    std::string_view value = member.substr(eq + 1);
    if (!IsValidKey(key) || !IsValidValue(value)) {
      ok = false;
      return;
    }
    // A duplicate key is the sender's fault, not a malformed list: the spec
    // lets a receiver pass it on or drop the repeats, never the whole list.
    // The left-most entry is the most recent position, so it is the one kept.
    for (const Member& m : *members) {
      if (m.first == key) return;
    }
    members->emplace_back(std::string(key), std::string(value));
  });
  if (!ok) return false;
  if (!members->empty()) *out = TraceState(std::move(members));
  return true;
}

std::string TraceState::ToHeader() const {
  std::string out;
  if (empty()) return out;
  size_t n = 0;
  for (const Member& m : *members_) n += m.first.size() + m.second.size() + 2;
  out.reserve(n);
  for (const Member& m : *members_) {
    if (!out.empty()) out.push_back(',');
    out.append(m.first);
    out.push_back('=');
    out.append(m.second);
  }
  return out;
}

std::string_view TraceState::Get(std::string_view key) const noexcept {
  for (const Member& m : members()) {
    if (m.first == key) return m.second;
  }
  return {};
}

const std::vector<TraceState::Member>& TraceState::members() const noexcept {
  return members_ ? *members_ : EmptyMembers();
}

TraceState TraceState::Set(std::string_view key, std::string_view value) const {
  if (!IsValidKey(key) || !IsValidValue(value)) return *this;
  auto members = std::make_shared<std::vector<Member>>();
  members->reserve(std::min(size() + 1, kMaxMembers));
  members->emplace_back(std::string(key), std::string(value));
  for (const Member& m : this->members()) {
    if (members->size() == kMaxMembers) break;  // the right-most member goes
    if (m.first != key) members->push_back(m);
  }
  return TraceState(std::move(members));
}

TraceState TraceState::Remove(std::string_view key) const {
  const auto& current = members();
  auto it = std::find_if(current.begin(), current.end(),
                         [&](const Member& m) { return m.first == key; });
  if (it == current.end()) return *this;
  if (current.size() == 1) return TraceState();
  auto members = std::make_shared<std::vector<Member>>();
  members->reserve(current.size() - 1);
  for (const Member& m : current) {
    if (m.first != key) members->push_back(m);
  }
  return TraceState(std::move(members));
}

}  // namespace callpath
