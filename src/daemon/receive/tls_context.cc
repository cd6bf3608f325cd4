#include "daemon/receive/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

namespace callpath::daemon {
namespace {

// The first queued OpenSSL error as text (and the queue cleared).
std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  char buf[256] = {0};
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf[0] ? buf : "unknown OpenSSL error";
}

}  // namespace

Status TlsContextHolder::Reload() {
  if (!files_.enabled()) return Status::Ok();
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, files_.cert.c_str()) != 1) {
    return InvalidArgument("TLS certificate " + files_.cert + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(native, files_.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return InvalidArgument("TLS key " + files_.key + ": " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS key " + files_.key + " does not match certificate " + files_.cert);
  }
  if (!files_.client_ca.empty()) {
    if (SSL_CTX_load_verify_locations(native, files_.client_ca.c_str(), nullptr) != 1) {
      return InvalidArgument("TLS client CA " + files_.client_ca + ": " + OpenSslError());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files_.client_ca.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(ctx);
  return Status::Ok();
}

std::shared_ptr<boost::asio::ssl::context> TlsContextHolder::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

}  // namespace callpath::daemon
