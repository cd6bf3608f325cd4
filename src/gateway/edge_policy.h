// The edge policy: what the gateway takes from the trace context a client
// sends (see EdgeConfig in config.h for the rules and their why).
//
//   EdgeContext edge = ExtractAtEdge(rt.config().edge, rt.propagator(),
//                                    MessageCarrier(req), client.ip);
//   StartOptions opts{.kind = SpanKind::kServer, .parent = &edge.parent};
//   if (edge.client_context.IsValid()) { opts.root = true; opts.links = ...; }
//
// Plain C++ (no Asio): unit-tested and fuzzable.
// Threads: all functions are pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "callpath/baggage.h"
#include "callpath/context.h"
#include "callpath/propagation.h"
#include "gateway/config.h"

namespace callpath::gateway {

// Whether `client_ip` (the peer's numeric address) is in one of the
// trusted networks.
bool IsTrustedClient(const EdgeConfig& edge, std::string_view client_ip) noexcept;

// A read-only view of a request's fields that hides traceparent, tracestate
// and baggage when they exceed the caps of `edge` (as if they were absent:
// a truncated tracestate or baggage would change its meaning). `inner` and
// `edge` must outlive it.
class CappedCarrier final : public TextMapCarrier {
 public:
  CappedCarrier(const TextMapCarrier& inner, const EdgeConfig& edge) noexcept
      : inner_(inner), edge_(edge) {}
  std::string_view Get(std::string_view key) const override;
  size_t Count(std::string_view key) const override;
  std::string GetJoined(std::string_view key) const override;
  std::vector<std::string_view> Keys() const override { return inner_.Keys(); }
  void Set(std::string_view, std::string_view) override {}

 private:
  bool Hidden(std::string_view key) const;
  const TextMapCarrier& inner_;
  const EdgeConfig& edge_;
};

// The entries of `baggage` whose keys are in `allow` (exact match).
Baggage KeepAllowedBaggage(const Baggage& baggage, const std::vector<std::string>& allow);

struct EdgeContext {
  bool trusted = false;
  // The parent of the SERVER span: the client's context when trusted; for
  // an untrusted client no span context and only the allowed baggage.
  Context parent;
  // An untrusted client's span context (invalid when it sent none): the
  // SERVER span starts a new trace and links to it, so the client's trace
  // and the gateway's stay connected without the client steering ours.
  SpanContext client_context;
};

// Extracts the client's context from `request` under `edge`.
EdgeContext ExtractAtEdge(const EdgeConfig& edge, const TextMapPropagator& propagator,
                          const TextMapCarrier& request, std::string_view client_ip);

// Whether `name` is a trace-context field of a known propagation format
// (W3C, B3, Jaeger): an untrusted client's copies are not forwarded, even
// when the gateway's own propagators do not replace them.
bool IsTraceContextField(std::string_view name) noexcept;

}  // namespace callpath::gateway
