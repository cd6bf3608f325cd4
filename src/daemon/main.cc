// callpathd: OTLP collector with an embedded trace store and a query API.
//
//   callpathd --data-dir /var/lib/callpath
//
// Prints one line "callpathd listening otlp_http=... otlp_grpc=... query=..."
// on stdout once every listener accepts connections (and writes the same
// as JSON to --ready-file if given). SIGTERM / SIGINT stop it cleanly:
// queued batches are written, the store is flushed and closed. SIGHUP
// rereads the keys file and the TLS certificate and key.
//
//   callpathd check --data-dir DIR    verify a stopped daemon's data
//   callpathd repair --data-dir DIR   rebuild a damaged store
//   callpathd key new --keys-file FILE --tenant T --scopes ingest,query
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/offline_commands.h"

namespace {

bool WriteReadyFile(const std::string& path, const std::string& json) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << json << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  using callpath::daemon::Daemon;
  if (int code = 0; callpath::daemon::RunOfflineCommand(argc, argv, &code)) return code;
  auto parsed = callpath::daemon::ParseCommandLine(argc, argv);
  if (parsed.exit_now) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << std::endl;
    return parsed.exit_code;
  }

  // Block the stop signals in every thread (threads inherit the mask), and
  // wait for them synchronously below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);  // reload keys and certificates
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Each connection takes a descriptor; the soft limit is often far below
  // the hard one. --max-connections' default is derived from the result.
  if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &nofile);
  }

  Daemon daemon(parsed.config);
  if (auto s = daemon.Start(); !s.ok()) {
    std::cerr << "callpathd: " << s.ToString() << std::endl;
    return 1;
  }
  std::cout << daemon.ListeningLine() << std::endl;
  if (!parsed.config.ready_file.empty() &&
      !WriteReadyFile(parsed.config.ready_file, daemon.ReadyJson())) {
    std::cerr << "callpathd: cannot write ready file " << parsed.config.ready_file << std::endl;
  }

  int sig = 0;
  while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) {
    if (auto s = daemon.Reload(); !s.ok()) {
      std::cerr << "callpathd: reload failed, keeping the previous keys and certificates: " << s.ToString()
                << std::endl;
    } else {
      std::cerr << "callpathd: reloaded keys and certificates" << std::endl;
    }
  }
  std::cerr << "callpathd: stopping (signal " << sig << ")" << std::endl;
  if (auto s = daemon.Stop(); !s.ok()) {
    std::cerr << "callpathd: store did not close cleanly: " << s.ToString() << std::endl;
    return 1;
  }
  return 0;
}
