// The evidence lines explain's causes carry: the span's status and
// attributes, its baseline in figures with units, its log lines.
#include <algorithm>
#include <cctype>

#include "analyze/explain_facts.h"
#include "analyze/span_signals.h"

namespace callpath::analyze::detail {

namespace {

// Attributes that say why a call failed or where it went.
constexpr std::string_view kTellingAttributes[] = {
    "http.response.status_code", "http.status_code", "rpc.grpc.status_code", "error.type",
    "peer.service",              "server.address",   "rpc.service",          "db.system"};

constexpr size_t kMaxMessageBytes = 300;

std::string Clip(std::string s) {
  if (s.size() <= kMaxMessageBytes) return s;
  size_t cut = kMaxMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  s.resize(cut);
  return s + "…";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int32_t SeverityOf(const store::StoredLog& log) {
  if (log.severity_number > 0) return log.severity_number;
  std::string t = Upper(log.severity_text);
  if (t.starts_with("FATAL") || t.starts_with("CRIT") || t.starts_with("EMERG") || t.starts_with("ALERT")) return 21;
  if (t.starts_with("ERR") || t == "SEVERE") return 17;
  if (t.starts_with("WARN")) return 13;
  if (t.starts_with("INFO") || t == "NOTICE") return 9;
  if (t.starts_with("DEBUG")) return 5;
  if (t.starts_with("TRACE")) return 1;
  return 0;
}

std::string LogMessage(const store::StoredLog& log) {
  return log.body.type == store::Value::Type::kString || log.body.type == store::Value::Type::kJson
             ? log.body.text
             : log.body.AsText();
}

Evidence LogEvidence(const store::StoredLog& log) {
  Evidence e;
  e.type = "log";
  std::string level = log.severity_text.empty() ? "" : Upper(log.severity_text) + " ";
  if (level.empty() && SeverityOf(log) >= kSeverityError) level = "ERROR ";
  e.text = log.service + " logged: " + level + Clip(LogMessage(log));
  if (log.span_id.IsValid()) e.span_id = log.span_id;
  e.time_ns = log.effective_time_ns();
  e.severity_number = SeverityOf(log);
  return e;
}

void AddSpanEvidence(const TraceFacts& f, size_t i, std::vector<Evidence>* out) {
  const auto& s = f.trace.spans[i];
  const SpanFacts& x = f.spans[i];
  Evidence e;
  e.type = "span";
  e.span_id = s.span_id;
  e.observed = static_cast<double>(s.duration_ns);
  e.text = SpanName(s) + " (" + std::string(store::SpanKindName(s.kind)) + ") took " + FormatNs(static_cast<int64_t>(s.duration_ns));
  if (x.failed) e.text += " and failed: " + Clip(x.failure);
  out->push_back(std::move(e));
  std::string attrs;
  for (auto key : kTellingAttributes) {
    std::string v = AttributeText(s, key);
    if (!v.empty()) attrs += (attrs.empty() ? "" : ", ") + std::string(key) + "=" + Clip(v);
  }
  if (!attrs.empty()) {
    Evidence a;
    a.type = "attribute";
    a.span_id = s.span_id;
    a.text = SpanName(s) + ": " + attrs;
    out->push_back(std::move(a));
  }
}

void AddBaselineEvidence(const TraceFacts& f, size_t i, std::vector<Evidence>* out) {
  const auto& s = f.trace.spans[i];
  const SpanFacts& x = f.spans[i];
  Evidence e;
  e.type = "baseline";
  e.span_id = s.span_id;
  if (!x.base) {
    e.text = SpanName(s) + " has no baseline: the operation was not seen in the baseline window";
    out->push_back(std::move(e));
    return;
  }
  const OperationBaseline& b = *x.base;
  e.observed = static_cast<double>(x.local_self_ns);
  e.expected = static_cast<double>(b.self_time.p50);
  e.text = SpanName(s) + " took " + FormatNs(static_cast<int64_t>(s.duration_ns)) + " (" +
           FormatNs(static_cast<int64_t>(x.local_self_ns)) + " in itself); over " + std::to_string(b.calls) +
           " baseline calls its duration p50 is " + FormatNs(static_cast<int64_t>(b.duration.p50)) + ", p99 " +
           FormatNs(static_cast<int64_t>(b.duration.p99)) + ", its own time p50 " +
           FormatNs(static_cast<int64_t>(b.self_time.p50)) + ", p99 " + FormatNs(static_cast<int64_t>(b.self_time.p99));
  if (b.calls > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", 100.0 * b.error_rate());
    e.text += std::string("; ") + rate + " % of them failed";
  }
  out->push_back(std::move(e));
}

void AddLogEvidence(const TraceFacts& f, size_t i, size_t max, std::vector<Evidence>* out) {
  std::vector<size_t> logs = f.spans[i].logs;
  std::stable_sort(logs.begin(), logs.end(),
                   [&](size_t a, size_t b) { return SeverityOf(f.logs[a]) > SeverityOf(f.logs[b]); });
  for (size_t k = 0; k < logs.size() && k < max; ++k) {
    if (SeverityOf(f.logs[logs[k]]) < kSeverityWarn && k > 0) break;  // quiet lines only as the first
    out->push_back(LogEvidence(f.logs[logs[k]]));
  }
}

}  // namespace callpath::analyze::detail
