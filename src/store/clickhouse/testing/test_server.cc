#include "store/clickhouse/testing/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/clickhouse/http.h"

extern char** environ;

namespace callpath::store::testing {

namespace {

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool Executable(const std::string& path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }

// A CA and a server certificate for 127.0.0.1/localhost in dir/tls.
Status MakeCertificates(const std::string& dir) {
  const std::string d = dir + "/tls/";
  std::filesystem::create_directories(d);
  std::ofstream(d + "ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const std::string quiet = " >/dev/null 2>&1";
  const std::string commands[] = {
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=callpath-test-ca -keyout '" + d +
          "ca.key' -out '" + d + "ca.pem'",
      "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout '" + d + "server.key' -out '" + d +
          "server.csr'",
      "openssl x509 -req -in '" + d + "server.csr' -CA '" + d + "ca.pem' -CAkey '" + d +
          "ca.key' -CAcreateserial -days 2 -extfile '" + d + "ext' -out '" + d + "server.pem'"};
  for (const std::string& c : commands) {
    if (std::system((c + quiet).c_str()) != 0) return Unavailable("openssl failed: " + c);
  }
  return Status::Ok();
}

std::string ServerId(const std::string& dir) { return std::filesystem::path(dir).filename().string(); }

void WriteConfig(const std::string& dir, uint16_t http, uint16_t tcp, uint16_t https,
                 const std::string& remote_servers) {
  std::ofstream c(dir + "/config.xml");
  c << "<?xml version=\"1.0\"?>\n<yandex>\n"
    << "  <logger><level>warning</level><log>" << dir << "/server.log</log><errorlog>" << dir
    << "/error.log</errorlog><console>0</console></logger>\n"
    << "  <listen_host>127.0.0.1</listen_host>\n"
    << "  <http_port>" << http << "</http_port>\n  <tcp_port>" << tcp << "</tcp_port>\n";
  if (https != 0) {
    c << "  <https_port>" << https << "</https_port>\n"
      << "  <openSSL><server><certificateFile>" << dir << "/tls/server.pem</certificateFile>"
      << "<privateKeyFile>" << dir << "/tls/server.key</privateKeyFile>"
      << "<verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile>"
      << "<disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>\n";
  }
  c
    << "  <path>" << dir << "/data/</path>\n  <tmp_path>" << dir << "/tmp/</tmp_path>\n"
    << "  <user_files_path>" << dir << "/user_files/</user_files_path>\n"
    << "  <format_schema_path>" << dir << "/format_schemas/</format_schema_path>\n"
    << "  <mark_cache_size>67108864</mark_cache_size>\n"
    << "  <users_config>users.xml</users_config>\n"
    << "  <default_profile>default</default_profile>\n  <default_database>default</default_database>\n"
    << "  <timezone>UTC</timezone>\n"
    << remote_servers
    // Names this server, so that its start is not mistaken for another
    // test's server that took the same free port first.
    << "  <macros><callpath_test_server>" << ServerId(dir) << "</callpath_test_server></macros>\n</yandex>\n";
  std::ofstream u(dir + "/users.xml");
  u << "<?xml version=\"1.0\"?>\n<yandex>\n"
    << "  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>\n"
    << "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
    << "<profile>default</profile><quota>default</quota></default></users>\n"
    << "  <quotas><default></default></quotas>\n</yandex>\n";
}

}  // namespace

std::string TestClickHouse::FindBinary() {
  if (const char* e = std::getenv("CALLPATH_CLICKHOUSE_SERVER"); e != nullptr && Executable(e)) return e;
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"}) {
    if (Executable(p)) return p;
  }
  if (const char* path = std::getenv("PATH")) {
    std::string all = path;
    size_t from = 0;
    while (from <= all.size()) {
      size_t colon = all.find(':', from);
      if (colon == std::string::npos) colon = all.size();
      std::string candidate = all.substr(from, colon - from) + "/clickhouse-server";
      if (Executable(candidate)) return candidate;
      from = colon + 1;
    }
  }
  return "";
}

Result<std::unique_ptr<TestClickHouse>> TestClickHouse::Start() { return Create(false); }

Result<std::unique_ptr<TestClickHouse>> TestClickHouse::StartWithTls() { return Create(true); }

Result<std::vector<std::unique_ptr<TestClickHouse>>> TestClickHouse::StartCluster(size_t shards,
                                                                                 const std::string& cluster) {
  // Every server's configuration names every port: when one was taken
  // since the probe, the whole cluster starts again on new ports.
  Status failed;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::vector<uint16_t> http(shards), tcp(shards);
    std::string remote = "  <remote_servers><" + cluster + ">";
    for (size_t i = 0; i < shards; ++i) {
      http[i] = FreePort();
      tcp[i] = FreePort();
      remote += "<shard><replica><host>127.0.0.1</host><port>" + std::to_string(tcp[i]) + "</port></replica></shard>";
    }
    remote += "</" + cluster + "></remote_servers>\n";
    std::vector<std::unique_ptr<TestClickHouse>> out;
    bool taken = false;
    for (size_t i = 0; i < shards && !taken; ++i) {
      auto s = Create(false, remote, http[i], tcp[i], &taken);
      if (s.ok()) {
        out.push_back(std::move(*s));
      } else if (!taken) {
        return s.status();  // `out` stops the servers started
      } else {
        failed = s.status();
      }
    }
    if (!taken) return out;
  }
  return failed;
}

Result<std::unique_ptr<TestClickHouse>> TestClickHouse::Create(bool tls, const std::string& remote_servers,
                                                               uint16_t http_port, uint16_t tcp_port,
                                                               bool* port_taken) {
  std::unique_ptr<TestClickHouse> s(new TestClickHouse());
  s->binary_ = FindBinary();
  if (s->binary_.empty()) return NotFound("clickhouse-server is not installed (scripts/setup.sh installs it)");
  std::string tmpl = (std::filesystem::temp_directory_path() / "callpath-clickhouse-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Internal("cannot make a temporary folder");
  s->dir_ = tmpl;
  if (tls) CALLPATH_RETURN_IF_ERROR(MakeCertificates(s->dir_));
  // A free port may be taken by another test's server between the probe
  // and the bind (tests run in parallel): then start again on new ports,
  // unless the ports were given (a cluster's servers name each other's).
  Status started;
  for (int attempt = 0; attempt < 5; ++attempt) {
    s->http_port_ = http_port != 0 ? http_port : FreePort();
    s->tcp_port_ = tcp_port != 0 ? tcp_port : FreePort();
    s->url_ = "http://127.0.0.1:" + std::to_string(s->http_port_);
    if (tls) {
      s->https_port_ = FreePort();
      s->https_url_ = "https://127.0.0.1:" + std::to_string(s->https_port_);
    }
    WriteConfig(s->dir_, s->http_port_, s->tcp_port_, s->https_port_, remote_servers);
    bool taken = false;
    started = s->Spawn(&taken);
    if (port_taken != nullptr) *port_taken = taken;
    if (!taken || http_port != 0) break;
  }
  CALLPATH_RETURN_IF_ERROR(started);
  return s;
}

Status TestClickHouse::Spawn(bool* port_taken) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = dir_ + "/stdout.log";
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string config = "--config-file=" + dir_ + "/config.xml";
  char* argv[] = {binary_.data(), config.data(), nullptr};
  const int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Internal("cannot start " + binary_);
  ch::Http http(url_, 2);
  const std::string id = ServerId(dir_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::string> named =
        http.Query("SELECT substitution FROM system.macros WHERE macro = 'callpath_test_server'");
    if (named.ok()) {
      std::string answer = std::move(named).value();
      while (!answer.empty() && answer.back() == '\n') answer.pop_back();
      if (answer == id) return Status::Ok();
      (void)Stop();  // another server holds the port; ours cannot bind it
      if (port_taken) *port_taken = true;
      return Unavailable("port " + std::to_string(http_port_) + " is another server's");
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      // Most likely a port taken since it was probed.
      if (port_taken) *port_taken = true;
      return Unavailable("clickhouse-server exited at start; see " + dir_ + "/error.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("clickhouse-server did not answer within a minute; see " + dir_);
}

Status TestClickHouse::Stop() {
  if (pid_ <= 0) return Status::Ok();
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pid_ = -1;
  return Status::Ok();
}

Status TestClickHouse::Restart() {
  if (pid_ > 0) return Status::Ok();
  return Spawn();
}

TestClickHouse::~TestClickHouse() {
  if (!owned_) return;
  (void)Stop();
  std::error_code ec;
  if (!dir_.empty() && std::getenv("CALLPATH_KEEP_CLICKHOUSE") == nullptr) std::filesystem::remove_all(dir_, ec);
}

TestClickHouse* TestClickHouse::Shared(std::string* why) {
  static std::unique_ptr<TestClickHouse> shared;
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (const char* url = std::getenv("CALLPATH_TEST_CLICKHOUSE_URL"); url != nullptr && *url) {
      shared.reset(new TestClickHouse());
      shared->url_ = url;
      shared->owned_ = false;
    } else {
      auto started = Start();
      if (started.ok()) {
        shared = std::move(*started);
        setenv("CALLPATH_TEST_CLICKHOUSE_URL", shared->url_.c_str(), 1);
      } else {
        failure = started.status().ToString();
      }
    }
  }
  if (!shared && why != nullptr) *why = failure;
  return shared.get();
}

}  // namespace callpath::store::testing
