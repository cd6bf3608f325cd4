// Log template shifts per service: templates new in the window, templates
// that vanished, and templates much more frequent than the baseline, each
// weighed by how much its severity (or, unset, its words) speaks of failure.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "analyze/diagnose_shift.h"
#include "analyze/diagnose_signals.h"

namespace callpath::analyze {
namespace {

using LogKey = std::tuple<std::string, uint64_t, int32_t>;

LogKey KeyOf(const store::LogTemplateStats& s) { return {s.service, s.template_id, s.severity_number}; }

bool ContainsWord(std::string_view lower_text, std::string_view word) {
  return lower_text.find(word) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string SeverityLabel(int32_t n) {
  if (n >= 21) return "FATAL";
  if (n >= 17) return "ERROR";
  if (n >= 13) return "WARN";
  if (n >= 9) return "INFO";
  if (n >= 5) return "DEBUG";
  if (n >= 1) return "TRACE";
  return "unset-level";
}

// The longest run of the template between its masks: a piece of text every
// record of the template holds, to search the logs by.
std::string LiteralPiece(std::string_view text) {
  std::string_view best;
  while (!text.empty()) {
    size_t mask = text.find("<*>");
    std::string_view piece = text.substr(0, mask);
    if (piece.size() > best.size()) best = piece;
    if (mask == std::string_view::npos) break;
    text.remove_prefix(mask + 3);
  }
  // Trim spaces: the body may put any amount of them around a value.
  while (!best.empty() && best.front() == ' ') best.remove_prefix(1);
  while (!best.empty() && best.back() == ' ') best.remove_suffix(1);
  return std::string(best.substr(0, 120));
}

// Per service: how much more traffic it had in the window than in the
// baseline, when it had enough calls in both to say; else the global scale.
std::map<std::string, double> ServiceScales(const DiagnoseInput& input, double global) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> calls;  // baseline, window
  for (const auto& s : input.baseline_ops) calls[s.service].first += s.calls;
  for (const auto& s : input.window_ops) calls[s.service].second += s.calls;
  std::map<std::string, double> out;
  for (const auto& [service, c] : calls) {
    bool enough = c.first >= 20 && c.second >= 20;
    out[service] = enough ? static_cast<double>(c.second) / static_cast<double>(c.first) : global;
  }
  return out;
}

Finding LogFinding(const store::LogTemplateStats& row, CauseKind kind, double strength, std::string summary,
                   double observed, double expected) {
  Finding f;
  f.service = row.service;
  f.kind = kind;
  f.family = SignalFamily::kFailure;
  f.strength = strength;
  f.summary = std::move(summary);
  Evidence e;
  e.type = "log";
  e.text = f.summary;
  e.severity_number = row.severity_number;
  e.observed = observed;
  e.expected = expected;
  f.evidence.push_back(std::move(e));
  f.example.log_template_id = row.template_id;
  f.example.log_text = LiteralPiece(row.template_text);
  f.example.log_severity = row.severity_number;
  return f;
}

void AddRisen(const store::LogTemplateStats& w, const store::LogTemplateStats* b, double scale, Findings* out) {
  double seen = static_cast<double>(w.count);
  double expected = b ? static_cast<double>(b->count) * scale : 0;
  if (w.count < 3 || seen < 1.5 * expected) return;
  double weight = SeverityWeight(w.severity_number, w.template_text);
  // A template whose records belong to traces is tied to requests: the
  // failure is in the call path, not in a background job.
  if (w.in_traces == 0) weight *= 0.85;
  double strength = weight * Strength(CountShiftZ(seen, expected), 3, 6);
  if (strength <= 0) return;
  bool is_new = b == nullptr || b->count == 0;
  std::string level = SeverityLabel(w.severity_number);
  std::string summary = is_new ? "new " + level + " log template in " + w.service + ": \"" + w.template_text + "\" (" +
                                     FormatCount(seen) + " records, none in the baseline)"
                               : level + " log template \"" + w.template_text + "\" of " + w.service + " rose to " +
                                     FormatCount(seen) + " records where about " + FormatCount(expected) +
                                     " were expected";
  out->findings.push_back(
      LogFinding(w, is_new ? CauseKind::kLogTemplate : CauseKind::kLog, strength, std::move(summary), seen, expected));
}

void AddVanished(const store::LogTemplateStats& b, uint64_t window_count, double scale, bool silent, Findings* out) {
  double expected = static_cast<double>(b.count) * scale, seen = static_cast<double>(window_count);
  // Fewer errors is no fault; a usual line that stopped may be one.
  double weight = SeverityWeight(b.severity_number, b.template_text);
  if (weight >= 0.9 || expected < 8 || seen > 0.2 * expected) return;
  double strength = 0.5 * Strength(CountShiftZ(expected, seen), 3, 6);
  if (strength <= 0) return;
  std::string summary = "usual " + SeverityLabel(b.severity_number) + " log template of " + b.service + " \"" +
                        b.template_text + "\" " + (window_count == 0 ? "vanished" : "nearly vanished") + ": " +
                        FormatCount(seen) + " records where about " + FormatCount(expected) + " were expected";
  Finding f = LogFinding(b, CauseKind::kLogTemplate, strength, std::move(summary), seen, expected);
  // A service that went silent lost every line: that is its traffic
  // stopping, reasoned about with its missing calls.
  if (silent) f.family = SignalFamily::kTraffic;
  f.example.in_baseline = true;
  out->findings.push_back(std::move(f));
}

}  // namespace

double SeverityWeight(int32_t severity_number, std::string_view text) {
  if (severity_number >= 17) return 1.0;
  if (severity_number >= 13) return 0.6;
  if (severity_number >= 1) return 0.3;
  std::string lower = Lower(text.substr(0, 512));
  for (std::string_view word : {"exception", "error", "fail", "fatal", "panic", "refused", "timed out", "timeout",
                                "unavailable", "traceback"}) {
    if (ContainsWord(lower, word)) return 0.9;
  }
  if (ContainsWord(lower, "warn")) return 0.6;
  return 0.3;
}

void FindLogShifts(const DiagnoseInput& input, Findings* out) {
  double global = TrafficScale(input);
  std::map<std::string, double> scales = ServiceScales(input, global);
  auto scale_of = [&](const std::string& service) {
    auto it = scales.find(service);
    return it == scales.end() ? global : it->second;
  };
  std::map<LogKey, const store::LogTemplateStats*> base, win;
  std::set<std::string> active;
  for (const auto& s : input.baseline_logs) base[KeyOf(s)] = &s;
  for (const auto& s : input.window_logs) win[KeyOf(s)] = &s, active.insert(s.service);
  for (const auto& s : input.window_ops) active.insert(s.service);
  for (const auto& [key, w] : win) {
    auto it = base.find(key);
    AddRisen(*w, it == base.end() ? nullptr : it->second, scale_of(w->service), out);
  }
  for (const auto& [key, b] : base) {
    auto it = win.find(key);
    AddVanished(*b, it == win.end() ? 0 : it->second->count, scale_of(b->service), !active.count(b->service), out);
  }
}

}  // namespace callpath::analyze
