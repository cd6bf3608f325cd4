// What a receiver makes of one export request: the valid items, converted
// to the store's model, and how many items were rejected and why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.h"

namespace callpath::daemon {

// The reasons of the first few rejections are kept for the partial-success
// message; later ones are only counted.
class Rejections {
 public:
  // Why an item was rejected, for the counters in /metrics.
  enum class Kind { kInvalid, kDuplicateSpan, kOutOfWindow };

  void Add(std::string_view why, Kind kind = Kind::kInvalid) {
    ++count_;
    if (kind == Kind::kDuplicateSpan) ++duplicate_spans_;
    if (kind == Kind::kOutOfWindow) ++out_of_window_;
    if (count_ <= kKeep) {
      if (!message_.empty()) message_ += "; ";
      message_ += why;
    }
  }
  uint64_t count() const noexcept { return count_; }
  uint64_t duplicate_spans() const noexcept { return duplicate_spans_; }
  uint64_t out_of_window() const noexcept { return out_of_window_; }
  // "3 rejected: span 1: invalid trace id; ..." or "" when nothing was rejected.
  std::string Message(std::string_view noun) const {
    if (count_ == 0) return {};
    std::string m = std::to_string(count_) + " " + std::string(noun) + " rejected: " + message_;
    if (count_ > kKeep) m += "; ...";
    return m;
  }

 private:
  static constexpr uint64_t kKeep = 3;
  uint64_t count_ = 0;
  uint64_t duplicate_spans_ = 0;
  uint64_t out_of_window_ = 0;
  std::string message_;
};

struct SpanBatch {
  std::vector<store::StoredSpan> spans;
  Rejections rejected;
};

struct LogBatch {
  std::vector<store::StoredLog> logs;
  Rejections rejected;
};

}  // namespace callpath::daemon
