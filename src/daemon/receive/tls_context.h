// TLS for the HTTP listeners: a server context built from PEM files, and a
// holder that rebuilds it on demand (SIGHUP) so that certificates can be
// renewed without a restart. Connections take the current context when
// they are accepted; open connections keep the one they started with.
//
// The context: TLS 1.2 or newer only; the certificate chain and the key
// must match; with a client CA, clients must present a certificate it
// signed (mutual TLS) and the handshake fails otherwise.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "callpath/status.h"

namespace boost::asio::ssl {
class context;
}

namespace callpath::daemon {

struct TlsFiles {
  std::string cert;       // PEM certificate chain, server certificate first
  std::string key;        // PEM private key
  std::string client_ca;  // PEM CA bundle; "" = no client certificates asked
  bool enabled() const { return !cert.empty(); }
};

class TlsContextHolder {
 public:
  explicit TlsContextHolder(TlsFiles files) : files_(std::move(files)) {}

  // Builds a context from the files. On error the previous context (if
  // any) stays in force and the error names the file. Thread-safe.
  Status Reload();
  // The context new connections use; null before a successful Reload().
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  const TlsFiles& files() const { return files_; }

 private:
  const TlsFiles files_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace callpath::daemon
