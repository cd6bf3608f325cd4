// UTF-8 checks for text that goes into protobuf `string` fields and JSON:
// both formats require valid UTF-8 (libprotobuf rejects a proto3 message
// whose string field is not), so writers sanitize what callers hand them.
#pragma once

#include <string>
#include <string_view>

namespace callpath::otlp {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF). Fast for ASCII.
bool IsValidUtf8(std::string_view s) noexcept;

// Appends `s` with each maximal ill-formed subsequence replaced by one
// U+FFFD (Unicode's recommended practice), valid sequences unchanged.
void AppendSanitizedUtf8(std::string_view s, std::string* out);

// Length of the well-formed sequence starting at s[i] (1..4), or, for an
// ill-formed one, minus the length of its maximal subpart to replace.
int Utf8SequenceLength(std::string_view s, size_t i) noexcept;

}  // namespace callpath::otlp
