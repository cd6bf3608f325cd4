#include "log/text_filter.h"

#include <cstdint>
#include <cstring>

namespace callpath::log::detail {
namespace {

void PutU32(std::string& out, size_t v) {
  const auto x = static_cast<uint32_t>(v);
  out.append(reinterpret_cast<const char*>(&x), 4);
}

void PutHeader(std::string& out, const FieldView& v) {
  out.push_back(static_cast<char>(v.type()));
  PutU32(out, v.key().size());
  out.append(v.key());
}

// Re-encodes `list` into `out` (field_codec.h's layout) with its texts
// filtered; *count gets the fields kept. True when anything changed.
bool FilterList(const TextFilter& filter, FieldList list, std::string& out, uint32_t* count) {
  bool changed = false;
  uint32_t kept = 0;
  std::string replaced;
  for (const FieldView& v : list) {
    switch (v.type()) {
      case FieldType::kString:
      case FieldType::kError: {
        const TextFilter::Verdict verdict = filter.Filter(v.key(), v.str(), &replaced);
        if (verdict == TextFilter::Verdict::kDrop) {
          changed = true;
          continue;
        }
        const bool rewritten = verdict == TextFilter::Verdict::kChanged;
        changed |= rewritten;
        const std::string_view text = rewritten ? std::string_view(replaced) : v.str();
        PutHeader(out, v);
        PutU32(out, text.size());
        out.append(text);
        break;
      }
      case FieldType::kObject: {
        PutHeader(out, v);
        const size_t sizes_at = out.size();
        PutU32(out, 0);
        PutU32(out, 0);
        uint32_t children = 0;
        changed |= FilterList(filter, v.object(), out, &children);
        const auto bytes = static_cast<uint32_t>(out.size() - sizes_at - 8);
        std::memcpy(out.data() + sizes_at, &children, 4);
        std::memcpy(out.data() + sizes_at + 4, &bytes, 4);
        break;
      }
      case FieldType::kBool:
        PutHeader(out, v);
        out.push_back(v.bool_value() ? 1 : 0);
        break;
      default: {  // 8 bytes: int, uint, double, duration
        PutHeader(out, v);
        const uint64_t bits = v.uint_value();
        out.append(reinterpret_cast<const char*>(&bits), 8);
      }
    }
    ++kept;
  }
  *count = kept;
  return changed;
}

}  // namespace

void ApplyTextFilter(const TextFilter& filter, Record& r, std::string& message,
                     std::string& fields) {
  switch (filter.Filter("", r.message, &message)) {
    case TextFilter::Verdict::kKeep: break;
    case TextFilter::Verdict::kChanged: r.message = message; break;
    case TextFilter::Verdict::kDrop:
      message = "[REDACTED]";
      r.message = message;
      break;
  }
  if (r.fields.empty()) return;
  fields.clear();
  uint32_t count = 0;
  if (FilterList(filter, r.fields, fields, &count)) {
    r.fields = FieldList(fields.data(), fields.size(), count);
  }
}

}  // namespace callpath::log::detail
