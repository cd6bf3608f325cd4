#include "loadgen/trace_generator.h"

#include <array>
#include <cstring>

#include "callpath/version.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::loadgen {
namespace {

namespace f = otlp::fields;
using otlp::Presence;
using otlp::ProtoWriter;

struct Service {
  const char* name;
  const char* version;
  std::array<const char*, 3> routes;  // operations it serves
  bool grpc;                          // served over gRPC rather than HTTP
  const char* db;                     // database it queries, or nullptr
};

constexpr std::array<Service, 8> kServices = {{
    {"frontend", "2.4.1", {"GET /", "GET /product/{id}", "POST /checkout"}, false, nullptr},
    {"checkout", "1.9.0", {"shop.Checkout/PlaceOrder", "shop.Checkout/Quote", "shop.Checkout/Status"}, true, "postgresql"},
    {"cart", "1.3.2", {"shop.Cart/GetCart", "shop.Cart/AddItem", "shop.Cart/EmptyCart"}, true, "redis"},
    {"catalog", "3.0.0", {"GET /products", "GET /products/{id}", "GET /search"}, false, "postgresql"},
    {"payment", "1.1.5", {"shop.Payment/Charge", "shop.Payment/Refund", "shop.Payment/Authorize"}, true, nullptr},
    {"shipping", "0.8.7", {"POST /quote", "POST /ship", "GET /track/{id}"}, false, "mongodb"},
    {"currency", "2.0.3", {"shop.Currency/Convert", "shop.Currency/Rates", "shop.Currency/List"}, true, nullptr},
    {"recommendation", "1.0.0", {"GET /recommendations", "GET /similar/{id}", "GET /popular"}, false, "redis"},
}};

struct Attr {
  const char* key;
  enum { kStr, kInt, kBool } type;
  std::string s;
  int64_t i = 0;
};

struct GenSpan {
  uint32_t trace = 0;
  uint32_t service = 0;
  uint64_t span_id = 0;
  uint64_t parent_id = 0;  // 0 = root
  std::string name;
  int kind = 1;
  uint64_t start = 0, end = 0;  // absolute ns
  std::vector<Attr> attrs;
  bool error = false;
};

struct Patches {
  std::vector<PayloadTemplate::Patch> ids;
  std::vector<uint32_t> times;
  void Shift(const Patches& inner, uint32_t base) {
    for (auto p : inner.ids) ids.push_back({p.offset + base, p.trace});
    for (auto t : inner.times) times.push_back(t + base);
  }
};

void AppendNested(std::string& out, Patches& outp, uint32_t field, const std::string& inner,
                  const Patches& innerp) {
  ProtoWriter w(&out);
  w.LengthDelimitedHeader(field, inner.size());
  uint32_t base = static_cast<uint32_t>(out.size());
  out += inner;
  outp.Shift(innerp, base);
}

void WriteAttr(ProtoWriter& w, uint32_t field, const Attr& a) {
  auto kv = w.BeginNested(field, 32);
  w.String(f::KeyValue::kKey, a.key);
  auto v = w.BeginNested(f::KeyValue::kValue, 16);
  switch (a.type) {
    case Attr::kStr: w.String(f::AnyValue::kStringValue, a.s, Presence::kExplicit); break;
    case Attr::kInt: w.Int64(f::AnyValue::kIntValue, a.i, Presence::kExplicit); break;
    case Attr::kBool: w.Bool(f::AnyValue::kBoolValue, a.i != 0, Presence::kExplicit); break;
  }
  w.EndNested(v);
  w.EndNested(kv);
}

void WriteResource(ProtoWriter& w, uint32_t field, const Service& s, int instance) {
  auto res = w.BeginNested(field, 128);
  WriteAttr(w, f::Resource::kAttributes, {"service.name", Attr::kStr, s.name});
  WriteAttr(w, f::Resource::kAttributes, {"service.version", Attr::kStr, s.version});
  WriteAttr(w, f::Resource::kAttributes, {"service.instance.id", Attr::kStr, std::string(s.name) + "-" + std::to_string(instance)});
  WriteAttr(w, f::Resource::kAttributes, {"deployment.environment.name", Attr::kStr, "loadtest"});
  WriteAttr(w, f::Resource::kAttributes, {"telemetry.sdk.name", Attr::kStr, "callpath-loadgen"});
  w.EndNested(res);
}

void WriteScope(ProtoWriter& w, uint32_t field) {
  auto sc = w.BeginNested(field, 24);
  w.String(f::InstrumentationScope::kName, "callpath.loadgen");
  w.String(f::InstrumentationScope::kVersion, kVersion);
  w.EndNested(sc);
}

void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// One span as a Span message; the trace id goes at a known offset and its
// times are recorded as patch points.
void EncodeSpan(const GenSpan& s, std::string& out, Patches& p) {
  ProtoWriter w(&out);
  char zeros[16] = {};
  w.LengthDelimitedHeader(f::Span::kTraceId, 16);
  p.ids.push_back({static_cast<uint32_t>(out.size()), s.trace});
  out.append(zeros, 16);
  char id[8];
  PutU64(id, s.span_id);
  w.Bytes(f::Span::kSpanId, std::string_view(id, 8));
  if (s.parent_id != 0) {
    PutU64(id, s.parent_id);
    w.Bytes(f::Span::kParentSpanId, std::string_view(id, 8));
  }
  w.Fixed32(f::Span::kFlags, 0x101);
  w.String(f::Span::kName, s.name);
  w.Enum(f::Span::kKind, s.kind);
  w.Tag(f::Span::kStartTimeUnixNano, otlp::WireType::kFixed64);
  p.times.push_back(static_cast<uint32_t>(out.size()));
  w.RawFixed64(s.start);
  w.Tag(f::Span::kEndTimeUnixNano, otlp::WireType::kFixed64);
  p.times.push_back(static_cast<uint32_t>(out.size()));
  w.RawFixed64(s.end);
  for (const Attr& a : s.attrs) WriteAttr(w, f::Span::kAttributes, a);
  if (s.error) {
    auto ev = w.BeginNested(f::Span::kEvents, 96);
    w.Tag(f::SpanEvent::kTimeUnixNano, otlp::WireType::kFixed64);
    p.times.push_back(static_cast<uint32_t>(out.size()));
    w.RawFixed64(s.end);
    w.String(f::SpanEvent::kName, "exception");
    WriteAttr(w, f::SpanEvent::kAttributes, {"exception.type", Attr::kStr, "UpstreamError"});
    WriteAttr(w, f::SpanEvent::kAttributes, {"exception.message", Attr::kStr, "dependency failed: connection reset"});
    w.EndNested(ev);
    auto st = w.BeginNested(f::Span::kStatus, 24);
    w.String(f::Status::kMessage, "upstream failure");
    w.Enum(f::Status::kCode, 2);
    w.EndNested(st);
  }
}

// A database call of `parent`'s service (which has a database).
GenSpan DbCall(const GenSpan& parent, const Service& from, uint64_t off, uint64_t len, std::mt19937_64& rng,
               uint64_t* next_span_id) {
  GenSpan db;
  db.trace = parent.trace;
  db.service = parent.service;
  db.span_id = (*next_span_id)++;
  db.parent_id = parent.span_id;
  db.kind = 3;
  db.start = parent.start + off;
  db.end = std::min(parent.end, db.start + len / 2 + 1);
  std::string op = rng() % 2 ? "SELECT" : "UPDATE";
  db.name = op + " " + from.name;
  db.attrs = {{"db.system", Attr::kStr, from.db}, {"db.operation.name", Attr::kStr, op},
              {"db.collection.name", Attr::kStr, std::string(from.name) + "_items"},
              {"server.address", Attr::kStr, std::string(from.db) + ".internal"}};
  return db;
}

// An internal step of `parent`'s service.
GenSpan InternalStep(const GenSpan& parent, uint64_t off, uint64_t len, uint64_t* next_span_id) {
  GenSpan in;
  in.trace = parent.trace;
  in.service = parent.service;
  in.span_id = (*next_span_id)++;
  in.parent_id = parent.span_id;
  in.kind = 1;
  in.start = parent.start + off;
  in.end = std::min(parent.end, in.start + len + 1);
  in.name = "render";
  in.attrs = {{"component", Attr::kStr, "template"}};
  return in;
}

// The semantic-convention attributes of a call to `svc` over gRPC.
void SetRpcAttributes(const Service& svc, const std::string& full, GenSpan* client, GenSpan* server) {
  size_t slash = full.find('/');
  client->name = server->name = full;
  for (GenSpan* s : {client, server}) {
    s->attrs = {{"rpc.system", Attr::kStr, "grpc"},
                {"rpc.service", Attr::kStr, full.substr(0, slash)},
                {"rpc.method", Attr::kStr, full.substr(slash + 1)},
                {"rpc.grpc.status_code", Attr::kInt, "", 0},
                {"server.address", Attr::kStr, svc.name},
                {"server.port", Attr::kInt, "", 50051}};
  }
}

// The same for a call to `svc` over HTTP.
void SetHttpAttributes(const Service& svc, const std::string& route, std::mt19937_64& rng, GenSpan* client,
                       GenSpan* server) {
  std::string method = route.substr(0, route.find(' '));
  std::string path = route.substr(route.find(' ') + 1);
  client->name = method;
  server->name = route;
  client->attrs = {{"http.request.method", Attr::kStr, method},
                   {"url.full", Attr::kStr, "http://" + std::string(svc.name) + ":8080" + path},
                   {"server.address", Attr::kStr, svc.name},
                   {"server.port", Attr::kInt, "", 8080},
                   {"http.response.status_code", Attr::kInt, "", 200},
                   {"network.protocol.version", Attr::kStr, "1.1"}};
  server->attrs = {{"http.request.method", Attr::kStr, method},
                   {"http.route", Attr::kStr, path},
                   {"url.path", Attr::kStr, path},
                   {"url.scheme", Attr::kStr, "http"},
                   {"http.response.status_code", Attr::kInt, "", 200},
                   {"user_agent.original", Attr::kStr, "shop-client/1.0"},
                   {"client.address", Attr::kStr, "10.0.0." + std::to_string(1 + rng() % 250)}};
}

// A call from `parent`'s service to another one: its CLIENT span and the
// callee's SERVER span, appended to `spans`.
void RemoteCall(const GenSpan& parent, uint64_t off, uint64_t len, std::mt19937_64& rng, uint64_t* next_span_id,
                std::vector<GenSpan>* spans) {
  uint32_t to = 1 + static_cast<uint32_t>(rng() % (kServices.size() - 1));
  if (to == parent.service) to = (to % (kServices.size() - 1)) + 1;
  const Service& svc = kServices[to];
  const char* route = svc.routes[rng() % 3];
  GenSpan client;
  client.trace = parent.trace;
  client.service = parent.service;
  client.span_id = (*next_span_id)++;
  client.parent_id = parent.span_id;
  client.kind = 3;
  client.start = parent.start + off;
  client.end = std::min(parent.end, client.start + len + 1);
  GenSpan server;
  server.trace = parent.trace;
  server.service = to;
  server.span_id = (*next_span_id)++;
  server.parent_id = client.span_id;
  server.kind = 2;
  server.start = client.start + (client.end - client.start) / 20;
  server.end = client.end - (client.end - client.start) / 20;
  if (svc.grpc) {
    SetRpcAttributes(svc, route, &client, &server);
  } else {
    SetHttpAttributes(svc, route, rng, &client, &server);
  }
  spans->push_back(std::move(client));
  spans->push_back(std::move(server));
}

// The deepest span of the trace starting at `first` fails, and the failure
// propagates to the root.
void PropagateFailure(size_t first, std::vector<GenSpan>* spans) {
  std::vector<GenSpan>& all = *spans;
  uint64_t id = all.back().span_id;
  while (id != 0) {
    size_t k = first;
    while (k < all.size() && all[k].span_id != id) ++k;
    if (k == all.size()) break;
    all[k].error = true;
    for (Attr& a : all[k].attrs)
      if (std::strcmp(a.key, "http.response.status_code") == 0) a.i = 500;
      else if (std::strcmp(a.key, "rpc.grpc.status_code") == 0) a.i = 14;
    id = all[k].parent_id;
  }
}

// One ExportTraceServiceRequest with a ResourceSpans per service; the
// patch points of its ids and times go to `patches`.
std::string EncodeTracesRequest(const std::vector<GenSpan>& spans, Patches* patches) {
  std::string request;
  for (uint32_t svc = 0; svc < kServices.size(); ++svc) {
    std::string scope_body;
    Patches scope_patches;
    {
      ProtoWriter w(&scope_body);
      WriteScope(w, f::ScopeSpans::kScope);
    }
    for (const GenSpan& s : spans) {
      if (s.service != svc) continue;
      std::string span_body;
      Patches sp;
      EncodeSpan(s, span_body, sp);
      AppendNested(scope_body, scope_patches, f::ScopeSpans::kSpans, span_body, sp);
    }
    if (scope_patches.ids.empty()) continue;
    std::string rs_body;
    Patches rs_patches;
    {
      ProtoWriter w(&rs_body);
      WriteResource(w, f::ResourceSpans::kResource, kServices[svc], static_cast<int>(svc % 3));
    }
    AppendNested(rs_body, rs_patches, f::ResourceSpans::kScopeSpans, scope_body, scope_patches);
    AppendNested(request, *patches, f::ExportTraceServiceRequest::kResourceSpans, rs_body, rs_patches);
  }
  return request;
}

// One LogRecord of span `s` of trace `trace`, with its patch points.
std::string EncodeLogRecord(const GenSpan& s, uint32_t trace, std::mt19937_64& rng, Patches* rp) {
  static const char* kMessages[] = {"request received", "cache miss, loading from database", "order validated",
                                    "payment authorized", "response sent"};
  std::string rec;
  ProtoWriter w(&rec);
  w.Tag(f::LogRecord::kTimeUnixNano, otlp::WireType::kFixed64);
  rp->times.push_back(static_cast<uint32_t>(rec.size()));
  w.RawFixed64(s.start + (s.end - s.start) / 2);
  w.Tag(f::LogRecord::kObservedTimeUnixNano, otlp::WireType::kFixed64);
  rp->times.push_back(static_cast<uint32_t>(rec.size()));
  w.RawFixed64(s.start + (s.end - s.start) / 2);
  w.Enum(f::LogRecord::kSeverityNumber, s.error ? 17 : 9);
  w.String(f::LogRecord::kSeverityText, s.error ? "ERROR" : "INFO");
  auto body = w.BeginNested(f::LogRecord::kBody, 40);
  w.String(f::AnyValue::kStringValue, s.error ? "request failed: upstream failure" : kMessages[rng() % 5],
           Presence::kExplicit);
  w.EndNested(body);
  WriteAttr(w, f::LogRecord::kAttributes, {"operation", Attr::kStr, s.name});
  WriteAttr(w, f::LogRecord::kAttributes, {"attempt", Attr::kInt, "", 1});
  w.Fixed32(f::LogRecord::kFlags, 1);
  char zeros[16] = {};
  w.LengthDelimitedHeader(f::LogRecord::kTraceId, 16);
  rp->ids.push_back({static_cast<uint32_t>(rec.size()), trace});
  rec.append(zeros, 16);
  char id[8];
  PutU64(id, s.span_id);
  w.Bytes(f::LogRecord::kSpanId, std::string_view(id, 8));
  return rec;
}

// One ExportLogsServiceRequest with a ResourceLogs per service.
std::string EncodeLogsRequest(std::vector<std::vector<std::pair<std::string, Patches>>>& per_service,
                              Patches* patches) {
  std::string request;
  for (uint32_t svc = 0; svc < kServices.size(); ++svc) {
    if (per_service[svc].empty()) continue;
    std::string scope_body;
    Patches scope_patches;
    {
      ProtoWriter w(&scope_body);
      WriteScope(w, f::ScopeLogs::kScope);
    }
    for (auto& [rec, rp] : per_service[svc])
      AppendNested(scope_body, scope_patches, f::ScopeLogs::kLogRecords, rec, rp);
    std::string rl_body;
    Patches rl_patches;
    {
      ProtoWriter w(&rl_body);
      WriteResource(w, f::ResourceLogs::kResource, kServices[svc], static_cast<int>(svc % 3));
    }
    AppendNested(rl_body, rl_patches, f::ResourceLogs::kScopeLogs, scope_body, scope_patches);
    AppendNested(request, *patches, f::ExportLogsServiceRequest::kResourceLogs, rl_body, rl_patches);
  }
  return request;
}

// Appends trace number `trace` to `out`: 5-30 spans, a root at the front
// service and calls grown from random server-side spans.
void GrowTrace(uint32_t trace, uint64_t now_ns, double error_ratio, std::mt19937_64& rng, uint64_t* next_span_id,
               std::vector<GenSpan>* out) {
  std::vector<GenSpan>& spans = *out;
  std::uniform_int_distribution<int> span_count(5, 30);
  std::uniform_real_distribution<double> unit(0, 1);
  size_t target = static_cast<size_t>(span_count(rng));
  bool failing = unit(rng) < error_ratio;
  // Traces of one request end within the last second.
  uint64_t trace_start = now_ns - 1'000'000'000ull - static_cast<uint64_t>(unit(rng) * 5e8);
  size_t first = spans.size();
  GenSpan root;
  root.trace = trace;
  root.service = 0;
  root.span_id = (*next_span_id)++;
  root.name = kServices[0].routes[rng() % 3];
  root.kind = 2;
  root.start = trace_start;
  root.end = trace_start + 20'000'000 + rng() % 400'000'000;
  spans.push_back(root);
  // Grow the tree: pick a server-side span and add a call out of it.
  while (spans.size() - first < target) {
    size_t parent_idx = first + rng() % (spans.size() - first);
    GenSpan parent = spans[parent_idx];  // copy: push_back may reallocate
    if (parent.kind == 3) continue;      // calls leave from server/internal spans
    const Service& from = kServices[parent.service];
    uint64_t dur = parent.end - parent.start;
    uint64_t off = rng() % (dur / 2 + 1);
    uint64_t len = dur / 4 + rng() % (dur / 3 + 1);
    if (from.db && rng() % 4 == 0) {
      spans.push_back(DbCall(parent, from, off, len, rng, next_span_id));
    } else if (spans.size() - first + 2 > target) {
      spans.push_back(InternalStep(parent, off, len, next_span_id));  // room for one span only
    } else {
      RemoteCall(parent, off, len, rng, next_span_id, &spans);
    }
  }
  if (failing) PropagateFailure(first, &spans);
}

}  // namespace

TraceGenerator::TraceGenerator(GeneratorOptions options) : options_(options), rng_(options.seed) {}

PayloadTemplate TraceGenerator::Make(uint64_t now_ns) {
  PayloadTemplate t;
  t.base_ns_ = now_ns;
  t.trace_count_ = options_.traces_per_request;
  std::vector<GenSpan> spans;
  uint64_t next_span_id = rng_() | 1;
  for (uint32_t trace = 0; trace < options_.traces_per_request; ++trace) {
    GrowTrace(trace, now_ns, options_.error_ratio, rng_, &next_span_id, &spans);
  }
  t.spans_ = spans.size();

  Patches trace_patches;
  t.traces_ = EncodeTracesRequest(spans, &trace_patches);
  t.trace_ids_ = std::move(trace_patches.ids);
  t.times_ = std::move(trace_patches.times);

  if (options_.log_records_per_trace > 0) {
    // Records joined to random spans of each trace, grouped by service.
    std::vector<std::vector<std::pair<std::string, Patches>>> per_service(kServices.size());
    size_t idx = 0;
    for (uint32_t trace = 0; trace < options_.traces_per_request; ++trace) {
      size_t first = idx, last = idx;
      while (last < spans.size() && spans[last].trace == trace) ++last;
      idx = last;
      for (size_t k = 0; k < options_.log_records_per_trace && last > first; ++k) {
        const GenSpan& s = spans[first + rng_() % (last - first)];
        Patches rp;
        std::string rec = EncodeLogRecord(s, trace, rng_, &rp);
        per_service[s.service].emplace_back(std::move(rec), std::move(rp));
        ++t.logs_count_;
      }
    }
    Patches log_patches;
    t.logs_ = EncodeLogsRequest(per_service, &log_patches);
    t.log_trace_ids_ = std::move(log_patches.ids);
    t.log_times_ = std::move(log_patches.times);
  }
  return t;
}

void PayloadTemplate::Restamp(uint64_t now_ns, std::mt19937_64& rng) {
  std::vector<std::array<uint64_t, 2>> ids(trace_count_);
  for (auto& id : ids) {
    id[0] = rng();
    id[1] = rng() | 1;  // never all zero
  }
  for (auto [offset, trace] : trace_ids_) std::memcpy(&traces_[offset], ids[trace].data(), 16);
  for (auto [offset, trace] : log_trace_ids_) std::memcpy(&logs_[offset], ids[trace].data(), 16);
  int64_t delta = static_cast<int64_t>(now_ns - base_ns_);
  for (uint32_t off : times_) PutU64(&traces_[off], GetU64(&traces_[off]) + static_cast<uint64_t>(delta));
  for (uint32_t off : log_times_) PutU64(&logs_[off], GetU64(&logs_[off]) + static_cast<uint64_t>(delta));
  base_ns_ = now_ns;
}

}  // namespace callpath::loadgen
