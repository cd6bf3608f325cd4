#include "logparse/logfmt.h"

#include "logparse/well_known_fields.h"

namespace callpath::logparse {
namespace {

bool IsSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsKeyChar(char c) noexcept { return !IsSpace(c) && c != '=' && c != '"'; }

// A quoted value starting after the opening quote at s[*i]; stops at the
// closing quote or the end of the line (an unterminated quote keeps what it has).
std::string QuotedValue(std::string_view s, size_t* i) {
  std::string v;
  while (*i < s.size()) {
    char c = s[(*i)++];
    if (c == '"') return v;
    if (c == '\\' && *i < s.size()) {
      char e = s[(*i)++];
      switch (e) {
        case 'n': v.push_back('\n'); break;
        case 't': v.push_back('\t'); break;
        case 'r': v.push_back('\r'); break;
        default: v.push_back(e); break;
      }
      continue;
    }
    v.push_back(c);
  }
  return v;
}

}  // namespace

bool LooksLikeLogfmt(std::string_view line) noexcept {
  size_t i = 0;
  while (i < line.size() && IsSpace(line[i])) ++i;
  size_t start = i;
  while (i < line.size() && IsKeyChar(line[i])) ++i;
  return i > start && i < line.size() && line[i] == '=';
}

bool ParseLogfmt(std::string_view s, ParsedLog* out) {
  if (!LooksLikeLogfmt(s)) return false;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && IsKeyChar(s[i])) ++i;
    std::string key(s.substr(start, i - start));
    if (key.empty()) {  // stray '=' or quote: skip to the next space
      while (i < s.size() && !IsSpace(s[i])) ++i;
      continue;
    }
    if (i >= s.size() || s[i] != '=') {
      out->attributes.push_back({std::move(key), true});
      continue;
    }
    ++i;
    if (i < s.size() && s[i] == '"') {
      ++i;
      out->attributes.push_back({std::move(key), QuotedValue(s, &i)});
    } else {
      size_t v = i;
      while (i < s.size() && !IsSpace(s[i])) ++i;
      out->attributes.push_back({std::move(key), std::string(s.substr(v, i - v))});
    }
  }
  ApplyWellKnownFields(*out);
  return true;
}

}  // namespace callpath::logparse
