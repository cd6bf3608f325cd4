// Query strings as spans may record them: the values of parameters that
// carry credentials replaced by "REDACTED", as the OpenTelemetry semantic
// conventions ask of url.full and url.query (AWSAccessKeyId, Signature,
// sig, X-Goog-Signature) plus the usual token and password names. Used by
// the HTTP instrumentation and the gateway.
#pragma once

#include <string>
#include <string_view>

namespace callpath::internal {

// True when `name` (case-insensitive) is a parameter whose value is a secret.
bool IsSensitiveQueryParameter(std::string_view name);

// `query` (without '?') with each sensitive parameter's value replaced by
// REDACTED; unchanged when it has none.
std::string RedactQuery(std::string_view query);

// `target` (a path with an optional "?query") with RedactQuery applied to
// its query.
std::string RedactTarget(std::string_view target);

}  // namespace callpath::internal
