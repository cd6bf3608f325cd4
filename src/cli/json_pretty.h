// Re-indents a JSON document for `--json` output. Works on the token
// level (strings are copied verbatim), so it never changes a value and
// never fails: text that is not JSON comes out re-spaced but complete.
#pragma once

#include <string>
#include <string_view>

namespace callpath::cli {

// Two-space indentation, one member or element per line, "key": value.
std::string PrettyJson(std::string_view json);

}  // namespace callpath::cli
