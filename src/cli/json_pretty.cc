#include "cli/json_pretty.h"

namespace callpath::cli {

std::string PrettyJson(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 4);
  size_t depth = 0;
  auto newline = [&] {
    out.push_back('\n');
    out.append(2 * depth, ' ');
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    switch (c) {
      case '"': {
        size_t j = i + 1;
        while (j < in.size() && in[j] != '"') j += in[j] == '\\' ? 2 : 1;
        j = j < in.size() ? j : in.size() - 1;
        out.append(in.substr(i, j - i + 1));
        i = j;
        break;
      }
      case '{':
      case '[': {
        // Keep empty containers on one line: {} and [].
        size_t j = i + 1;
        while (j < in.size() && (in[j] == ' ' || in[j] == '\n' || in[j] == '\t' || in[j] == '\r')) ++j;
        if (j < in.size() && in[j] == (c == '{' ? '}' : ']')) {
          out.push_back(c);
          out.push_back(in[j]);
          i = j;
          break;
        }
        out.push_back(c);
        ++depth;
        newline();
        break;
      }
      case '}':
      case ']':
        if (depth > 0) --depth;
        newline();
        out.push_back(c);
        break;
      case ',':
        out.push_back(',');
        newline();
        break;
      case ':':
        out += ": ";
        break;
      case ' ':
      case '\n':
      case '\t':
      case '\r':
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('\n');
  return out;
}

}  // namespace callpath::cli
