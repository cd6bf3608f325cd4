// Base64 (RFC 4648): how proto3 JSON, OTLP/JSON and Jaeger carry `bytes`
// values. Encoding always writes the standard alphabet with padding; decoding
// also takes the URL-safe alphabet and missing padding, as proto3 JSON
// parsers must.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callpath::text {

// Length of the padded encoding of n bytes.
constexpr size_t Base64EncodedSize(size_t n) noexcept { return (n + 2) / 3 * 4; }

// Appends the standard, padded base64 of `bytes` (RFC 4648 section 4).
void AppendBase64(std::string_view bytes, std::string* out);
std::string Base64Encode(std::string_view bytes);

// Replaces *out with the bytes `text` encodes, in the standard or URL-safe
// alphabet (sections 4 and 5, mixed too), trailing '=' optional. False, with
// *out unspecified, on any other character or a length no encoding has.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace callpath::text
