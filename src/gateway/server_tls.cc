#include "gateway/server_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

namespace callpath::gateway {
namespace {

// OpenSSL's reason for the last failure; empties its error queue so the
// next failure is not blamed on this one.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  std::string reason = "unknown OpenSSL error";
  if (code != 0) {
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    reason = text;
  }
  ERR_clear_error();
  return reason;
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const ListenerTlsConfig& tls) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1) {
    return InvalidArgument("tls.cert_file '" + tls.cert_file + "': " + TakeOpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(native, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return InvalidArgument("tls.key_file '" + tls.key_file + "': " + TakeOpenSslError());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return InvalidArgument("tls.key_file '" + tls.key_file +
                           "' is not the key of tls.cert_file '" + tls.cert_file + "'");
  }
  if (!tls.client_ca_file.empty()) {
    const char* ca = tls.client_ca_file.c_str();
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca);
    if (SSL_CTX_load_verify_locations(native, ca, nullptr) != 1 || names == nullptr) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      return InvalidArgument("tls.client_ca_file '" + tls.client_ca_file +
                             "': " + TakeOpenSslError());
    }
    // Named in the CertificateRequest, so clients pick a matching certificate.
    SSL_CTX_set_client_CA_list(native, names);
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

}  // namespace callpath::gateway
