// One unary gRPC call with raw request bytes, as the daemon tests make them
// against callpathd's OTLP/gRPC port (insecure channel on loopback).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace callpath::testing {

inline const std::string kOtlpTraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline const std::string kOtlpLogsExport = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

// Calls `method` on 127.0.0.1:`port` with `bytes` and `metadata` (60 s
// deadline); the response's bytes go to `response` when it is given.
grpc::Status GrpcUnaryCall(uint16_t port, const std::string& method, const std::string& bytes,
                           const std::vector<std::pair<std::string, std::string>>& metadata = {},
                           std::string* response = nullptr);

}  // namespace callpath::testing
