#include "daemon/daemon_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace callpath::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "callpathd-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

uint16_t PortField(const std::string& json, const std::string& key) {
  size_t p = json.find("\"" + key + "\":");
  if (p == std::string::npos) return 0;
  return static_cast<uint16_t>(std::atoi(json.c_str() + p + key.size() + 3));
}

}  // namespace

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Kill();
}

bool DaemonProcess::Start(const std::string& data_dir, const std::vector<std::string>& extra) {
  ready_file_ = data_dir + ".ready";
  std::error_code ec;
  fs::remove(ready_file_, ec);
  std::vector<std::string> args = {std::string(CALLPATH_BIN_DIR) + "/callpathd", "--data-dir", data_dir,
                                   "--ready-file", ready_file_};
  // Port-0 listeners unless `extra` names the address (a flag may be given once).
  for (const char* listen : {"--otlp-http-listen", "--otlp-grpc-listen", "--query-listen"}) {
    if (std::find(extra.begin(), extra.end(), listen) == extra.end()) {
      args.push_back(listen);
      args.push_back("127.0.0.1:0");
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = ::fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    // Die with the test process, even when it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (descriptor_limit_ != 0) {
      rlimit nofile{descriptor_limit_, descriptor_limit_};
      if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0) ::_exit(126);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "callpathd exited during start-up (status " + std::to_string(status) + ")";
      return false;
    }
    if (fs::exists(ready_file_)) {
      std::string json = ReadFileOrDie(ready_file_);
      http_ = PortField(json, "otlp_http_port");
      grpc_ = PortField(json, "otlp_grpc_port");
      query_ = PortField(json, "query_port");
      if (http_ && grpc_ && query_) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "callpathd did not become ready within 60 s";
  Kill();
  return false;
}

int DaemonProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void DaemonProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

namespace {

bool SendAll(int fd, const char* p, size_t n, int timeout_s) {
  while (n > 0) {
    pollfd pfd{fd, POLLOUT, 0};
    if (::poll(&pfd, 1, timeout_s * 1000) <= 0) return false;
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Parses a complete response out of `buf`; false if more bytes are needed.
bool ParseResponse(const std::string& buf, HttpResult* r, bool eof) {
  size_t hdr_end = buf.find("\r\n\r\n");
  if (hdr_end == std::string::npos) return false;
  std::istringstream head(buf.substr(0, hdr_end));
  std::string line;
  std::getline(head, line);
  if (line.size() < 12) return false;
  r->status = std::atoi(line.c_str() + 9);
  r->headers.clear();
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string k = line.substr(0, colon);
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    r->headers[k] = v == std::string::npos ? "" : line.substr(v);
  }
  auto cl = r->headers.find("content-length");
  size_t body_start = hdr_end + 4;
  if (cl != r->headers.end()) {
    size_t len = static_cast<size_t>(std::stoull(cl->second));
    if (buf.size() < body_start + len) return false;
    r->body = buf.substr(body_start, len);
    return true;
  }
  if (!eof) return false;
  r->body = buf.substr(body_start);
  return true;
}

}  // namespace

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const HttpCallOptions& o) {
  HttpResult r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    r.error = "connect failed";
    return r;
  }
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!o.content_type.empty()) head += "Content-Type: " + o.content_type + "\r\n";
  if (!o.content_encoding.empty()) head += "Content-Encoding: " + o.content_encoding + "\r\n";
  for (const auto& [name, value] : o.headers) head += name + ": " + value + "\r\n";
  if (o.chunked) head += "Transfer-Encoding: chunked\r\n";
  else if (method != "GET" || !body.empty()) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  head += "\r\n";
  // Send in pieces; if the server answers early (413) stop sending and read.
  bool send_ok = SendAll(fd, head.data(), head.size(), o.timeout_seconds);
  std::string buf;
  char tmp[65536];
  size_t sent = 0;
  const size_t kChunk = 256 * 1024;
  while (send_ok && sent < body.size()) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 0) > 0) break;  // an early answer
    size_t n = std::min(kChunk, body.size() - sent);
    if (o.chunked) {
      char size_line[32];
      int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
      send_ok = SendAll(fd, size_line, static_cast<size_t>(len), o.timeout_seconds) &&
                SendAll(fd, body.data() + sent, n, o.timeout_seconds) && SendAll(fd, "\r\n", 2, o.timeout_seconds);
    } else {
      send_ok = SendAll(fd, body.data() + sent, n, o.timeout_seconds);
    }
    sent += n;
  }
  if (send_ok && o.chunked && sent >= body.size()) SendAll(fd, "0\r\n\r\n", 5, o.timeout_seconds);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_seconds);
  for (;;) {
    if (ParseResponse(buf, &r, false)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.status = 0;
      r.error = "timeout";
      break;
    }
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 1000) <= 0) continue;
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
      if (!ParseResponse(buf, &r, true)) {
        r.status = 0;
        r.error = "connection closed before a complete response";
      }
      break;
    }
    buf.append(tmp, static_cast<size_t>(n));
  }
  ::close(fd);
  return r;
}

}  // namespace callpath::testing
