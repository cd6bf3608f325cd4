// Feeds arbitrary trace-context fields and client addresses to the
// gateway's edge policy. It must never crash; an untrusted client's context
// must never become the parent, and only allow-listed baggage may survive;
// the trusted-network parser must agree with itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/edge_policy.h"
#include "gateway/ip_network.h"
#include "gateway/message.h"

namespace {

// Splits the input at '\n' into at most `n` parts.
std::vector<std::string_view> Parts(std::string_view text, size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.push_back(text);
  out.resize(n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath::gateway;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> p = Parts(text, 5);

  callpath::Result<IpNetwork> net = ParseIpNetwork(p[4]);
  EdgeConfig edge;
  edge.baggage_allow = {"allowed"};
  edge.max_tracestate_members = 4;
  edge.max_baggage_entries = 4;
  edge.max_baggage_bytes = 256;
  if (net.ok()) {
    callpath::Result<IpNetwork> again = ParseIpNetwork(net->text);
    if (!again.ok() || !(*again == *net)) std::abort();
    edge.trusted_clients.push_back(*net);
  }

  Message m;
  m.SetRequestLine("GET", "/", 11);
  m.AddField("traceparent", p[0]);
  m.AddField("tracestate", p[1]);
  m.AddField("baggage", p[2]);
  static const auto propagator = callpath::MakePropagators("tracecontext,baggage");
  const EdgeContext e = ExtractAtEdge(edge, *propagator, MessageCarrier(m), p[3]);
  if (e.trusted != IsTrustedClient(edge, p[3])) std::abort();
  if (!e.trusted) {
    if (e.parent.span_context().IsValid()) std::abort();
    for (const auto& entry : e.parent.baggage().entries()) {
      if (entry.key != "allowed") std::abort();
    }
  } else if (e.client_context.IsValid()) {
    std::abort();
  }
  if (e.parent.baggage().size() > edge.max_baggage_entries) std::abort();
  return 0;
}
