#include "daemon/metrics.h"

#include <cstdio>
#include <utility>

namespace callpath::daemon {
namespace {

std::string FormatDouble(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

}  // namespace

void AppendMetricLine(std::string& out, const std::string& name, const std::string& labels, uint64_t v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(v);
  out += '\n';
}

void AppendMetricHeader(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void LatencyHistogram::Observe(double seconds) noexcept {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void LatencyHistogram::Render(const std::string& name, const std::string& labels,
                              std::string& out) const {
  std::string sep = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    AppendMetricLine(out, name + "_bucket", sep + "le=\"" + FormatDouble(kBounds[i]) + "\"", cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  AppendMetricLine(out, name + "_bucket", sep + "le=\"+Inf\"", cumulative);
  out += name + "_sum";
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ' + FormatDouble(static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6) + '\n';
  AppendMetricLine(out, name + "_count", labels, count_.load(std::memory_order_relaxed));
}

void DaemonMetrics::RenderServerCounters(std::string& out) const {
  const std::pair<const char*, const HttpServerCounters*> servers[] = {
      {"listener=\"otlp_http\"", &otlp_http_server}, {"listener=\"query\"", &query_server}};
  AppendMetricHeader(out, "callpathd_connections_accepted_total", "counter", "Connections accepted.");
  for (auto [label, c] : servers) AppendMetricLine(out, "callpathd_connections_accepted_total", label, c->accepted.load());
  AppendMetricHeader(out, "callpathd_connection_limit_reached_total", "counter",
         "Times a listener stopped accepting because --max-connections were open.");
  for (auto [label, c] : servers)
    AppendMetricLine(out, "callpathd_connection_limit_reached_total", label, c->connection_limit_reached.load());
  AppendMetricHeader(out, "callpathd_over_budget_requests_total", "counter",
         "Requests refused (429) because --max-inflight-bytes had no room for their body.");
  for (auto [label, c] : servers)
    AppendMetricLine(out, "callpathd_over_budget_requests_total", label, c->over_body_budget.load());
  if (body_budget != nullptr) {
    AppendMetricHeader(out, "callpathd_inflight_request_bytes", "gauge", "Request body bytes held in memory now.");
    AppendMetricLine(out, "callpathd_inflight_request_bytes", "", body_budget->used());
    AppendMetricHeader(out, "callpathd_inflight_request_bytes_limit", "gauge", "--max-inflight-bytes.");
    AppendMetricLine(out, "callpathd_inflight_request_bytes_limit", "", body_budget->capacity());
  }
}

std::string DaemonMetrics::RenderPrometheus(uint64_t queue_depth, uint64_t queue_capacity,
                                            uint64_t store_bytes) const {
  std::string out;
  out.reserve(8192);
  struct Family {
    const char* name;
    const char* help;
    std::atomic<uint64_t> SignalCounters::*field;
  };
  const Family families[] = {
      {"callpathd_received_total", "Items decoded from export requests.", &SignalCounters::received},
      {"callpathd_stored_total", "Items acknowledged by the store.", &SignalCounters::stored},
      {"callpathd_rejected_total", "Invalid items rejected (partial success or undecodable).",
       &SignalCounters::rejected},
      {"callpathd_dropped_total", "Valid items refused because the write queue was full.",
       &SignalCounters::dropped},
      {"callpathd_store_failed_total", "Items the store failed to write.", &SignalCounters::failed},
  };
  for (const Family& f : families) {
    AppendMetricHeader(out, f.name, "counter", f.help);
    AppendMetricLine(out, f.name, "signal=\"spans\"", (spans.*f.field).load(std::memory_order_relaxed));
    AppendMetricLine(out, f.name, "signal=\"logs\"", (logs.*f.field).load(std::memory_order_relaxed));
  }
  AppendMetricHeader(out, "callpathd_received_bytes_total", "counter", "Request body bytes as received.");
  AppendMetricLine(out, "callpathd_received_bytes_total", "", received_bytes.load(std::memory_order_relaxed));
  AppendMetricHeader(out, "callpathd_decompressed_bytes_total", "counter", "Request body bytes after inflate.");
  AppendMetricLine(out, "callpathd_decompressed_bytes_total", "",
       decompressed_bytes.load(std::memory_order_relaxed));
  AppendMetricHeader(out, "callpathd_http_errors_total", "counter", "HTTP answers with a 4xx or 5xx status.");
  AppendMetricLine(out, "callpathd_http_errors_total", "class=\"4xx\"", http_requests_4xx.load());
  AppendMetricLine(out, "callpathd_http_errors_total", "class=\"5xx\"", http_requests_5xx.load());

  AppendMetricHeader(out, "callpathd_duplicate_spans_total", "counter",
         "Spans rejected for repeating the trace and span id of another span of their request.");
  AppendMetricLine(out, "callpathd_duplicate_spans_total", "", duplicate_spans.load(std::memory_order_relaxed));
  AppendMetricHeader(out, "callpathd_out_of_window_items_total", "counter",
         "Spans and log records rejected for a timestamp too far before or after their arrival.");
  AppendMetricLine(out, "callpathd_out_of_window_items_total", "", out_of_window_items.load(std::memory_order_relaxed));
  RenderServerCounters(out);

  AppendMetricHeader(out, "callpathd_export_duration_seconds", "histogram",
         "Time from receiving an export request to answering it.");
  const char* transports[] = {"http", "grpc"};
  const char* signals[] = {"traces", "logs"};
  for (int t = 0; t < 2; ++t)
    for (int s = 0; s < 2; ++s)
      export_latency[t][s].Render("callpathd_export_duration_seconds",
                                  std::string("transport=\"") + transports[t] + "\",signal=\"" +
                                      signals[s] + "\"",
                                  out);
  AppendMetricHeader(out, "callpathd_query_duration_seconds", "histogram", "Query API request latency.");
  query_latency.Render("callpathd_query_duration_seconds", "", out);
  AppendMetricHeader(out, "callpathd_store_write_duration_seconds", "histogram", "Store write call latency.");
  store_write_latency.Render("callpathd_store_write_duration_seconds", "", out);

  AppendMetricHeader(out, "callpathd_queue_depth", "gauge", "Spans + log records waiting for the store.");
  AppendMetricLine(out, "callpathd_queue_depth", "", queue_depth);
  AppendMetricHeader(out, "callpathd_queue_capacity", "gauge", "Configured queue size.");
  AppendMetricLine(out, "callpathd_queue_capacity", "", queue_capacity);
  AppendMetricHeader(out, "callpathd_store_size_bytes", "gauge", "Bytes used by the store on disk.");
  AppendMetricLine(out, "callpathd_store_size_bytes", "", store_bytes);
  return out;
}

}  // namespace callpath::daemon
