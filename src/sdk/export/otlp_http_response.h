// Reading what an OTLP/HTTP receiver answers: the partial-success part of a
// 200 response, and the message of an error response (google.rpc.Status).
// Both are read without libprotobuf or a JSON library: only the few fields
// needed are extracted, everything else is skipped. Malformed input gives
// "nothing found", never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callpath::internal {

struct PartialSuccess {
  int64_t rejected = 0;       // rejected spans / log records / data points
  std::string error_message;  // may be empty
};

// Parses an Export{Trace,Logs,Metrics}ServiceResponse; the three share the
// layout partial_success = 1 { rejected = 1, error_message = 2 }. nullopt
// when the response has no partial_success (full success) or is unreadable.
std::optional<PartialSuccess> ParseExportResponse(std::string_view body, bool json);

// A short human-readable reason taken from an error response: the
// google.rpc.Status message when one can be read, otherwise the body's first
// printable characters. At most ~200 characters.
std::string DescribeErrorBody(std::string_view body, bool json);

}  // namespace callpath::internal
