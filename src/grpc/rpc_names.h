#pragma once

#include <string>
#include <string_view>

namespace callpath::grpc::detail {

// server.address / server.port of a channel target: "host:port",
// "dns:///host:port", "ipv4:1.2.3.4:5", "[::1]:5", "unix:/path" (no port).
// A target without a port gets gRPC's default, 443.
void ParseTarget(std::string_view target, std::string* host, int* port);

}  // namespace callpath::grpc::detail
