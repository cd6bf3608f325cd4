// The server side of TLS on the client listener: an OpenSSL context built
// from the PEM files a ListenerTlsConfig names.
//
//   Result<std::shared_ptr<net::ssl::context>> ctx = MakeServerTlsContext(config.tls);
//
// Built with each Runtime (at start and on SIGHUP), so a renewed
// certificate reaches new connections; a connection keeps the context it
// was accepted with. TLS 1.2 or newer; no compression or renegotiation.
// With client_ca_file, the handshake fails for a client without a
// certificate that CA signed.
#pragma once

#include <memory>

#include "callpath/status.h"
#include "gateway/config.h"

namespace boost::asio::ssl {
class context;
}

namespace callpath::gateway {

// An error names the file that could not be used and OpenSSL's reason.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const ListenerTlsConfig& tls);

}  // namespace callpath::gateway
