// Parsers of the gateway config's security sections (edge policy), kept
// apart from config.cc's routing sections.
#pragma once

#include "gateway/config.h"
#include "gateway/config_yaml.h"

namespace callpath::gateway {

// The `edge` mapping into `out` (defaults kept for absent keys).
Status ParseEdge(const config_yaml::Errors& err, const YAML::Node& v, EdgeConfig& out);

// An upstream's `tls` mapping ({ca_file, server_name}); turns TLS on.
Status ParseUpstreamTls(const config_yaml::Errors& err, const YAML::Node& v,
                        const std::string& what, UpstreamTlsConfig& out);

// The top-level `tls` mapping ({cert_file, key_file, client_ca_file,
// admin}): HTTPS on the client listener (and on the admin port with
// admin). Whether the files load is checked when the Runtime is built.
Status ParseListenerTls(const config_yaml::Errors& err, const YAML::Node& v,
                        ListenerTlsConfig& out);

// An endpoint "host:port", "http://host:port", or "https://host:port",
// which turns TLS on for the whole upstream (all its endpoints).
Status ReadEndpoint(const config_yaml::Errors& err, const YAML::Node& v, const std::string& what,
                    HostPort& out, UpstreamTlsConfig& tls);

}  // namespace callpath::gateway
