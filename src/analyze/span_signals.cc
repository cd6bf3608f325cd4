// Failure, timeout and callee signals of one span.
#include "analyze/span_signals.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace callpath::analyze::detail {

namespace {

const store::Value* Find(const store::Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool SaysTimeout(std::string_view text) {
  std::string l = Lower(text);
  return l.find("timeout") != std::string::npos || l.find("timed out") != std::string::npos ||
         l.find("deadline") != std::string::npos || l.find("time out") != std::string::npos ||
         l.find("cancel") != std::string::npos;
}

int64_t IntAttribute(const store::StoredSpan& s, std::string_view key, int64_t missing) {
  const store::Value* v = Find(s.attributes, key);
  if (!v) return missing;
  if (v->type == store::Value::Type::kInt64) return v->int_value;
  if (v->type == store::Value::Type::kDouble) return static_cast<int64_t>(v->double_value);
  if (v->type != store::Value::Type::kString || v->text.empty() || v->text.size() > 18) return missing;
  int64_t n = 0;
  for (char c : v->text) {
    if (c < '0' || c > '9') return missing;
    n = n * 10 + (c - '0');
  }
  return n;
}

// "exception.type: exception.message" of the first exception event.
std::string ExceptionOf(const store::StoredSpan& s) {
  for (const auto& e : s.events) {
    if (e.name != "exception") continue;
    const store::Value* type = Find(e.attributes, "exception.type");
    const store::Value* message = Find(e.attributes, "exception.message");
    std::string out = type ? type->AsText() : "";
    if (message) out += (out.empty() ? "" : ": ") + message->AsText();
    return out.empty() ? "exception" : out;
  }
  return {};
}

bool FailingGrpcCode(int64_t code) {
  constexpr std::array<int64_t, 8> kFailing = {2, 4, 8, 10, 12, 13, 14, 15};
  return std::find(kFailing.begin(), kFailing.end(), code) != kFailing.end();
}

std::string HostOnly(std::string host) {
  if (host.starts_with("[")) return host;  // an IPv6 literal keeps its colons
  return host.substr(0, host.find(':'));
}

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  return HostOnly(std::string(url));
}

// What the client span names as its callee, most specific first.
std::vector<std::string> CalleeNames(const store::StoredSpan& s) {
  std::vector<std::string> names;
  for (auto key : {"peer.service", "server.address", "net.peer.name", "rpc.service", "db.namespace",
                   "db.name", "db.system"}) {
    std::string v = AttributeText(s, key);
    if (!v.empty()) names.push_back(key == std::string_view("server.address") ? HostOnly(v) : v);
  }
  for (auto key : {"url.full", "http.url"}) {
    if (std::string host = UrlHost(AttributeText(s, key)); !host.empty()) names.push_back(host);
  }
  return names;
}

}  // namespace

std::string AttributeText(const store::StoredSpan& s, std::string_view key) {
  const store::Value* v = Find(s.attributes, key);
  return v ? v->AsText() : std::string();
}

FailureSignal FailureOf(const store::StoredSpan& s) {
  FailureSignal f;
  if (s.status == store::SpanStatus::kOk) return f;
  int64_t http = IntAttribute(s, "http.response.status_code", IntAttribute(s, "http.status_code", 0));
  int64_t grpc = IntAttribute(s, "rpc.grpc.status_code", 0);
  std::string exception = ExceptionOf(s);
  if (s.status == store::SpanStatus::kError) {
    f.failed = true;
    f.why = !s.status_message.empty() ? s.status_message : exception;
  } else if (http >= 500 || FailingGrpcCode(grpc) || !exception.empty()) {
    f.failed = true;
    f.why = exception;
  } else if (const store::Value* e = Find(s.attributes, "error"); e && e->AsText() == "true") {
    f.failed = true;
  }
  if (!f.failed) return f;
  if (f.why.empty() && http >= 500) f.why = "HTTP " + std::to_string(http);
  if (f.why.empty() && grpc != 0) f.why = "gRPC status " + std::to_string(grpc);
  if (f.why.empty()) f.why = "status ERROR";
  // A terse status ("Read") says more with the error's type beside it.
  if (std::string type = AttributeText(s, "error.type"); !type.empty() && f.why.find(type) == std::string::npos) {
    f.why += " (error.type " + type + ")";
  }
  f.timed_out = grpc == 4 || http == 504 || SaysTimeout(f.why) || SaysTimeout(AttributeText(s, "error.type")) ||
                SaysTimeout(exception);
  return f;
}

std::string CalleeNameOf(const store::StoredSpan& s) {
  auto names = CalleeNames(s);
  return names.empty() ? std::string() : names.front();
}

std::string ExpectedCallee(const Baseline& b, const store::StoredSpan& s, bool failed) {
  auto it = b.callees.find({s.service, s.operation, PeerOf(s)});
  if (it != b.callees.end() && it->second.calls >= 2) {
    const CalleeBaseline& c = it->second;
    if (c.reached * 5 < c.calls * 4) return {};  // usually uninstrumented
    auto best = std::max_element(c.services.begin(), c.services.end(),
                                 [](const auto& x, const auto& y) { return x.second < y.second; });
    if (best != c.services.end()) return best->first;
  }
  auto names = CalleeNames(s);
  for (const auto& name : names) {
    if (name != s.service && b.known_services.count(name)) return name;
  }
  std::string peer = AttributeText(s, "peer.service");
  if (failed && !peer.empty() && peer != s.service) return peer;
  return {};
}

}  // namespace callpath::analyze::detail
