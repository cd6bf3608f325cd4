// A clickhouse-server of its own for tests and tools: started on free
// loopback ports in a temporary folder with its own configuration (only
// 127.0.0.1, no other listener), stopped by its PID, the folder removed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"

namespace callpath::store::testing {

class TestClickHouse {
 public:
  // The clickhouse-server binary ($CALLPATH_CLICKHOUSE_SERVER, else the
  // Debian package's /usr/sbin/clickhouse-server, else PATH); "" if none.
  static std::string FindBinary();
  // What a test that needs a server says when it skips. Tests skip only
  // when FindBinary() finds none: scripts/setup.sh installs the server, so
  // CI runs them all; one that is installed but does not start fails them.
  static constexpr const char* kNotInstalled =
      "clickhouse-server not installed (scripts/setup.sh installs it; CI runs these tests)";

  // Starts a server and waits until it answers (Unavailable if it does not
  // within a minute; NotFound when there is no binary).
  static Result<std::unique_ptr<TestClickHouse>> Start();
  // Starts a server that also answers HTTPS (https_url()) with a certificate
  // for 127.0.0.1 and localhost signed by a CA made for it (ca_file()), both
  // made with the openssl CLI in the server's folder. Unavailable when
  // openssl fails.
  static Result<std::unique_ptr<TestClickHouse>> StartWithTls();

  // Starts `shards` servers forming a cluster named `cluster` (in every
  // server's <remote_servers>, one replica per shard, weight 1, shard i+1
  // being the i-th server returned). Started one after the other; on a
  // failure those started are stopped (and started again on new ports when
  // a port was taken meanwhile).
  static Result<std::vector<std::unique_ptr<TestClickHouse>>> StartCluster(size_t shards, const std::string& cluster);

  // The server this process's tests share, started at first use and stopped
  // at exit; a child process of a test reuses its parent's (passed on in
  // $CALLPATH_TEST_CLICKHOUSE_URL). nullptr with *why set when none can run.
  static TestClickHouse* Shared(std::string* why);

  ~TestClickHouse();  // stops the server and removes its folder (if owned)

  const std::string& url() const { return url_; }
  // StartWithTls only: the HTTPS endpoint and the CA that signed its certificate.
  const std::string& https_url() const { return https_url_; }
  std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
  // Stops the server (SIGTERM to its PID, SIGKILL after 30 s) keeping its
  // data; Restart starts it again on the same ports and data.
  Status Stop();
  Status Restart();

 private:
  TestClickHouse() = default;
  // `remote_servers`: the <remote_servers> element of the config, or "".
  // Ports 0 are probed (and probed again when taken by then); given ports
  // are tried once, *port_taken (optional) set when one was taken.
  static Result<std::unique_ptr<TestClickHouse>> Create(bool tls, const std::string& remote_servers = "",
                                                        uint16_t http_port = 0, uint16_t tcp_port = 0,
                                                        bool* port_taken = nullptr);
  // Starts the server on the configured ports and waits until it answers.
  // *port_taken (optional): set when another process had a port.
  Status Spawn(bool* port_taken = nullptr);

  std::string dir_;
  std::string url_;
  std::string https_url_;
  std::string binary_;
  uint16_t http_port_ = 0, tcp_port_ = 0, https_port_ = 0;
  pid_t pid_ = -1;
  bool owned_ = true;
};

}  // namespace callpath::store::testing
