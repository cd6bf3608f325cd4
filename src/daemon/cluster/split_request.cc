#include "daemon/cluster/split_request.h"

#include <simdjson.h>

#include <algorithm>

#include "otlp/wire/fields.h"
#include "otlp/wire/proto_reader.h"
#include "otlp/wire/proto_writer.h"
#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::daemon::cluster {
namespace {

namespace f = otlp::fields;
using otlp::ProtoField;
using otlp::ProtoReader;
using otlp::WireType;

// Traces and logs share one shape: request{1: resource*}, resource{2:
// scope*}, scope{2: item*}; only the item's trace id field differs.
uint32_t TraceIdField(Signal s) { return s == Signal::kTraces ? f::Span::kTraceId : f::LogRecord::kTraceId; }
constexpr uint32_t kResourceField = 1;  // ExportTraceServiceRequest.resource_spans, ...Logs.resource_logs
constexpr uint32_t kScopeField = 2;     // ResourceSpans.scope_spans, ResourceLogs.scope_logs
constexpr uint32_t kItemField = 2;      // ScopeSpans.spans, ScopeLogs.log_records

std::string_view ProtoTraceId(std::string_view item, uint32_t field, bool* ok) {
  ProtoReader r(item);
  ProtoField pf;
  std::string_view id;
  while (r.Next(&pf)) {
    if (pf.number == field && pf.type == WireType::kLengthDelimited) id = pf.bytes;  // the last one wins
  }
  *ok = r.ok();
  return id.size() == 16 ? id : std::string_view();
}

// Walks the request, calling v.Item(raw field bytes, trace id) for every
// item and v.ResourceOther/ScopeOther for the other fields of resources
// and scopes (raw, tag included), with Begin/End around each.
template <typename Visitor>
bool Walk(std::string_view body, uint32_t trace_field, Visitor& v) {
  ProtoReader top(body);
  ProtoField rf;
  while (top.Next(&rf)) {
    if (rf.number != kResourceField || rf.type != WireType::kLengthDelimited) continue;
    v.ResourceBegin();
    ProtoReader res(rf.bytes);
    ProtoField sf;
    size_t before = res.position();
    while (res.Next(&sf)) {
      std::string_view raw = rf.bytes.substr(before, res.position() - before);
      before = res.position();
      if (sf.number != kScopeField || sf.type != WireType::kLengthDelimited) {
        v.ResourceOther(raw);
        continue;
      }
      v.ScopeBegin();
      ProtoReader scope(sf.bytes);
      ProtoField itf;
      size_t item_before = scope.position();
      while (scope.Next(&itf)) {
        std::string_view item_raw = sf.bytes.substr(item_before, scope.position() - item_before);
        item_before = scope.position();
        if (itf.number != kItemField || itf.type != WireType::kLengthDelimited) {
          v.ScopeOther(item_raw);
          continue;
        }
        bool ok = true;
        std::string_view id = ProtoTraceId(itf.bytes, trace_field, &ok);
        if (!ok) return false;
        v.Item(item_raw, id);
      }
      if (!scope.ok()) return false;
      v.ScopeEnd();
    }
    if (!res.ok()) return false;
    v.ResourceEnd();
  }
  return top.ok();
}

// Pass 1: every item's destination, and whether they all agree.
struct Router {
  const RouteFn& route;
  std::vector<uint32_t> destinations;
  size_t max_destination = 0;
  bool all_same = true;

  void ResourceBegin() {}
  void ResourceOther(std::string_view) {}
  void ScopeBegin() {}
  void ScopeOther(std::string_view) {}
  void ScopeEnd() {}
  void ResourceEnd() {}
  void Item(std::string_view, std::string_view trace_id) {
    size_t d = route(trace_id);
    if (!destinations.empty() && d != destinations.front()) all_same = false;
    destinations.push_back(static_cast<uint32_t>(d));
    max_destination = std::max(max_destination, d);
  }
};

void AppendMessage(uint32_t field, std::string_view head, std::string_view tail, std::string* out) {
  otlp::ProtoWriter w(out);
  w.LengthDelimitedHeader(field, head.size() + tail.size());
  w.Raw(head);
  w.Raw(tail);
}

// Pass 2: the shares, following pass 1's destinations in order.
struct Builder {
  explicit Builder(const Router& r)
      : destinations(r.destinations), out(r.max_destination + 1), counts(r.max_destination + 1),
        res_scopes(r.max_destination + 1), scope_items(r.max_destination + 1) {}

  const std::vector<uint32_t>& destinations;
  size_t next = 0;
  std::vector<std::string> out;
  std::vector<uint64_t> counts;
  std::string res_other, scope_other;
  std::vector<std::string> res_scopes, scope_items;

  void ResourceBegin() { res_other.clear(); }
  void ResourceOther(std::string_view raw) { res_other.append(raw); }
  void ScopeBegin() { scope_other.clear(); }
  void ScopeOther(std::string_view raw) { scope_other.append(raw); }
  void Item(std::string_view raw, std::string_view) {
    uint32_t d = destinations[next++];
    scope_items[d].append(raw);
    ++counts[d];
  }
  void ScopeEnd() {
    for (size_t d = 0; d < scope_items.size(); ++d) {
      if (scope_items[d].empty()) continue;
      AppendMessage(kScopeField, scope_other, scope_items[d], &res_scopes[d]);
      scope_items[d].clear();
    }
  }
  void ResourceEnd() {
    for (size_t d = 0; d < res_scopes.size(); ++d) {
      if (res_scopes[d].empty()) continue;
      AppendMessage(kResourceField, res_other, res_scopes[d], &out[d]);
      res_scopes[d].clear();
    }
  }
};

// ---- JSON ----------------------------------------------------------------

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct JsonNames {
  const char* resources;
  const char* scopes;
  const char* items;
};
JsonNames NamesFor(Signal s) {
  return s == Signal::kTraces ? JsonNames{"resourceSpans", "scopeSpans", "spans"}
                              : JsonNames{"resourceLogs", "scopeLogs", "logRecords"};
}

// "key":value for every member of `o` but `skip`, each followed by a comma.
std::string OtherMembers(object o, std::string_view skip) {
  std::string out;
  for (auto field : o) {
    if (field.key == skip) continue;
    text::AppendJsonQuoted(field.key, &out);
    out += ':';
    out += simdjson::minify(field.value);
    out += ',';
  }
  return out;
}

// Null/absent arrays are empty; another type is a malformed request.
bool ArrayMember(object o, const char* key, array* out, bool* present) {
  element e;
  *present = false;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return true;
  *present = true;
  return e.get_array().get(*out) == simdjson::SUCCESS;
}

std::string JsonTraceId(element item) {
  std::string_view hex;
  uint8_t id[16];
  if (item["traceId"].get_string().get(hex) != simdjson::SUCCESS) return {};
  if (!text::HexDecode(hex, id, 16, text::HexCase::kAny)) return {};
  return std::string(reinterpret_cast<const char*>(id), 16);
}

// Pass 1: every item's destination; false when the envelope is malformed.
bool JsonDestinations(array resources, const JsonNames& names, const RouteFn& route, std::vector<uint32_t>* out) {
  bool present = false;
  for (element r : resources) {
    object ro;
    array scopes;
    if (r.get_object().get(ro) != simdjson::SUCCESS) return false;
    if (!ArrayMember(ro, names.scopes, &scopes, &present)) return false;
    if (!present) continue;
    for (element s : scopes) {
      object so;
      array items;
      if (s.get_object().get(so) != simdjson::SUCCESS) return false;
      if (!ArrayMember(so, names.items, &items, &present)) return false;
      if (!present) continue;
      for (element it : items) out->push_back(static_cast<uint32_t>(route(it.is_object() ? JsonTraceId(it) : std::string())));
    }
  }
  return true;
}

// Turns the items buffer "a,b," into "key":[a,b].
void CloseArray(const char* key, std::string* s) {
  std::string head;
  text::AppendJsonQuoted(key, &head);
  head += ":[";
  s->insert(0, head);
  s->back() = ']';
}

// Pass 2, over the envelope pass 1 checked: one request per destination.
std::vector<Share> JsonShares(array resources, const JsonNames& names, const std::vector<uint32_t>& destinations) {
  const size_t n = *std::max_element(destinations.begin(), destinations.end()) + 1;
  std::vector<std::string> bodies(n), res_scopes(n), scope_items(n);
  std::vector<uint64_t> counts(n);
  size_t next = 0;
  bool present = false;
  for (element r : resources) {
    object ro = r.get_object().value_unsafe();
    array scopes;
    if (!ArrayMember(ro, names.scopes, &scopes, &present) || !present) continue;
    for (element s : scopes) {
      object so = s.get_object().value_unsafe();
      array items;
      if (!ArrayMember(so, names.items, &items, &present) || !present) continue;
      for (element it : items) {
        uint32_t d = destinations[next++];
        scope_items[d] += simdjson::minify(it);
        scope_items[d] += ',';
        ++counts[d];
      }
      const std::string scope_other = OtherMembers(so, names.items);
      for (size_t d = 0; d < n; ++d) {
        if (scope_items[d].empty()) continue;
        CloseArray(names.items, &scope_items[d]);
        res_scopes[d] += "{" + scope_other + scope_items[d] + "},";
        scope_items[d].clear();
      }
    }
    const std::string res_other = OtherMembers(ro, names.scopes);
    for (size_t d = 0; d < n; ++d) {
      if (res_scopes[d].empty()) continue;
      CloseArray(names.scopes, &res_scopes[d]);
      bodies[d] += "{" + res_other + res_scopes[d] + "},";
      res_scopes[d].clear();
    }
  }
  std::vector<Share> shares;
  for (size_t d = 0; d < n; ++d) {
    if (counts[d] == 0) continue;
    CloseArray(names.resources, &bodies[d]);
    shares.push_back(Share{d, "{" + bodies[d] + "}", counts[d]});
  }
  return shares;
}

}  // namespace

bool SplitProtoRequest(Signal signal, std::string_view body, const RouteFn& route, Split* out) {
  *out = Split{};
  Router router{route, {}, 0, true};
  if (!Walk(body, TraceIdField(signal), router)) return false;
  if (router.all_same) {
    out->whole = true;
    out->single = router.destinations.empty() ? route({}) : router.destinations.front();
    out->items = router.destinations.size();
    return true;
  }
  Builder builder(router);
  if (!Walk(body, TraceIdField(signal), builder)) return false;
  for (size_t d = 0; d < builder.out.size(); ++d) {
    if (builder.counts[d] == 0) continue;
    out->shares.push_back(Share{d, std::move(builder.out[d]), builder.counts[d]});
  }
  return true;
}

bool SplitJsonRequest(Signal signal, std::string_view body, const RouteFn& route, Split* out) {
  *out = Split{};
  const JsonNames names = NamesFor(signal);
  thread_local simdjson::dom::parser parser;
  element root;
  object top;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return false;
  if (root.get_object().get(top) != simdjson::SUCCESS) return false;
  array resources;
  bool present = false;
  if (!ArrayMember(top, names.resources, &resources, &present)) return false;
  std::vector<uint32_t> destinations;
  if (present && !JsonDestinations(resources, names, route, &destinations)) return false;
  const bool all_same = std::all_of(destinations.begin(), destinations.end(),
                                    [&](uint32_t d) { return d == destinations.front(); });
  if (all_same) {
    out->whole = true;
    out->single = destinations.empty() ? route({}) : destinations.front();
    out->items = destinations.size();
    return true;
  }
  out->shares = JsonShares(resources, names, destinations);
  return true;
}

}  // namespace callpath::daemon::cluster
