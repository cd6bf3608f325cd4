// Text helpers shared by the OTLP decoders: JSON escaping, base64, UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace callpath::daemon {

// Appends `s` as a quoted JSON string. Bytes that are not valid UTF-8
// become U+FFFD, so the output is always valid JSON.
void AppendJsonQuoted(std::string_view s, std::string& out);

// Standard base64 (RFC 4648, with padding).
void AppendBase64(std::string_view bytes, std::string& out);
// Decodes standard or URL-safe base64, padding optional; false on any other
// character.
bool DecodeBase64(std::string_view text, std::string& out);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s) noexcept;

}  // namespace callpath::daemon

namespace callpath::daemon {
// Parses exactly 2*n hex digits (either case) into n bytes.
bool ParseHexAnyCase(std::string_view hex, unsigned char* out, size_t n) noexcept;
}  // namespace callpath::daemon
