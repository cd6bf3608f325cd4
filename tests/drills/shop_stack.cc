#include "drills/shop_stack.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace callpath::drills {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Bin(const std::string& name) { return std::string(CALLPATH_BIN_DIR) + "/" + name; }

// simdjson value -> text: strings as they are, anything else as JSON.
std::string Text(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

std::string Str(simdjson::dom::element obj, const char* key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

uint64_t Uint(simdjson::dom::element obj, const char* key) {
  uint64_t v = 0;
  if (obj[key].get_uint64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

std::map<std::string, std::string> Attributes(simdjson::dom::element obj) {
  std::map<std::string, std::string> out;
  simdjson::dom::object attrs;
  if (obj["attributes"].get_object().get(attrs) != simdjson::SUCCESS) return out;
  for (auto field : attrs) out[std::string(field.key)] = Text(field.value);
  return out;
}

int JsonInt(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  int64_t v = 0;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return 0;
  if (doc[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return static_cast<int>(v);
}

TraceView ParseTrace(const std::string& body) {
  TraceView t;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return t;
  simdjson::dom::array spans, logs;
  if (doc["spans"].get_array().get(spans) != simdjson::SUCCESS) return t;
  t.found = true;
  for (auto s : spans) {
    SpanView v;
    v.span_id = Str(s, "span_id");
    v.parent_span_id = Str(s, "parent_span_id");
    v.service = Str(s, "service");
    v.operation = Str(s, "operation");
    v.kind = Str(s, "kind");
    v.start_ns = Uint(s, "start_ns");
    v.duration_ns = Uint(s, "duration_ns");
    simdjson::dom::element status;
    if (s["status"].get(status) == simdjson::SUCCESS) {
      v.status = Str(status, "code");
      v.status_message = Str(status, "message");
    }
    v.attributes = Attributes(s);
    t.spans.push_back(std::move(v));
  }
  if (doc["logs"].get_array().get(logs) == simdjson::SUCCESS) {
    for (auto l : logs) {
      LogView v;
      v.service = Str(l, "service_name");
      v.level = Str(l, "level");
      // OTLP severity texts are upper case ("WARN"), the JSON lines lower.
      for (char& c : v.level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      v.msg = Str(l, "msg");
      v.trace_id = Str(l, "trace_id");
      v.span_id = Str(l, "span_id");
      v.attributes = Attributes(l);
      t.logs.push_back(std::move(v));
    }
  }
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------
// Process

bool Process::Start(const std::vector<std::string>& args, const std::string& log_path) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    return false;
  }
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    // The test runner may block signals; the child must see SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fd);
  pid_ = pid;
  reaped_ = false;
  return true;
}

bool Process::Exited(int* status) {
  if (pid_ <= 0) return false;
  if (!reaped_) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) != pid_) return false;
    reaped_ = true;
    status_ = st;
  }
  if (status) *status = status_;
  return true;
}

bool Process::WaitExit(milliseconds timeout, int* status) {
  auto deadline = steady_clock::now() + timeout;
  while (!Exited(status)) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

int Process::Stop() {
  if (pid_ <= 0) return 0;
  if (!Exited(nullptr)) {
    ::kill(pid_, SIGTERM);
    auto deadline = steady_clock::now() + seconds(10);
    while (!Exited(nullptr) && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    if (!Exited(nullptr)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      reaped_ = true;
    }
  }
  pid_ = -1;
  return status_;
}

// ---------------------------------------------------------------------------
// Views

std::string SpanView::Attr(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? std::string() : it->second;
}

std::vector<const SpanView*> TraceView::Spans(std::string_view service,
                                              std::string_view operation) const {
  std::vector<const SpanView*> out;
  for (const auto& s : spans) {
    if (s.service == service && s.operation == operation) out.push_back(&s);
  }
  return out;
}

const SpanView* TraceView::Span(std::string_view span_id) const {
  for (const auto& s : spans) {
    if (s.span_id == span_id) return &s;
  }
  return nullptr;
}

std::vector<const LogView*> TraceView::Logs(std::string_view service, std::string_view msg) const {
  std::vector<const LogView*> out;
  for (const auto& l : logs) {
    if (l.service == service && (msg.empty() || l.msg == msg)) out.push_back(&l);
  }
  return out;
}

std::vector<const SpanView*> TraceView::GatewayAttempts() const {
  std::vector<const SpanView*> out;
  for (const auto& s : spans) {
    if (s.service == "gateway" && s.kind == "client") out.push_back(&s);
  }
  return out;
}

std::string TraceView::Describe() const {
  std::string d = found ? "" : "(trace not found)\n";
  for (const auto& s : spans) {
    d += "span " + s.service + " | " + s.operation + " | " + s.kind + " | " +
         std::to_string(s.duration_ns / 1000000) + " ms | " + s.status +
         (s.status_message.empty() ? "" : " (" + s.status_message + ")") + "\n";
  }
  for (const auto& l : logs) d += "log  " + l.service + " | " + l.level + " | " + l.msg + "\n";
  return d;
}

// ---------------------------------------------------------------------------
// ShopStack

ShopStack::ShopStack() {
  std::string tmpl = (fs::temp_directory_path() / "callpath-drill-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
}

ShopStack::~ShopStack() {
  // Callers first, callpathd last (it receives the final exports).
  for (auto it = start_order_.rbegin(); it != start_order_.rend(); ++it) processes_[*it]->Stop();
  if (!dir_.empty() && std::getenv("CALLPATH_KEEP_DRILL_DIR") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

bool ShopStack::Launch(const std::string& name, std::vector<std::string> args) {
  args.push_back("--ready-file");
  args.push_back(dir_ + "/" + name + ".ready");
  auto p = std::make_unique<Process>();
  if (!p->Start(args, dir_ + "/" + name + ".log")) {
    error_ = "cannot start " + args[0];
    return false;
  }
  processes_[name] = std::move(p);
  start_order_.push_back(name);
  return true;
}

bool ShopStack::WaitReady(const std::string& name, std::map<std::string, int>* ports) {
  const std::string file = dir_ + "/" + name + ".ready";
  // Generous: a loaded 2-core machine may take a while to start a process.
  auto deadline = steady_clock::now() + seconds(60);
  while (steady_clock::now() < deadline) {
    int status = 0;
    if (processes_[name]->Exited(&status)) {
      error_ = name + " exited during start-up (wait status " + std::to_string(status) + ")\n" + Logs();
      return false;
    }
    if (fs::exists(file)) {
      std::string json = ReadFile(file);
      for (auto& [key, value] : *ports) value = JsonInt(json, key.c_str());
      bool all = true;
      for (auto& [key, value] : *ports) all = all && value > 0;
      if (all) return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  error_ = name + " did not become ready within 60 s\n" + Logs();
  return false;
}

bool ShopStack::Start(std::string_view gateway_timeout) {
  if (dir_.empty()) {
    error_ = "cannot create a scratch directory";
    return false;
  }
  const std::string lo = "127.0.0.1";
  if (!Launch("callpathd", {Bin("callpathd"), "--data-dir", dir_ + "/store", "--otlp-http-listen",
                            lo + ":0", "--otlp-grpc-listen", lo + ":0", "--query-listen", lo + ":0",
                            "--sync-writes", "false"})) {
    return false;
  }
  std::map<std::string, int> daemon_ports = {{"otlp_http_port", 0}, {"query_port", 0}};
  if (!WaitReady("callpathd", &daemon_ports)) return false;
  otlp_http_port_ = daemon_ports["otlp_http_port"];
  query_port_ = daemon_ports["query_port"];

  // Inherited by every service started below: export to this daemon, soon.
  const std::string endpoint = "http://" + lo + ":" + std::to_string(otlp_http_port_);
  ::setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.c_str(), 1);
  ::setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", 1);
  ::setenv("OTEL_BSP_SCHEDULE_DELAY", "200", 1);
  ::setenv("OTEL_BLRP_SCHEDULE_DELAY", "200", 1);
  ::setenv("OTEL_TRACES_SAMPLER", "always_on", 1);
  ::unsetenv("OTEL_SDK_DISABLED");
  ::unsetenv("OTEL_TRACES_EXPORTER");
  ::unsetenv("OTEL_LOGS_EXPORTER");
  ::unsetenv("OTEL_SERVICE_NAME");

  auto url = [&](const std::string& svc) { return "http://" + lo + ":" + std::to_string(port_[svc]); };
  for (const std::string svc : {"user", "payment", "inventory", "order"}) {
    std::vector<std::string> args = {Bin("shop-" + svc), "--host", lo, "--port", "0",
                                     "--admin-port", "0", "--fault-markers", fault_markers_ ? "on" : "off"};
    if (svc == "payment") args.insert(args.end(), {"--user-url", url("user")});
    if (svc == "order") {
      args.insert(args.end(), {"--user-url", url("user"), "--payment-url", url("payment"),
                               "--inventory-addr", lo + ":" + std::to_string(port_["inventory"])});
    }
    if (!Launch(svc, args)) return false;
    std::map<std::string, int> ports = {{"port", 0}, {"admin_port", 0}};
    if (!WaitReady(svc, &ports)) return false;
    port_[svc] = ports["port"];
    admin_port_[svc] = ports["admin_port"];
  }

  // The demo's gateway route: one retry on failures and timeouts.
  const std::string config = dir_ + "/gateway.yaml";
  std::ofstream(config) << "listen: 127.0.0.1:0\n"
                           "threads: 2\n"
                           "service_name: gateway\n"
                           "routes:\n"
                           "  - match: {path_prefix: /api/orders}\n"
                           "    upstream: orders\n"
                           "    timeout: " << gateway_timeout << "\n"
                           "    retries: {attempts: 2, on: [502, 503, 504, connect-failure, timeout],\n"
                           "              backoff: 50ms, non_idempotent: true}\n"
                           "    strip_prefix: /api\n"
                           "upstreams:\n"
                           "  orders:\n"
                           "    endpoints: [127.0.0.1:" << port_["order"] << "]\n";
  if (!Launch("gateway", {Bin("callpath-gateway"), "--config", config})) return false;
  std::map<std::string, int> gw_ports = {{"port", 0}};
  if (!WaitReady("gateway", &gw_ports)) return false;
  gateway_port_ = gw_ports["port"];
  return true;
}

bool ShopStack::SetFault(const std::string& service, const std::string& json) {
  httplib::Client c("127.0.0.1", admin_port_[service]);
  c.set_read_timeout(30);
  auto r = c.Post("/admin/faults", json, "application/json");
  return r && r->status == 200;
}

OrderReply ShopStack::PlaceOrder(int user_id) {
  httplib::Client c("127.0.0.1", gateway_port_);
  c.set_read_timeout(60);
  static int n = 0;
  httplib::Headers headers = {{"Idempotency-Key", "drill-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(++n)}};
  std::string body = "{\"user_id\":" + std::to_string(user_id) +
                     ",\"items\":[{\"sku\":\"SKU-1003\",\"quantity\":2},"
                     "{\"sku\":\"SKU-1011\",\"quantity\":1}]}";
  OrderReply out;
  auto r = c.Post("/api/orders", headers, body, "application/json");
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.trace_id = r->get_header_value("X-Trace-ID");
  return out;
}

TraceView ShopStack::GetTrace(const std::string& trace_id) {
  httplib::Client c("127.0.0.1", query_port_);
  c.set_read_timeout(30);
  auto r = c.Get("/api/v1/traces/" + trace_id);
  if (!r || r->status != 200) return {};
  return ParseTrace(r->body);
}

std::pair<int, std::string> ShopStack::Explain(const std::string& trace_id) {
  httplib::Client c("127.0.0.1", query_port_);
  c.set_read_timeout(30);
  auto r = c.Get("/api/v1/traces/" + trace_id + "/explain");
  if (!r) return {0, ""};
  return {r->status, r->body};
}

std::pair<int, std::string> ShopStack::ExplainOverMcp(const std::string& trace_id) {
  httplib::Client c("127.0.0.1", query_port_);
  c.set_read_timeout(30);
  std::string body = R"({"jsonrpc":"2.0","id":0,"method":"tools/call","params":{"name":"explain_trace",)"
                     R"("arguments":{"trace_id":")" + trace_id + R"("}}})";
  httplib::Headers headers = {{"Accept", "application/json, text/event-stream"},
                              {"MCP-Protocol-Version", "2025-06-18"}};
  auto r = c.Post("/api/mcp", headers, body, "application/json");
  if (!r) return {0, ""};
  return {r->status, r->body};
}

TraceView ShopStack::WaitForTrace(const std::string& trace_id,
                                  const std::function<bool(const TraceView&)>& done) {
  auto deadline = steady_clock::now() + seconds(45);
  TraceView t;
  while (steady_clock::now() < deadline) {
    t = GetTrace(trace_id);
    if (t.found && done(t)) return t;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return t;
}

std::string ShopStack::Logs() const {
  std::string out;
  for (const auto& name : start_order_) {
    std::string text = ReadFile(dir_ + "/" + name + ".log");
    if (text.size() > 3000) text = "..." + text.substr(text.size() - 3000);
    out += "---- " + name + " ----\n" + text;
  }
  return out;
}

}  // namespace callpath::drills
