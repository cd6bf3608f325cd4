#include "harness.h"

#include <fcntl.h>
#include <poll.h>

#include <cstring>
#include <memory>

namespace callpath::instrumentation {

std::string Hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string ReceivedSpan::trace_id() const { return Hex(span.trace_id()); }
std::string ReceivedSpan::span_id() const { return Hex(span.span_id()); }
std::string ReceivedSpan::parent_id() const { return Hex(span.parent_span_id()); }

std::string ReceivedSpan::Attr(const std::string& key) const {
  for (const auto& kv : span.attributes()) {
    if (kv.key() != key) continue;
    const auto& v = kv.value();
    if (v.has_string_value()) return v.string_value();
    if (v.has_int_value()) return std::to_string(v.int_value());
    if (v.has_bool_value()) return v.bool_value() ? "true" : "false";
    return "?";
  }
  return "";
}

OtlpReceiver::OtlpReceiver() {
  server_.Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
    pb::collector::trace::v1::ExportTraceServiceRequest export_request;
    if (!export_request.ParseFromString(req.body)) {
      res.status = 400;
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& rs : export_request.resource_spans()) {
        std::string service;
        for (const auto& kv : rs.resource().attributes()) {
          if (kv.key() == "service.name") service = kv.value().string_value();
        }
        for (const auto& ss : rs.scope_spans()) {
          for (const auto& s : ss.spans()) spans_.push_back({service, s});
        }
      }
    }
    cv_.notify_all();
    res.set_content("", "application/x-protobuf");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

OtlpReceiver::~OtlpReceiver() {
  server_.stop();
  thread_.join();
}

std::vector<ReceivedSpan> OtlpReceiver::WaitForTrace(const std::string& trace_id, size_t count) {
  auto of_trace = [&](const std::vector<ReceivedSpan>& all) {
    std::vector<ReceivedSpan> out;
    for (const auto& s : all) {
      if (s.trace_id() == trace_id) out.push_back(s);
    }
    return out;
  };
  return of_trace(WaitFor([&](const std::vector<ReceivedSpan>& all) {
    return of_trace(all).size() >= count;
  }));
}

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env) {
  int fds[2];
  if (pipe(fds) != 0) return;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string s = *e;
    if (env.count(s.substr(0, s.find('='))) == 0) env_strings.push_back(s);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  out_fd_ = fds[0];
  if (rc != 0) return;
  pid_ = pid;
  // The first line, with a generous bound: a loaded machine starts slowly.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (first_line_.find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char buf[256];
    ssize_t n = read(out_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // exited
    first_line_.append(buf, static_cast<size_t>(n));
  }
}

Process::~Process() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

int Process::Port(const std::string& key) const {
  size_t p = first_line_.find(" " + key + "=");
  if (p == std::string::npos) return -1;
  return std::atoi(first_line_.c_str() + p + key.size() + 2);
}

std::unique_ptr<Process> StartHop(const OtlpReceiver& receiver,
                                  const std::vector<std::string>& args) {
  std::vector<std::string> argv{std::string(CALLPATH_BIN_DIR) + "/hop-service"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env{
      {"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()},
      {"OTEL_TRACES_EXPORTER", "otlp"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
      {"OTEL_BSP_SCHEDULE_DELAY", "20"},
      {"OTEL_PROPAGATORS", "tracecontext,baggage"},
      {"OTEL_TRACES_SAMPLER", "parentbased_always_on"},
      {"OTEL_LOGS_EXPORTER", "none"},
      {"CALLPATH_LOG_LEVEL", "warn"},
      {"OTEL_SDK_DISABLED", "false"},
  };
  auto p = std::make_unique<Process>(argv, env);
  return p;
}

const ReceivedSpan* Find(const std::vector<ReceivedSpan>& spans, const std::string& service,
                         int kind) {
  for (const auto& s : spans) {
    if (s.service == service && s.span.kind() == kind) return &s;
  }
  return nullptr;
}

}  // namespace callpath::instrumentation
