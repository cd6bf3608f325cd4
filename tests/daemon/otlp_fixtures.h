// Request bodies for the daemon tests: the captured OpenTelemetry JS
// samples, and requests built with libprotobuf (independent of our encoder).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/testing/otlp_samples.h"

namespace callpath::testing {

namespace otlpv1 = opentelemetry::proto;

inline std::string Hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

inline std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  s[0] = static_cast<char>(s[0] | 1);  // never all zero
  return s;
}

// One trace of `spans` spans (a root and its children) of service `service`.
inline otlpv1::collector::trace::v1::ExportTraceServiceRequest MakeTraceRequest(
    const std::string& trace_id, int spans, const std::string& service, uint64_t start_ns,
    std::mt19937_64& rng) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value(service);
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("test");
  std::string root_id;
  for (int i = 0; i < spans; ++i) {
    auto* sp = ss->add_spans();
    sp->set_trace_id(trace_id);
    std::string id = RandomBytes(rng, 8);
    sp->set_span_id(id);
    if (i == 0) root_id = id;
    else sp->set_parent_span_id(root_id);
    sp->set_name(i == 0 ? "GET /checkout" : "child-" + std::to_string(i));
    sp->set_kind(i == 0 ? otlpv1::trace::v1::Span::SPAN_KIND_SERVER : otlpv1::trace::v1::Span::SPAN_KIND_INTERNAL);
    sp->set_start_time_unix_nano(start_ns + static_cast<uint64_t>(i) * 1000);
    sp->set_end_time_unix_nano(start_ns + 5'000'000);
    auto* a = sp->add_attributes();
    a->set_key("http.response.status_code");
    a->mutable_value()->set_int_value(200);
  }
  return req;
}

inline otlpv1::collector::logs::v1::ExportLogsServiceRequest MakeLogsRequest(
    const std::string& trace_id, int records, const std::string& service, uint64_t time_ns) {
  otlpv1::collector::logs::v1::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value(service);
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < records; ++i) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(time_ns + static_cast<uint64_t>(i));
    lr->set_severity_number(otlpv1::logs::v1::SEVERITY_NUMBER_INFO);
    lr->set_severity_text("INFO");
    lr->mutable_body()->set_string_value("record " + std::to_string(i));
    lr->set_trace_id(trace_id);
  }
  return req;
}

inline uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace callpath::testing
