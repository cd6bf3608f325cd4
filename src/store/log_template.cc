// LogTemplateOf (log_template.h): one left-to-right pass over the message.
//
// The message is cut into WORDS (runs of bytes that are not whitespace,
// brackets, braces, parentheses, commas, semicolons, colons, '=' or quotes)
// and the separators between them; a word followed by "://" runs on to the
// next whitespace (a URL). A word is masked when it holds a digit, a path
// or URL ('/' or '\'), or an '@' followed by a '.' (an e-mail); the value
// after '=' is masked whatever it is; a quoted string is masked unless a
// ':' follows it (a JSON key, kept so that structured bodies keep their
// shape). Separators are kept as they are, except that any run of
// whitespace becomes one space. A masked value that follows another with
// only whitespace and colons between them is dropped: the run becomes one
// <*> ("2024-01-02 15:04:05.123" is one <*>, not five).
#include "store/log_template.h"

#include "store/encoding.h"

namespace callpath::store {

namespace {

constexpr size_t kMaxTemplateBytes = 512;
constexpr std::string_view kMask = "<*>";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsSeparator(char c) {
  switch (c) {
    case '[': case ']': case '{': case '}': case '(': case ')':
    case ',': case ';': case ':': case '=': case '"': case '\'':
      return true;
    default:
      return IsSpace(c);
  }
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsVariableWord(std::string_view w) {
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < w.size(); ++i) {
    const char c = w[i];
    if (IsDigit(c) || c == '/' || c == '\\') return true;
    if (c == '@' && at == std::string_view::npos) at = i;
    if (c == '.' && at != std::string_view::npos && i > at + 1) return true;
  }
  return false;
}

// Builds the template text, stopping once it is full.
class TemplateBuilder {
 public:
  bool full() const { return out_.size() >= kMaxTemplateBytes; }
  void Space() {
    if (!out_.empty() && out_.back() != ' ') out_.push_back(' ');
  }
  void Literal(std::string_view s) {
    out_.append(s);
    after_mask_ = false;
  }
  void Literal(char c) {
    out_.push_back(c);
    if (c != ':') after_mask_ = false;
  }
  void Mask() {
    if (after_mask_) {
      // Only whitespace and colons since the last <*>: the run stays one.
      out_.resize(mask_end_);
      return;
    }
    out_.append(kMask);
    mask_end_ = out_.size();
    after_mask_ = true;
  }
  std::string Finish() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    if (out_.size() > kMaxTemplateBytes) {
      size_t cut = kMaxTemplateBytes;
      // Never end inside a UTF-8 sequence: back up over continuation bytes.
      while (cut > 0 && (static_cast<unsigned char>(out_[cut]) & 0xC0) == 0x80) --cut;
      out_.resize(cut);
    }
    return std::move(out_);
  }

 private:
  std::string out_;
  bool after_mask_ = false;
  size_t mask_end_ = 0;  // out_.size() right after the last <*>
};

// The end of the quoted string opening at `open` (one past its closing
// quote), or npos when it is never closed. A backslash escapes the next byte.
size_t QuoteEnd(std::string_view m, size_t open) {
  const char q = m[open];
  for (size_t i = open + 1; i < m.size(); ++i) {
    if (m[i] == '\\') {
      ++i;
    } else if (m[i] == q) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool FollowedByColon(std::string_view m, size_t i) {
  while (i < m.size() && IsSpace(m[i])) ++i;
  return i < m.size() && m[i] == ':';
}

}  // namespace

LogTemplate LogTemplateOf(std::string_view m) {
  TemplateBuilder out;
  bool value_next = false;  // the previous separator was '='
  size_t i = 0;
  while (i < m.size() && !out.full()) {
    const char c = m[i];
    if (IsSpace(c)) {
      out.Space();
      ++i;
      continue;
    }
    // A quote opens a string only where a word could start: the apostrophe
    // of "user's" is part of its word.
    const bool word_start = i == 0 || IsSeparator(m[i - 1]);  // ':' included
    if ((c == '"' || c == '\'') && word_start) {
      const size_t end = QuoteEnd(m, i);
      if (end != std::string_view::npos) {
        if (!value_next && FollowedByColon(m, end)) {
          out.Literal(m.substr(i, end - i));
        } else {
          out.Literal(c);
          out.Mask();
          out.Literal(c);
        }
        value_next = false;
        i = end;
        continue;
      }
    }
    if (IsSeparator(c)) {
      out.Literal(c);
      value_next = c == '=';
      ++i;
      continue;
    }
    size_t end = i;
    while (end < m.size() && !IsSeparator(m[end])) ++end;
    if (m.substr(end).starts_with("://")) {
      while (end < m.size() && !IsSpace(m[end])) ++end;
    }
    const std::string_view word = m.substr(i, end - i);
    if (value_next || IsVariableWord(word)) {
      out.Mask();
    } else {
      out.Literal(word);
    }
    value_next = false;
    i = end;
  }
  LogTemplate t;
  t.text = out.Finish();
  t.id = enc::Hash64(t.text);
  if (t.id == 0) t.id = 1;
  return t;
}

}  // namespace callpath::store
