#include "gateway/edge_policy.h"

#include <algorithm>

#include "callpath/propagation.h"

namespace callpath::gateway {
namespace {

bool IEquals(std::string_view a, std::string_view b) noexcept {
  return detail::AsciiIEquals(a, b);
}

bool IStartsWith(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

// List members of a comma-separated value, empty ones not counted.
size_t ListMembers(std::string_view value) noexcept {
  size_t members = 0;
  bool in_member = false;
  for (char c : value) {
    if (c == ',') {
      in_member = false;
    } else if (c != ' ' && c != '\t' && !in_member) {
      in_member = true;
      ++members;
    }
  }
  return members;
}

}  // namespace

bool IsTrustedClient(const EdgeConfig& edge, std::string_view client_ip) noexcept {
  for (const IpNetwork& net : edge.trusted_clients) {
    if (NetworkContains(net, client_ip)) return true;
  }
  return false;
}

bool CappedCarrier::Hidden(std::string_view key) const {
  if (IEquals(key, "traceparent")) {
    return inner_.Get(key).size() > edge_.max_traceparent_bytes;
  }
  size_t max_bytes = 0, max_members = 0;
  if (IEquals(key, "tracestate")) {
    max_bytes = edge_.max_tracestate_bytes;
    max_members = edge_.max_tracestate_members;
  } else if (IEquals(key, "baggage")) {
    max_bytes = edge_.max_baggage_bytes;
    max_members = edge_.max_baggage_entries;
  } else {
    return false;
  }
  if (inner_.Count(key) == 0) return false;
  const std::string joined = inner_.GetJoined(key);
  return joined.size() > max_bytes || ListMembers(joined) > max_members;
}

std::string_view CappedCarrier::Get(std::string_view key) const {
  return Hidden(key) ? std::string_view() : inner_.Get(key);
}

size_t CappedCarrier::Count(std::string_view key) const {
  return Hidden(key) ? 0 : inner_.Count(key);
}

std::string CappedCarrier::GetJoined(std::string_view key) const {
  return Hidden(key) ? std::string() : inner_.GetJoined(key);
}

Baggage KeepAllowedBaggage(const Baggage& baggage, const std::vector<std::string>& allow) {
  Baggage kept;
  for (const Baggage::Entry& e : baggage.entries()) {
    if (std::find(allow.begin(), allow.end(), e.key) != allow.end()) {
      kept = kept.Set(e.key, e.value, e.properties);
    }
  }
  return kept;
}

EdgeContext ExtractAtEdge(const EdgeConfig& edge, const TextMapPropagator& propagator,
                          const TextMapCarrier& request, std::string_view client_ip) {
  EdgeContext out;
  const Context sent = propagator.Extract(CappedCarrier(request, edge));
  out.trusted = IsTrustedClient(edge, client_ip);
  if (out.trusted) {
    out.parent = sent;
    return out;
  }
  out.client_context = sent.span_context();
  if (!sent.baggage().empty() && !edge.baggage_allow.empty()) {
    out.parent = Context(SpanContext(), KeepAllowedBaggage(sent.baggage(), edge.baggage_allow));
  }
  return out;
}

bool IsTraceContextField(std::string_view name) noexcept {
  for (std::string_view f : {"traceparent", "tracestate", "baggage", "b3", "uber-trace-id"}) {
    if (IEquals(name, f)) return true;
  }
  return IStartsWith(name, "x-b3-") || IStartsWith(name, "uberctx-");
}

}  // namespace callpath::gateway
