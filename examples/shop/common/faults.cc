#include "common/faults.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>

#include "common/json.h"

namespace shop {

using callpath::InvalidArgument;
using callpath::Result;

std::string_view FaultKindName(FaultKind kind) noexcept {
  switch (kind) {
    case FaultKind::kLatency: return "latency";
    case FaultKind::kError: return "error";
    case FaultKind::kTimeout: return "timeout";
    case FaultKind::kCrash: return "crash";
  }
  return "unknown";
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Result<double> ParseProbability(std::string_view s) {
  auto v = ParseNumber(Trim(s));
  if (!v || *v <= 0 || *v > 1) {
    return InvalidArgument("probability must be a number in (0, 1], not '" + std::string(s) + "'");
  }
  return *v;
}

std::string FormatDuration(Millis d) {
  if (d.count() >= 1000 && d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

std::string FormatProbability(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", p);
  return buf;
}

}  // namespace

Result<Millis> ParseDuration(std::string_view text) {
  std::string_view s = Trim(text);
  double scale = 1;  // to milliseconds
  if (s.ends_with("ms")) {
    s.remove_suffix(2);
  } else if (s.ends_with("us")) {
    s.remove_suffix(2);
    scale = 0.001;
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
    scale = 1000;
  } else if (s.ends_with("m")) {
    s.remove_suffix(1);
    scale = 60'000;
  }
  auto v = ParseNumber(s);
  // A day is far beyond any drill; larger values are typos.
  if (!v || *v < 0 || *v * scale > 86'400'000.0) {
    return InvalidArgument("bad duration '" + std::string(text) + "' (want e.g. 300ms, 1.5s)");
  }
  return Millis(static_cast<int64_t>(std::ceil(*v * scale)));
}

std::string Fault::ToString() const {
  std::string s(FaultKindName(kind));
  switch (kind) {
    case FaultKind::kLatency:
      s += ":" + FormatDuration(min_delay);
      if (max_delay != min_delay) s += "-" + FormatDuration(max_delay);
      break;
    case FaultKind::kTimeout:
      s += ":" + FormatDuration(hang);
      break;
    case FaultKind::kError:
    case FaultKind::kCrash:
      break;
  }
  if (probability < 1.0) s += "@" + FormatProbability(probability);
  return s;
}

Result<Fault> ParseFault(std::string_view text) {
  std::string_view s = Trim(text);
  Fault f;
  if (size_t at = s.find('@'); at != std::string_view::npos) {
    auto p = ParseProbability(s.substr(at + 1));
    if (!p.ok()) return p.status();
    f.probability = *p;
    s = Trim(s.substr(0, at));
  }
  std::string_view kind = s, arg;
  bool has_arg = false;
  if (size_t colon = s.find(':'); colon != std::string_view::npos) {
    kind = Trim(s.substr(0, colon));
    arg = Trim(s.substr(colon + 1));
    has_arg = true;
  }
  if (kind == "latency") {
    f.kind = FaultKind::kLatency;
    if (!has_arg) return InvalidArgument("latency needs a duration: latency:300ms");
    size_t dash = arg.find('-');
    auto lo = ParseDuration(arg.substr(0, dash));
    if (!lo.ok()) return lo.status();
    f.min_delay = f.max_delay = *lo;
    if (dash != std::string_view::npos) {
      auto hi = ParseDuration(arg.substr(dash + 1));
      if (!hi.ok()) return hi.status();
      if (*hi < *lo) return InvalidArgument("latency range must be low-high: " + std::string(arg));
      f.max_delay = *hi;
    }
  } else if (kind == "timeout") {
    f.kind = FaultKind::kTimeout;
    if (has_arg) {
      auto d = ParseDuration(arg);
      if (!d.ok()) return d.status();
      f.hang = *d;
    }
  } else if (kind == "error" || kind == "crash") {
    f.kind = kind == "error" ? FaultKind::kError : FaultKind::kCrash;
    if (has_arg) {
      // "error:0.5" is the short form of "error@0.5".
      auto p = ParseProbability(arg);
      if (!p.ok()) return p.status();
      f.probability = *p;
    }
  } else {
    return InvalidArgument("unknown fault '" + std::string(kind) +
                           "' (want latency, error, timeout or crash)");
  }
  return f;
}

Result<OperationFaults> ParseFaultSpec(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgument("fault spec must be OPERATION=FAULT[,FAULT...], not '" +
                           std::string(text) + "'");
  }
  OperationFaults out;
  out.operation = std::string(Trim(text.substr(0, eq)));
  if (out.operation.empty()) return InvalidArgument("fault spec has no operation: " + std::string(text));
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    size_t comma = rest.find(',');
    auto f = ParseFault(rest.substr(0, comma));
    if (!f.ok()) return f.status();
    out.faults.push_back(*f);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

FaultTable::FaultTable(std::function<double()> uniform) : uniform_(std::move(uniform)) {}

double FaultTable::Uniform() {
  if (uniform_) return uniform_();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

void FaultTable::Set(OperationFaults faults) {
  std::lock_guard lock(mu_);
  if (faults.faults.empty()) {
    entries_.erase(faults.operation);
    return;
  }
  Entry& e = entries_[faults.operation];
  e.fired.assign(faults.faults.size(), 0);
  e.faults = std::move(faults.faults);
}

bool FaultTable::Clear(std::string_view operation) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(operation);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

void FaultTable::ClearAll() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

FaultPlan FaultTable::Plan(std::string_view operation) {
  FaultPlan plan;
  std::lock_guard lock(mu_);
  auto it = entries_.find(operation);
  if (it == entries_.end()) return plan;
  Entry& e = it->second;
  for (size_t i = 0; i < e.faults.size(); ++i) {
    const Fault& f = e.faults[i];
    if (f.probability < 1.0 && Uniform() >= f.probability) continue;
    ++e.fired[i];
    plan.fired.push_back(f.ToString());
    switch (f.kind) {
      case FaultKind::kLatency: {
        Millis d = f.min_delay;
        if (f.max_delay > f.min_delay) {
          auto span = static_cast<double>((f.max_delay - f.min_delay).count());
          d += Millis(static_cast<int64_t>(Uniform() * (span + 1)));
          if (d > f.max_delay) d = f.max_delay;
        }
        plan.delay += d;
        break;
      }
      case FaultKind::kTimeout: plan.hang = std::max(plan.hang, f.hang); break;
      case FaultKind::kCrash: plan.crash = true; break;
      case FaultKind::kError: plan.fail = true; break;
    }
  }
  return plan;
}

std::string FaultTable::ToJson(std::string_view service) const {
  std::string list = "[";
  {
    std::lock_guard lock(mu_);
    for (const auto& [op, e] : entries_) {
      for (size_t i = 0; i < e.faults.size(); ++i) {
        if (list.size() > 1) list.push_back(',');
        list += JsonObject()
                    .Str("operation", op)
                    .Str("fault", e.faults[i].ToString())
                    .Str("kind", FaultKindName(e.faults[i].kind))
                    .Num("probability", e.faults[i].probability)
                    .Int("fired", static_cast<int64_t>(e.fired[i]))
                    .Take();
      }
    }
  }
  list.push_back(']');
  return JsonObject().Str("service", service).Raw("faults", list).Take();
}

}  // namespace shop
