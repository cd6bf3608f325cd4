// The `callpath` binary against a real callpathd: the daemon runs on free
// loopback ports with a scratch data directory, receives the OpenTelemetry
// JS SDK's sample trace and logs over OTLP/HTTP, and the CLI must show the
// services, operations, logs and the failing span.
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "otlp/testing/otlp_samples.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

constexpr char kTraceId[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
// The samples were recorded with timestamps in late 2026: search them
// with an explicit window instead of "the last hour".
constexpr char kWindowStart[] = "0";
constexpr char kWindowEnd[] = "4000000000000000000";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `argv` to completion, collecting stdout and stderr (read together
// with poll so neither pipe can fill up and stall the child).
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {}) {
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("CALLPATH_SERVER=") || v.starts_with("NO_COLOR=")) continue;
    env_strings.emplace_back(v);
  }
  for (const auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult r;
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    r.err = "posix_spawn failed: " + std::to_string(rc);
    return r;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, 120'000) <= 0) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, static_cast<size_t>(n));
      } else {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// One HTTP request with libcurl; returns the status (0: no answer).
int Http(const std::string& method, const std::string& url, const std::string& body = {},
         const std::string& content_type = {}, std::string* response = nullptr) {
  CURL* curl = curl_easy_init();
  std::string sink;
  curl_slist* headers = nullptr;
  if (!content_type.empty()) headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, response ? response : &sink);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return static_cast<int>(status);
}

uint16_t PortField(const std::string& json, const std::string& key) {
  size_t p = json.find("\"" + key + "\":");
  if (p == std::string::npos) return 0;
  return static_cast<uint16_t>(std::atoi(json.c_str() + p + key.size() + 3));
}

class CliEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::string tmpl = (fs::temp_directory_path() / "callpath-cli-e2e-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::string ready = dir_ + "/ready.json";
    std::vector<std::string> argv = {std::string(CALLPATH_BIN_DIR) + "/callpathd",
                                     "--data-dir", dir_ + "/data",
                                     "--otlp-http-listen", "127.0.0.1:0",
                                     "--otlp-grpc-listen", "127.0.0.1:0",
                                     "--query-listen", "127.0.0.1:0",
                                     "--ready-file", ready,
                                     // The samples keep their 2026-11-26 timestamps:
                                     // no age limit, as for a backfill.
                                     "--max-item-age", "0"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    ASSERT_EQ(::posix_spawn(&daemon_pid_, args[0], &actions, nullptr, args.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);

    // Ready when the daemon has written its ports (it does so once every
    // listener accepts connections).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (query_port_ == 0) {
      int status = 0;
      if (::waitpid(daemon_pid_, &status, WNOHANG) == daemon_pid_) {
        daemon_pid_ = -1;
        FAIL() << "callpathd exited during start-up (status " << status << ")";
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "callpathd not ready within 60 s";
      if (fs::exists(ready)) {
        std::string json = ReadFile(ready);
        otlp_port_ = PortField(json, "otlp_http_port");
        query_port_ = PortField(json, "query_port");
      }
      if (query_port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    server_ = "http://127.0.0.1:" + std::to_string(query_port_);

    // The daemon answers 200 only once the batch is durably stored.
    std::string otlp = "http://127.0.0.1:" + std::to_string(otlp_port_);
    for (const auto& [file, path] : {std::pair{"otlp-traces-server.pb", "/v1/traces"},
                                     std::pair{"otlp-traces-client.pb", "/v1/traces"},
                                     std::pair{"otlp-logs-server.pb", "/v1/logs"},
                                     std::pair{"otlp-logs-client.pb", "/v1/logs"}}) {
      ASSERT_EQ(Http("POST", otlp + path, callpath::testing::ReadOtlpSample(file), "application/x-protobuf"), 200) << file;
    }
  }

  static void TearDownTestSuite() {
    if (daemon_pid_ > 0) {
      ::kill(daemon_pid_, SIGTERM);
      int status = 0;
      ::waitpid(daemon_pid_, &status, 0);
      daemon_pid_ = -1;
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    curl_global_cleanup();
  }

  static ProcessResult Cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), std::string(CALLPATH_BIN_DIR) + "/callpath");
    if (env.empty()) env.push_back("CALLPATH_SERVER=" + server_);
    return RunProcess(args, env);
  }

  static inline pid_t daemon_pid_ = -1;
  static inline std::string dir_;
  static inline uint16_t otlp_port_ = 0, query_port_ = 0;
  static inline std::string server_;
};

TEST_F(CliEndToEndTest, TraceShowsTheCallTreeLogsAndTheFailingSpan) {
  auto r = Cli({"trace", kTraceId, "--width", "160"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string& out = r.out;
  EXPECT_NE(out.find("Trace aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), std::string::npos) << out;
  EXPECT_NE(out.find("node-probe-client: client-root"), std::string::npos) << out;
  EXPECT_NE(out.find("node-probe-server: GET"), std::string::npos) << out;
  EXPECT_NE(out.find("node-probe-server: work"), std::string::npos) << out;
  EXPECT_NE(out.find("8 spans"), std::string::npos) << out;
  // Both samples' log records, under their spans.
  EXPECT_NE(out.find("INFO  [node-probe-server] hello handled"), std::string::npos) << out;
  EXPECT_NE(out.find("[node-probe-client]"), std::string::npos) << out;
  EXPECT_NE(out.find("✗ one call failed"), std::string::npos) << out;
  EXPECT_NE(out.find("Root cause: node-probe-"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << "colour escapes in a pipe";
}

TEST_F(CliEndToEndTest, TraceJsonIsTheApiDocument) {
  auto r = Cli({"trace", kTraceId, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"trace_id\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"root_causes\": {"), std::string::npos);
}

TEST_F(CliEndToEndTest, SearchFindsTheTrace) {
  auto r = Cli({"search", "--start", kWindowStart, "--end", kWindowEnd, "--utc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("TRACE ID"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kTraceId), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node-probe-client"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2026-"), std::string::npos) << r.out;

  auto by_service = Cli({"search", "--service", "node-probe-server", "--operation", "work", "--errors", "--start",
                         kWindowStart, "--end", kWindowEnd});
  ASSERT_EQ(by_service.exit_code, 0) << by_service.err;
  EXPECT_NE(by_service.out.find(kTraceId), std::string::npos) << by_service.out;

  auto none = Cli({"search", "--service", "no-such-service", "--start", kWindowStart, "--end", kWindowEnd});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
  EXPECT_NE(none.err.find("no traces found"), std::string::npos) << none.err;
}

TEST_F(CliEndToEndTest, ServicesAndOperations) {
  auto r = Cli({"services"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("node-probe-client\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node-probe-server\n"), std::string::npos) << r.out;

  auto ops = Cli({"operations", "node-probe-server"});
  ASSERT_EQ(ops.exit_code, 0) << ops.err;
  EXPECT_NE(ops.out.find("work"), std::string::npos) << ops.out;
  EXPECT_NE(ops.out.find("GET"), std::string::npos) << ops.out;
}

TEST_F(CliEndToEndTest, LogsOfTheTrace) {
  auto r = Cli({"logs", "--trace", kTraceId});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hello handled"), std::string::npos) << r.out;
  auto warn = Cli({"logs", "--trace", kTraceId, "--level", "warn"});
  ASSERT_EQ(warn.exit_code, 0) << warn.err;
  EXPECT_EQ(warn.out.find("hello handled"), std::string::npos) << warn.out;
  EXPECT_NE(warn.out.find("node-probe-client"), std::string::npos) << warn.out;
}

// `callpath mcp` relays MCP's stdio transport (a JSON-RPC message per line)
// to the server's /api/mcp and back, with the session the server gave.
TEST_F(CliEndToEndTest, McpOverStdioRelaysToTheServer) {
  const std::string input = ::testing::TempDir() + "/callpath-mcp-input-" + std::to_string(::getpid());
  {
    std::ofstream f(input);
    f << R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
      << R"("capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})" << "\n"
      << R"({"jsonrpc":"2.0","method":"notifications/initialized"})" << "\n\n"
      << R"({"jsonrpc":"2.0","id":"list","method":"tools/list"})" << "\n"
      << R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_services","arguments":{}}})"
      << "\n"
      << "not json\n";
  }
  auto r = RunProcess({"/bin/sh", "-c", "exec '" + std::string(CALLPATH_BIN_DIR) + "/callpath' mcp --server " + server_ + " < '" + input + "'"});
  std::remove(input.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // the notification gets no answer
  EXPECT_NE(lines[0].find(R"("id":0,"result":{"protocolVersion":"2025-06-18")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("id":"list")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("name":"search_traces")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"("id":2)"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(R"("node-probe-server")"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("-32700"), std::string::npos) << lines[3];

  // No server: each request still gets an answer, saying why.
  const std::string one = input + "-down";
  { std::ofstream(one) << R"({"jsonrpc":"2.0","id":7,"method":"ping"})" << "\n"; }
  r = RunProcess({"/bin/sh", "-c", "exec '" + std::string(CALLPATH_BIN_DIR) +
                                         "/callpath' mcp --server http://127.0.0.1:1 < '" + one + "'"});
  std::remove(one.c_str());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(R"("id":7,"error":{"code":-32603)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cannot reach"), std::string::npos) << r.err;
}

TEST_F(CliEndToEndTest, ExitCodesForScripts) {
  EXPECT_EQ(Cli({"trace", "123456789abcdef"}).exit_code, 3);  // unknown trace
  EXPECT_EQ(Cli({"trace", "not-a-trace-id"}).exit_code, 2);
  EXPECT_EQ(Cli({"search", "--limit", "0"}).exit_code, 2);
  // Nothing listens on loopback port 1 (tcpmux): connection refused.
  auto unreachable = Cli({"services"}, {"CALLPATH_SERVER=http://127.0.0.1:1"});
  EXPECT_EQ(unreachable.exit_code, 4);
  EXPECT_NE(unreachable.err.find("cannot reach"), std::string::npos) << unreachable.err;
  // --server wins over the environment.
  auto flag = Cli({"--server", server_, "services"}, {"CALLPATH_SERVER=http://127.0.0.1:1"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
}

}  // namespace
