// LatencySketch (stats.h): DDSketch's logarithmic mapping. Bucket i >= 1
// holds the values in [kFloorNs * gamma^(i-1), kFloorNs * gamma^i); any value
// of such a bucket is reported as the one point of it whose relative
// distance to both ends is kRelativeAccuracy, so a quantile is never
// further than that from the value of its rank. Bucket 0 holds everything
// below kFloorNs, where a relative guarantee would need unbounded buckets.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "store/encoding.h"
#include "store/stats.h"

namespace callpath::store {

namespace {

constexpr double kRelativeAccuracy = 0.015;  // under the 2 % the header promises
constexpr double kGamma = (1 + kRelativeAccuracy) / (1 - kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
constexpr double kFloorNs = 1000;  // 1 µs
// The bucket of UINT64_MAX, the largest index a sketch can hold.
const int32_t kMaxIndex = 1 + static_cast<int32_t>(std::log(18446744073709551615.0 / kFloorNs) / kLogGamma);

constexpr uint8_t kEncodingVersion = 1;

int32_t IndexOf(uint64_t value_ns) {
  if (value_ns < kFloorNs) return 0;
  const auto i = 1 + static_cast<int32_t>(std::log(static_cast<double>(value_ns) / kFloorNs) / kLogGamma);
  return std::min(i, kMaxIndex);
}

// The value a bucket stands for: within kRelativeAccuracy of both its ends.
double ValueOf(int32_t index) {
  if (index == 0) return kFloorNs / 2;
  const double lower = kFloorNs * std::exp((index - 1) * kLogGamma);
  return lower * 2 * kGamma / (kGamma + 1);
}

}  // namespace

void LatencySketch::Add(uint64_t value_ns, uint64_t count) {
  if (count == 0) return;
  const int32_t index = IndexOf(value_ns);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const auto& b, int32_t i) { return b.first < i; });
  if (it != buckets_.end() && it->first == index) {
    it->second += count;
  } else {
    buckets_.insert(it, {index, count});
  }
  if (count_ == 0) {
    min_ = max_ = value_ns;
  } else {
    min_ = std::min(min_, value_ns);
    max_ = std::max(max_, value_ns);
  }
  count_ += count;
  sum_ += static_cast<double>(value_ns) * static_cast<double>(count);
}

void LatencySketch::Merge(const LatencySketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  std::vector<std::pair<int32_t, uint64_t>> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.cbegin();
  auto b = other.buckets_.cbegin();
  while (a != buckets_.cend() || b != other.buckets_.cend()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == buckets_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a, ++b;
    }
  }
  buckets_ = std::move(merged);
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

uint64_t LatencySketch::Quantile(double q) const {
  if (count_ == 0) return 0;
  if (!(q > 0)) return min_;  // also NaN
  if (q >= 1) return max_;
  // The value of rank floor(q * (n - 1)) lies in the first bucket whose
  // cumulative count passes that rank.
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1));
  uint64_t seen = 0;
  for (const auto& [index, n] : buckets_) {
    seen += n;
    if (seen > rank) {
      // The exact bounds are better estimates than any bucket value past them.
      const double v = ValueOf(index);
      if (v <= static_cast<double>(min_)) return min_;
      if (v >= static_cast<double>(max_)) return max_;
      return static_cast<uint64_t>(v + 0.5);
    }
  }
  return max_;
}

double LatencySketch::mean() const noexcept {
  return count_ == 0 ? 0 : sum_ / static_cast<double>(count_);
}

// Layout: version, count, min, max, sum (IEEE double, 8 bytes little
// endian), bucket count, then per bucket the index delta from the previous
// one (the first from -1) and the count, all varints.
void LatencySketch::EncodeTo(std::string* out) const {
  out->push_back(static_cast<char>(kEncodingVersion));
  enc::PutVarint(out, count_);
  enc::PutVarint(out, min_);
  enc::PutVarint(out, max_);
  uint64_t bits;
  std::memcpy(&bits, &sum_, 8);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
  enc::PutVarint(out, buckets_.size());
  int32_t previous = -1;
  for (const auto& [index, n] : buckets_) {
    enc::PutVarint(out, static_cast<uint64_t>(index - previous));
    enc::PutVarint(out, n);
    previous = index;
  }
}

Result<LatencySketch> LatencySketch::Decode(std::string_view in) {
  enc::Reader r(in);
  LatencySketch s;
  uint8_t version = 0;
  uint64_t bucket_count = 0;
  std::string_view sum_bytes;
  if (!r.Byte(&version) || version != kEncodingVersion) return DataLoss("latency sketch: unknown version");
  if (!r.Varint(&s.count_) || !r.Varint(&s.min_) || !r.Varint(&s.max_) || !r.Raw(8, &sum_bytes) ||
      !r.Varint(&bucket_count)) {
    return DataLoss("latency sketch: truncated header");
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= uint64_t{static_cast<uint8_t>(sum_bytes[i])} << (8 * i);
  std::memcpy(&s.sum_, &bits, 8);
  if (!std::isfinite(s.sum_) || s.sum_ < 0) return DataLoss("latency sketch: bad sum");
  // Each bucket takes at least two bytes: a count that claims more is a lie
  // (and must not reserve memory on its say-so).
  if (bucket_count > r.remaining() / 2 || bucket_count > static_cast<uint64_t>(kMaxIndex) + 1) {
    return DataLoss("latency sketch: bad bucket count");
  }
  s.buckets_.reserve(bucket_count);
  int64_t index = -1;
  uint64_t total = 0;
  for (uint64_t i = 0; i < bucket_count; ++i) {
    uint64_t delta = 0, n = 0;
    if (!r.Varint(&delta) || !r.Varint(&n)) return DataLoss("latency sketch: truncated bucket");
    if (delta == 0 || delta > static_cast<uint64_t>(kMaxIndex) + 1 || index + static_cast<int64_t>(delta) > kMaxIndex) {
      return DataLoss("latency sketch: bucket index out of order or range");
    }
    if (n == 0 || n > UINT64_MAX - total) return DataLoss("latency sketch: bad bucket count");
    index += static_cast<int64_t>(delta);
    total += n;
    s.buckets_.emplace_back(static_cast<int32_t>(index), n);
  }
  if (!r.done()) return DataLoss("latency sketch: trailing bytes");
  if (total != s.count_) return DataLoss("latency sketch: bucket counts do not add up");
  if (s.count_ == 0 ? (s.min_ != 0 || s.max_ != 0 || s.sum_ != 0) : s.min_ > s.max_) {
    return DataLoss("latency sketch: bad bounds");
  }
  return s;
}

}  // namespace callpath::store
