#include "logparse/multiline.h"

namespace callpath::logparse {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "java.lang.IllegalStateException: card declined", "org.x.FooError":
// a dotted identifier ending in Exception, Error or Throwable, then ':' or
// the end of the line.
bool NamesJavaException(std::string_view line) noexcept {
  size_t end = line.find(':');
  std::string_view name = line.substr(0, end);
  if (name.empty() || name.size() > 200 || name.find('.') == std::string_view::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '$';
    if (!ok) return false;
  }
  return EndsWith(name, "Exception") || EndsWith(name, "Error") || EndsWith(name, "Throwable");
}

}  // namespace

bool MultilineJoiner::Continues(std::string_view line) {
  if (!line.empty() && line.front() == '{') return false;
  if (StartsWith(line, "Traceback (most recent call last):")) {
    in_python_traceback_ = true;
    return true;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) return true;
  if (in_python_traceback_) {
    in_python_traceback_ = false;  // "ValueError: boom" closes the traceback
    return !line.empty();
  }
  return StartsWith(line, "Caused by:") || StartsWith(line, "Suppressed:") || NamesJavaException(line);
}

std::optional<JoinedRecord> MultilineJoiner::Add(std::string_view line, uint64_t start_offset,
                                                 uint64_t end_offset) {
  std::optional<JoinedRecord> done;
  if (lines_ > 0) {
    const bool fits = lines_ < options_.max_lines && held_.size() + 1 + line.size() <= options_.max_bytes;
    if (Continues(line) && fits) {
      held_.push_back('\n');
      held_.append(line);
      ++lines_;
      end_offset_ = end_offset;
      return done;
    }
    done = Flush();
  }
  in_python_traceback_ = StartsWith(line, "Traceback (most recent call last):");
  held_.assign(line);
  lines_ = 1;
  start_offset_ = start_offset;
  end_offset_ = end_offset;
  return done;
}

std::optional<JoinedRecord> MultilineJoiner::Flush() {
  if (lines_ == 0) return std::nullopt;
  JoinedRecord r{std::move(held_), end_offset_};
  held_.clear();
  lines_ = 0;
  in_python_traceback_ = false;
  start_offset_ = end_offset_;
  return r;
}

}  // namespace callpath::logparse
