#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

extern char** environ;

namespace gateway_test {

namespace pb = opentelemetry::proto;

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(20ms);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  { std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text; }
  std::rename(tmp.c_str(), path.c_str());
}

std::string MakeTempDir() {
  std::string tmpl = "/tmp/gateway_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  return dir ? std::string(dir) : std::string("/tmp");
}

std::unique_ptr<Process> Process::Spawn(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env,
                                        const std::string& stdout_path,
                                        const std::string& stderr_path) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp, args;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return nullptr;
  return std::unique_ptr<Process>(new Process(pid));
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait(10s);
  }
}

void Process::Signal(int sig) const {
  if (!reaped_) kill(pid_, sig);
}

bool Process::Running() {
  if (reaped_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  WaitUntil([&] { return !Running(); }, timeout);
  return reaped_ ? status_ : -1;
}

namespace {

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string ValueText(const pb::common::v1::AnyValue& v) {
  switch (v.value_case()) {
    case pb::common::v1::AnyValue::kStringValue: return v.string_value();
    case pb::common::v1::AnyValue::kIntValue: return std::to_string(v.int_value());
    case pb::common::v1::AnyValue::kBoolValue: return v.bool_value() ? "true" : "false";
    case pb::common::v1::AnyValue::kDoubleValue: return std::to_string(v.double_value());
    default: return "?";
  }
}

}  // namespace

Collector::Collector() : server_(std::make_unique<httplib::Server>()) {
  server_->Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
    pb::collector::trace::v1::ExportTraceServiceRequest msg;
    if (!msg.ParseFromString(req.body)) {
      res.status = 400;
      return;
    }
    std::lock_guard lock(mu_);
    for (const auto& rs : msg.resource_spans()) {
      std::string service;
      for (const auto& kv : rs.resource().attributes()) {
        if (kv.key() == "service.name") service = kv.value().string_value();
      }
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& s : ss.spans()) {
          CollectedSpan c;
          c.trace_id = Hex(s.trace_id());
          c.span_id = Hex(s.span_id());
          c.parent_span_id = Hex(s.parent_span_id());
          c.name = s.name();
          c.kind = s.kind();
          c.status_code = s.status().code();
          c.service_name = service;
          for (const auto& kv : s.attributes()) c.attributes[kv.key()] = ValueText(kv.value());
          for (const auto& l : s.links()) {
            CollectedSpan::Link link{Hex(l.trace_id()), Hex(l.span_id()), {}};
            for (const auto& kv : l.attributes()) link.attributes[kv.key()] = ValueText(kv.value());
            c.links.push_back(std::move(link));
          }
          spans_.push_back(std::move(c));
        }
      }
    }
    res.set_content("", "application/x-protobuf");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  WaitUntil([this] { return server_->is_running(); });
}

Collector::~Collector() {
  server_->stop();
  thread_.join();
}

std::vector<CollectedSpan> Collector::Spans() const {
  std::lock_guard lock(mu_);
  return spans_;
}

std::vector<CollectedSpan> Collector::SpansOfTrace(const std::string& trace_id) const {
  std::vector<CollectedSpan> out;
  for (auto& s : Spans()) {
    if (s.trace_id == trace_id) out.push_back(s);
  }
  return out;
}

HttpResult HttpGet(int port, const std::string& target,
                   const std::map<std::string, std::string>& headers, std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(timeout);
  client.set_connection_timeout(timeout);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  HttpResult out;
  auto res = client.Get(target, h);
  if (!res) return out;
  out.status = res->status;
  out.body = res->body;
  for (const auto& [k, v] : res->headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = v;
  }
  return out;
}

std::string JsonField(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  size_t p = json.find(needle);
  if (p == std::string::npos) return "";
  p += needle.size();
  if (p < json.size() && json[p] == '"') {
    size_t end = json.find('"', p + 1);
    return json.substr(p + 1, end - p - 1);
  }
  size_t end = json.find_first_of(",}", p);
  return json.substr(p, end - p);
}

}  // namespace gateway_test
