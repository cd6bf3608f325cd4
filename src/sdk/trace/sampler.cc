#include "callpath/sampler.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>

#include "sdk/env.h"
#include "sdk/trace/sampling_plan.h"

namespace callpath {
namespace {

class AlwaysOn final : public Sampler {
 public:
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    return SamplingDecision::kRecordAndSample;
  }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOff final : public Sampler {
 public:
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    return SamplingDecision::kDrop;
  }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

// Compares the trace id's low 56 bits (the part W3C Level 2 guarantees to
// be random) with a threshold, so every service decides the same way.
class TraceIdRatio final : public Sampler {
 public:
  explicit TraceIdRatio(double ratio) : ratio_(ratio) {
    if (!(ratio_ > 0)) ratio_ = 0;
    if (ratio_ > 1) ratio_ = 1;
    threshold_ = static_cast<uint64_t>(std::ldexp(ratio_, 56));
  }
  SamplingDecision ShouldSample(const SamplingParams& p) noexcept override {
    if (ratio_ >= 1) return SamplingDecision::kRecordAndSample;
    return detail::SamplingPlan::RandomPart(p.trace_id) < threshold_
               ? SamplingDecision::kRecordAndSample
               : SamplingDecision::kDrop;
  }
  double ratio() const noexcept { return ratio_; }
  uint64_t threshold() const noexcept { return threshold_; }
  std::string Description() const override {
    return "TraceIdRatioBased{" + std::to_string(ratio_) + "}";
  }

 private:
  double ratio_;
  uint64_t threshold_ = 0;
};

class ParentBased final : public Sampler {
 public:
  explicit ParentBased(std::shared_ptr<Sampler> root) : root_(std::move(root)) {}
  SamplingDecision ShouldSample(const SamplingParams& p) noexcept override {
    if (!p.parent.IsValid()) return root_->ShouldSample(p);
    return p.parent.IsSampled() ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  }
  std::string Description() const override {
    return "ParentBased{root=" + root_->Description() + "}";
  }
  Sampler& root() const noexcept { return *root_; }

 private:
  std::shared_ptr<Sampler> root_;
};

// Token bucket refilled continuously; one mutex-free CAS loop on a packed
// (tokens, time) pair would be faster, but a sampled root span is rare
// enough that a short critical section costs nothing measurable.
class RateLimiting final : public Sampler {
 public:
  explicit RateLimiting(double per_second)
      : rate_(per_second > 0 ? per_second : 0), tokens_(rate_ > 1 ? rate_ : 1) {}
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    const double now = Seconds();
    std::lock_guard<std::mutex> lock(mu_);
    const double burst = rate_ > 1 ? rate_ : 1;
    tokens_ = std::min(burst, tokens_ + (now - last_) * rate_);
    last_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return SamplingDecision::kRecordAndSample;
    }
    return SamplingDecision::kDrop;
  }
  std::string Description() const override {
    return "RateLimitingSampler{" + std::to_string(rate_) + "}";
  }

 private:
  static double Seconds() noexcept {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
  }
  const double rate_;
  std::mutex mu_;
  double tokens_;
  double last_ = Seconds();
};

// Fills plan.root (and what it needs) for a sampler deciding root spans.
void PlanRoot(Sampler& s, detail::SamplingPlan& plan) noexcept {
  using Root = detail::SamplingPlan::Root;
  if (dynamic_cast<AlwaysOn*>(&s) != nullptr) {
    plan.root = Root::kAlwaysOn;
  } else if (dynamic_cast<AlwaysOff*>(&s) != nullptr) {
    plan.root = Root::kAlwaysOff;
  } else if (auto* r = dynamic_cast<TraceIdRatio*>(&s)) {
    plan.root = r->ratio() >= 1 ? Root::kAlwaysOn : Root::kTraceIdRatio;
    plan.ratio_threshold = r->threshold();
  } else {
    plan.root = Root::kCall;
    plan.call = &s;
  }
}

}  // namespace

namespace detail {

SamplingDecision SamplingPlan::Call(const SpanContext* parent, const TraceId& trace_id,
                                    std::string_view name, SpanKind kind) const noexcept {
  static const SpanContext kNoParent;
  return call->ShouldSample(
      SamplingParams{parent != nullptr ? *parent : kNoParent, trace_id, name, kind});
}

SamplingPlan PlanSampling(Sampler& sampler) noexcept {
  SamplingPlan plan;
  if (auto* pb = dynamic_cast<ParentBased*>(&sampler)) {
    plan.parent_based = true;
    PlanRoot(pb->root(), plan);
  } else {
    PlanRoot(sampler, plan);
  }
  return plan;
}

}  // namespace detail

std::shared_ptr<Sampler> AlwaysOnSampler() {
  static const auto s = std::make_shared<AlwaysOn>();
  return s;
}
std::shared_ptr<Sampler> AlwaysOffSampler() {
  static const auto s = std::make_shared<AlwaysOff>();
  return s;
}
std::shared_ptr<Sampler> TraceIdRatioSampler(double ratio) {
  return std::make_shared<TraceIdRatio>(ratio);
}
std::shared_ptr<Sampler> ParentBasedSampler(std::shared_ptr<Sampler> root) {
  return std::make_shared<ParentBased>(std::move(root));
}
std::shared_ptr<Sampler> RateLimitingSampler(double traces_per_second) {
  return std::make_shared<RateLimiting>(traces_per_second);
}

std::shared_ptr<Sampler> SamplerFromEnvironment() {
  auto name = env::Get("OTEL_TRACES_SAMPLER");
  if (!name) return ParentBasedSampler(AlwaysOnSampler());
  const std::string n = env::Lower(*name);
  auto arg = [](double fallback) {
    auto v = env::GetDouble("OTEL_TRACES_SAMPLER_ARG");
    return v ? *v : fallback;
  };
  auto ratio = [&]() {
    double r = arg(1.0);
    if (r < 0 || r > 1) {
      env::Warn("OTEL_TRACES_SAMPLER_ARG must be in [0,1]; using 1.0");
      r = 1.0;
    }
    return r;
  };
  if (n == "always_on") return AlwaysOnSampler();
  if (n == "always_off") return AlwaysOffSampler();
  if (n == "traceidratio") return TraceIdRatioSampler(ratio());
  if (n == "parentbased_always_on") return ParentBasedSampler(AlwaysOnSampler());
  if (n == "parentbased_always_off") return ParentBasedSampler(AlwaysOffSampler());
  if (n == "parentbased_traceidratio") return ParentBasedSampler(TraceIdRatioSampler(ratio()));
  if (n == "ratelimiting") return RateLimitingSampler(arg(100));
  if (n == "parentbased_ratelimiting") return ParentBasedSampler(RateLimitingSampler(arg(100)));
  env::Warn("OTEL_TRACES_SAMPLER=" + *name + " is not supported; using parentbased_always_on");
  return ParentBasedSampler(AlwaysOnSampler());
}

}  // namespace callpath
