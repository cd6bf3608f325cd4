// Feeds arbitrary paths and query strings to the web UI's trace endpoints
// (/api/v1/traces/{id}/skeleton|spans|logs|find): every input must get 200,
// 400 or 404 with a valid JSON body - never a crash, a hang or a sanitizer
// report. The store holds one small trace with logs, so the parsers' output
// reaches the readers and renderers. The first byte picks the part; the rest
// is "<id>?<query>" (or, with the part bit clear, the whole path tail).
#include <simdjson.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/serve/trace_parts.h"
#include "store/rocksdb/rocksdb_store.h"

namespace {

using callpath::store::StoredLog;
using callpath::store::StoredSpan;

StoredSpan Span(uint8_t id, uint8_t parent, const char* service, uint64_t start_ms, bool error) {
  StoredSpan s;
  s.trace_id.mutable_bytes()[15] = 0x2a;
  s.span_id.mutable_bytes()[7] = id;
  if (parent) s.parent_span_id.mutable_bytes()[7] = parent;
  s.service = service;
  s.operation = std::string("op-") + service;
  s.start_ns = 1'800'000'000'000'000'000ull + start_ms * 1'000'000;
  s.duration_ns = 10'000'000;
  if (error) s.status = callpath::store::SpanStatus::kError;
  s.attributes = {{"http.route", callpath::store::Value::String("/pay")}};
  s.resource_attributes = {{"service.name", callpath::store::Value::String(service)}};
  return s;
}

struct Fixture {
  Fixture() : dir(std::filesystem::temp_directory_path() / ("fuzz-parts-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    callpath::store::RocksDbOptions o;
    o.path = dir;
    auto s = callpath::store::OpenRocksDbStore(o);
    if (!s.ok()) __builtin_trap();
    store = std::move(s).value();
    StoredLog log;
    log.trace_id.mutable_bytes()[15] = 0x2a;
    log.span_id.mutable_bytes()[7] = 2;
    log.time_ns = 1'800'000'000'005'000'000ull;
    log.severity_number = 17;
    log.body = callpath::store::Value::String("card declined");
    log.service = "pay";
    auto batch = store->writer().Prepare(callpath::store::MakeIngestBatch(
        {Span(1, 0, "web", 0, false), Span(2, 1, "pay", 1, true), Span(3, 9, "lost", 2, false)}, {log}));
    if (!batch.ok() || !store->writer().Write({batch.value().get()}, 1).ok()) __builtin_trap();
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<callpath::store::Store> store;
};

callpath::store::Store& Store() {
  static Fixture fixture;
  return *fixture.store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kParts[] = {"skeleton", "spans", "logs", "find"};
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t q = input.find('?');
  std::string id = input.substr(0, q);
  std::string query = q == std::string::npos ? "" : input.substr(q + 1);
  std::string rest = (data[0] & 8) ? "traces/" + id + "/" + kParts[data[0] & 3]
                                   : "traces/" + input;
  if (!(data[0] & 8)) query.clear();
  if (!callpath::daemon::IsTracePartPath(rest)) return 0;
  callpath::daemon::HttpResponse r = callpath::daemon::ServeTracePart(Store(), rest, query, {});
  if (r.status != 200 && r.status != 400 && r.status != 404) __builtin_trap();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS) __builtin_trap();
  return 0;
}
