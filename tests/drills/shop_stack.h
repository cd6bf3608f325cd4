// The drill tests' world: callpathd, the four shop services and the gateway,
// each a real process on free loopback ports, with a scratch data directory.
//
//   ShopStack stack;
//   ASSERT_TRUE(stack.Start()) << stack.error();
//   ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"error"})"));
//   OrderReply r = stack.PlaceOrder();
//   TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) { return ...; });
//
// Processes are started with fork/exec, their output goes to files in the
// scratch directory (printed when a test fails), and they are stopped by
// PID: SIGTERM, then SIGKILL if one does not stop within 10 s.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace callpath::drills {

// One child process.
class Process {
 public:
  Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() { Stop(); }

  // Starts argv[0] with `args`; stdout and stderr go to `log_path`.
  bool Start(const std::vector<std::string>& args, const std::string& log_path);
  // SIGTERM, wait up to 10 s, then SIGKILL. Returns the wait status.
  int Stop();
  // Whether the process has exited; its wait status in `*status`.
  bool Exited(int* status);
  // Waits up to `timeout` for the process to exit.
  bool WaitExit(std::chrono::milliseconds timeout, int* status);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

struct SpanView {
  std::string span_id, parent_span_id, service, operation, kind;
  std::string status;          // "ok", "error", "unset"
  std::string status_message;
  uint64_t start_ns = 0, duration_ns = 0;
  std::map<std::string, std::string> attributes;  // values as text

  bool error() const { return status == "error"; }
  std::string Attr(const std::string& key) const;
};

struct LogView {
  std::string service, level, msg, trace_id, span_id;  // level in lower case
  std::map<std::string, std::string> attributes;  // values as text
};

// What GET /api/v1/traces/{id} answered.
struct TraceView {
  bool found = false;
  std::vector<SpanView> spans;
  std::vector<LogView> logs;

  std::vector<const SpanView*> Spans(std::string_view service, std::string_view operation) const;
  const SpanView* Span(std::string_view span_id) const;
  std::vector<const LogView*> Logs(std::string_view service, std::string_view msg = {}) const;
  // The gateway's CLIENT spans: one per attempt at the upstream.
  std::vector<const SpanView*> GatewayAttempts() const;
  // One line per span and log, for failure messages.
  std::string Describe() const;
};

struct OrderReply {
  int status = 0;  // 0: no answer
  std::string trace_id;  // from X-Trace-ID
  std::string body;
};

class ShopStack {
 public:
  ShopStack();
  ~ShopStack();  // stops every process, removes the scratch directory

  // Starts everything (dependencies first) and waits until each is ready.
  // `gateway_timeout` is the route's per-attempt timeout.
  bool Start(std::string_view gateway_timeout = "2s");
  // Before Start: the services leave no fault markers (shop.fault, "fault
  // injected"), only the faults' effects.
  void set_fault_markers(bool on) { fault_markers_ = on; }
  const std::string& error() const { return error_; }

  // POST /admin/faults on one service ("order", "inventory", "payment",
  // "user") with a JSON body; true on 200.
  bool SetFault(const std::string& service, const std::string& json);

  // POST /api/orders through the gateway.
  OrderReply PlaceOrder(int user_id = 7);

  // Polls the query API until `done` holds (or 45 s pass) and returns the
  // last answer.
  TraceView WaitForTrace(const std::string& trace_id,
                         const std::function<bool(const TraceView&)>& done);
  TraceView GetTrace(const std::string& trace_id);
  // GET /api/v1/traces/{id}/explain: {HTTP status, body} (status 0: no answer).
  std::pair<int, std::string> Explain(const std::string& trace_id);
  // tools/call explain_trace on the MCP endpoint (session-less): the
  // JSON-RPC response body.
  std::pair<int, std::string> ExplainOverMcp(const std::string& trace_id);

  Process& process(const std::string& name) { return *processes_.at(name); }
  // The tail of every process's output, for failure messages.
  std::string Logs() const;

 private:
  bool Launch(const std::string& name, std::vector<std::string> args);
  bool WaitReady(const std::string& name, std::map<std::string, int>* ports);

  std::string dir_;
  std::string error_;
  std::map<std::string, std::unique_ptr<Process>> processes_;
  std::vector<std::string> start_order_;
  std::map<std::string, int> port_, admin_port_;
  int query_port_ = 0, otlp_http_port_ = 0, gateway_port_ = 0;
  bool fault_markers_ = true;
};

}  // namespace callpath::drills
