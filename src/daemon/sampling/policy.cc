#include "daemon/sampling/policy.h"

#include <algorithm>
#include <cstring>

namespace callpath::daemon::sampling {

namespace {

using store::Attributes;
using store::StoredSpan;
using store::Value;

class AlwaysSample final : public Policy {
 public:
  bool Sample(const TraceView&, uint64_t) override { return true; }
};

class StatusCode final : public Policy {
 public:
  explicit StatusCode(std::vector<store::SpanStatus> codes) : codes_(std::move(codes)) {}
  bool Sample(const TraceView& t, uint64_t) override {
    for (const StoredSpan& s : *t.spans) {
      if (std::find(codes_.begin(), codes_.end(), s.status) != codes_.end()) return true;
    }
    return false;
  }

 private:
  std::vector<store::SpanStatus> codes_;
};

class Latency final : public Policy {
 public:
  Latency(uint64_t lower, uint64_t upper) : lower_(lower), upper_(upper) {}
  bool Sample(const TraceView& t, uint64_t) override {
    if (t.spans->empty()) return false;
    uint64_t start = UINT64_MAX, end = 0;
    for (const StoredSpan& s : *t.spans) {
      start = std::min(start, s.start_ns);
      end = std::max(end, s.end_ns());
    }
    const uint64_t duration = end - start;
    return duration >= lower_ && (upper_ == 0 || duration < upper_);
  }

 private:
  uint64_t lower_, upper_;
};

class Probabilistic final : public Policy {
 public:
  explicit Probabilistic(double percentage) : share_(percentage / 100.0) {}
  bool Sample(const TraceView& t, uint64_t) override { return TraceIdFraction(t.trace_id) < share_; }

 private:
  double share_;
};

// A budget per service and second of the decision clock: the trace is kept
// while its service's budget for the current second has room for it.
class RateLimiting final : public Policy {
 public:
  RateLimiting(double spans, double traces) : spans_(spans), traces_(traces) {}
  bool Sample(const TraceView& t, uint64_t now_ns) override {
    if (t.spans->empty()) return false;
    const StoredSpan* root = &t.spans->front();
    for (const StoredSpan& s : *t.spans) {
      if (s.is_root()) {
        root = &s;
        break;
      }
    }
    Window& w = windows_[root->service];
    const uint64_t second = now_ns / 1'000'000'000ull;
    if (w.second != second) {
      w.second = second;
      w.used = 0;
    }
    const double cost = spans_ > 0 ? static_cast<double>(t.spans->size()) : 1.0;
    const double limit = spans_ > 0 ? spans_ : traces_;
    if (w.used + cost > limit) return false;
    w.used += cost;
    return true;
  }

 private:
  struct Window {
    uint64_t second = UINT64_MAX;
    double used = 0;
  };
  double spans_, traces_;
  std::unordered_map<std::string, Window> windows_;
};

// Matches an attribute of a span or of its resource; `match` sees values of
// the key. invert_match: kept when no span has a matching value.
template <typename Match>
bool AnyAttribute(const TraceView& t, const std::string& key, const Match& match) {
  auto in = [&](const Attributes& attrs) {
    for (const auto& kv : attrs) {
      if (kv.key == key && match(kv.value)) return true;
    }
    return false;
  };
  for (size_t i = 0; i < t.spans->size(); ++i) {
    if (in((*t.spans)[i].attributes)) return true;
    const auto& resource = (*t.span_resources)[i];
    if (resource && in(*resource)) return true;
  }
  return false;
}

class StringAttribute final : public Policy {
 public:
  StringAttribute(std::string key, std::vector<std::string> values, bool invert)
      : key_(std::move(key)), values_(std::move(values)), invert_(invert) {}
  bool Sample(const TraceView& t, uint64_t) override {
    const bool found = AnyAttribute(t, key_, [&](const Value& v) {
      if (v.type != Value::Type::kString) return false;
      return std::find(values_.begin(), values_.end(), v.text) != values_.end();
    });
    return found != invert_;
  }

 private:
  std::string key_;
  std::vector<std::string> values_;
  bool invert_;
};

class NumericAttribute final : public Policy {
 public:
  NumericAttribute(std::string key, int64_t min, int64_t max, bool invert)
      : key_(std::move(key)), min_(min), max_(max), invert_(invert) {}
  bool Sample(const TraceView& t, uint64_t) override {
    const bool found = AnyAttribute(t, key_, [&](const Value& v) {
      if (v.type == Value::Type::kInt64) return v.int_value >= min_ && v.int_value <= max_;
      if (v.type == Value::Type::kDouble) {
        return v.double_value >= static_cast<double>(min_) && v.double_value <= static_cast<double>(max_);
      }
      return false;
    });
    return found != invert_;
  }

 private:
  std::string key_;
  int64_t min_, max_;
  bool invert_;
};

class Combined final : public Policy {
 public:
  Combined(bool all, std::vector<std::unique_ptr<Policy>> subs) : all_(all), subs_(std::move(subs)) {}
  bool Sample(const TraceView& t, uint64_t now_ns) override {
    // Stops at the first answer that settles it, so a rate limit placed
    // last in an "and" spends its budget only on traces the others let
    // through.
    for (auto& p : subs_) {
      const bool yes = p->Sample(t, now_ns);
      if (all_ && !yes) return false;
      if (!all_ && yes) return true;
    }
    return all_;
  }

 private:
  bool all_;
  std::vector<std::unique_ptr<Policy>> subs_;
};

}  // namespace

double TraceIdFraction(const TraceId& id) noexcept {
  // The low 8 bytes: random in W3C trace ids (the high ones may carry a
  // timestamp in some generators). Mixed so that sequential ids spread.
  uint64_t w;
  std::memcpy(&w, id.bytes().data() + 8, 8);
  w ^= w >> 33;
  w *= 0xff51afd7ed558ccdull;
  w ^= w >> 33;
  w *= 0xc4ceb9fe1a85ec53ull;
  w ^= w >> 33;
  return static_cast<double>(w >> 11) * 0x1.0p-53;
}

std::unique_ptr<Policy> MakePolicy(const PolicyConfig& c) {
  switch (c.type) {
    case PolicyType::kAlwaysSample: return std::make_unique<AlwaysSample>();
    case PolicyType::kStatusCode: return std::make_unique<StatusCode>(c.status_codes);
    case PolicyType::kLatency: return std::make_unique<Latency>(c.threshold_ns, c.upper_threshold_ns);
    case PolicyType::kProbabilistic: return std::make_unique<Probabilistic>(c.sampling_percentage);
    case PolicyType::kRateLimiting: return std::make_unique<RateLimiting>(c.spans_per_second, c.traces_per_second);
    case PolicyType::kStringAttribute:
      return std::make_unique<StringAttribute>(c.key, c.values, c.invert_match);
    case PolicyType::kNumericAttribute:
      return std::make_unique<NumericAttribute>(c.key, c.min_value, c.max_value, c.invert_match);
    case PolicyType::kAnd:
    case PolicyType::kComposite: {
      std::vector<std::unique_ptr<Policy>> subs;
      for (const PolicyConfig& s : c.sub_policies) subs.push_back(MakePolicy(s));
      return std::make_unique<Combined>(c.type == PolicyType::kAnd, std::move(subs));
    }
  }
  return std::make_unique<AlwaysSample>();
}

}  // namespace callpath::daemon::sampling
